// Per-tenant connector configuration over the real HTTP server: credentials are checked by
// the connector's own schema (a 400 names the field), stored encrypted, never returned, and
// only admins may set them; another tenant sees nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testApp, type TestApp } from '../support/app.ts';
import { assertProblem } from '../support/api.ts';
import { newKey, newTenant, type KeyInfo } from '../support/data.ts';
import { connectorCredentials } from '../../core/integrations/connectors.ts';

let app: TestApp;
let operator: KeyInfo;
let other: KeyInfo & { tenantId: string };

before(async () => {
  app = await testApp();
  operator = await newKey(app, 'operator');
  other = await newTenant(app, 'Other shop');
});
after(() => app?.close());

const twilio = { accountSid: `AC${'a1'.repeat(16)}`, authToken: 'a-secret-auth-token-0123', apiBaseUrl: 'http://127.0.0.1:4010' };

test('a connector is configured with credentials its schema accepts; they are kept encrypted and never shown', async () => {
  const put = await app.request('PUT', '/v1/connectors/twilio', { body: { credentials: twilio } });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual(put.body.credentialFields, ['accountSid', 'apiBaseUrl', 'authToken']);
  assert.equal(put.body.enabled, true);
  assert.ok(!put.text.includes(twilio.authToken));

  const list = await app.request('GET', '/v1/connectors', { key: operator.key });
  assert.equal(list.status, 200);
  assert.deepEqual(
    list.body.items.map((c: { type: string }) => c.type),
    ['twilio'],
  );
  assert.ok(!list.text.includes(twilio.authToken) && !list.text.includes(twilio.accountSid));

  const { rows } = await app.db.pool.query<{ credentials_enc: string }>(`select credentials_enc from connectors where type = 'twilio'`);
  assert.ok(!rows[0]!.credentials_enc.includes(twilio.authToken), 'encrypted at rest');
  assert.deepEqual(await connectorCredentials(app.deps, app.tenantId, 'twilio'), twilio);

  // Replacing keeps one row.
  const again = await app.request('PUT', '/v1/connectors/twilio', { body: { credentials: { ...twilio, apiBaseUrl: undefined }, enabled: false } });
  assert.deepEqual(again.body.credentialFields, ['accountSid', 'authToken']);
  assert.equal(again.body.enabled, false);
  assert.equal((await app.request('GET', '/v1/connectors')).body.items.length, 1);
});

test('bad credentials are a 400 naming the field; an unknown connector is a 400 naming the type', async () => {
  assertProblem(
    await app.request('PUT', '/v1/connectors/twilio', { body: { credentials: { ...twilio, accountSid: 'nope' } } }),
    400,
    'VALIDATION',
    'credentials.accountSid',
  );
  assertProblem(await app.request('PUT', '/v1/connectors/google-tts', { body: { credentials: {} } }), 400, 'VALIDATION', 'credentials.serviceAccount');
  assertProblem(await app.request('PUT', '/v1/connectors/myspace', { body: { credentials: {} } }), 400, 'VALIDATION', 'type');
});

test('only admins set credentials, and another tenant sees and removes nothing', async () => {
  assertProblem(await app.request('PUT', '/v1/connectors/twilio', { key: operator.key, body: { credentials: twilio } }), 403, 'FORBIDDEN');
  assert.deepEqual((await app.request('GET', '/v1/connectors', { key: other.key })).body.items, []);
  assertProblem(await app.request('DELETE', '/v1/connectors/twilio', { key: other.key }), 404, 'NOT_FOUND', 'type');
  const removed = await app.request('DELETE', '/v1/connectors/twilio');
  assert.equal(removed.status, 200);
  assert.deepEqual((await app.request('GET', '/v1/connectors')).body.items, []);
});
