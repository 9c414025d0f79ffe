// A tenant admin cannot make the server carry the tenant's vendor token to an address of their
// choosing: connector URLs are https on the vendor's own domains unless the operator allows a
// host (CHASELINE_ALLOWED_VENDOR_HOSTS), checked on save (a 400 naming the field, REST and
// tRPC alike) and again whenever the worker builds the connector.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testApp, testEngineApp, type TestApp } from '../support/app.ts';
import { assertProblem, assertTrpcError, trpcMutation } from '../support/api.ts';
import { eventually } from '../support/data.ts';
import { connectorState } from '../support/connectors.ts';
import { crmConnectorFor } from '../../connectors/registry.ts';

const hubspot = (apiBaseUrl?: string) => ({ credentials: { accessToken: 'pat-na1-0123456789abcdef', ...(apiBaseUrl ? { apiBaseUrl } : {}) } });
const salesforce = (auth: Record<string, string>, apiBaseUrl?: string) => ({ credentials: { auth, ...(apiBaseUrl ? { apiBaseUrl } : {}) } });
const TOKEN_AUTH = { accessToken: '00D000000000001!AQ4AQFakeToken' };
const JWT_AUTH = {
  clientId: '3MVG9connectedappkey',
  username: 'integration@acme.example',
  privateKey: '-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----',
};

describe('with no hosts allowed beyond the vendors', () => {
  let app: TestApp;
  before(async () => {
    app = await testApp({ allowedVendorHosts: [] });
  });
  after(() => app?.close());

  test("URLs off the vendor's domains are a 400 naming the field, and nothing is stored", async () => {
    const cases: [string, unknown, string][] = [
      ['hubspot', hubspot('http://127.0.0.1:4010'), 'credentials.apiBaseUrl'],
      ['hubspot', hubspot('http://169.254.169.254/latest/meta-data'), 'credentials.apiBaseUrl'],
      ['hubspot', hubspot('http://api.hubapi.com'), 'credentials.apiBaseUrl'],
      [
        'twilio',
        { credentials: { accountSid: `AC${'b2'.repeat(16)}`, authToken: 'a-secret-auth-token-0123', apiBaseUrl: 'https://10.0.0.5' } },
        'credentials.apiBaseUrl',
      ],
      [
        'shopify',
        {
          credentials: {
            shop: 'demo.myshopify.com',
            accessToken: 'shpat_0123456789',
            apiSecret: 'shpss_0123456789',
            apiBaseUrl: 'https://demo.myshopify.com.evil.example',
          },
        },
        'credentials.apiBaseUrl',
      ],
      ['salesforce', salesforce({ ...TOKEN_AUTH, instanceUrl: 'http://internal.corp.example' }), 'credentials.auth.instanceUrl'],
      ['salesforce', salesforce({ ...JWT_AUTH, loginUrl: 'https://login.evil.example' }), 'credentials.auth.loginUrl'],
      ['salesforce', salesforce({ ...TOKEN_AUTH, instanceUrl: 'https://acme.my.salesforce.com' }, 'http://localhost:8080'), 'credentials.apiBaseUrl'],
      ['google-tts', { credentials: { accessToken: 'ya29.token', apiBaseUrl: 'http://metadata.google.internal' } }, 'credentials.apiBaseUrl'],
    ];
    for (const [type, body, field] of cases) {
      const res = await app.request('PUT', `/v1/connectors/${type}`, { body });
      assertProblem(res, 400, 'VALIDATION', field);
      assert.match(res.body.detail, /CHASELINE_ALLOWED_VENDOR_HOSTS/);
    }
    assert.deepEqual((await app.request('GET', '/v1/connectors')).body.items, []);
  });

  test('the same over tRPC', async () => {
    const res = await trpcMutation(app, 'connectors.put', { type: 'hubspot', ...hubspot('http://127.0.0.1:4010') });
    assertTrpcError(res, 400, 'BAD_REQUEST', 'VALIDATION', 'credentials.apiBaseUrl');
  });

  test("the vendor's own https URLs are accepted, and so is no URL at all", async () => {
    assert.equal((await app.request('PUT', '/v1/connectors/hubspot', { body: hubspot('https://api-eu1.hubapi.com') })).status, 200);
    assert.equal((await app.request('PUT', '/v1/connectors/hubspot', { body: hubspot() })).status, 200);
    const sf = await app.request('PUT', '/v1/connectors/salesforce', {
      body: salesforce({ ...TOKEN_AUTH, instanceUrl: 'https://acme--uat.sandbox.my.salesforce.com' }),
    });
    assert.equal(sf.status, 200, sf.text);
    // The JWT flow's default login URL is Salesforce's own.
    assert.equal((await app.request('PUT', '/v1/connectors/salesforce', { body: salesforce(JWT_AUTH) })).status, 200);
  });
});

test('an allowed host is accepted on save; once the operator no longer allows it, the worker refuses the stored URL and the sync says why', async () => {
  const allowed = ['127.0.0.1'];
  const app = await testEngineApp({ allowedVendorHosts: allowed });
  try {
    const put = await app.request('PUT', '/v1/connectors/hubspot', { body: hubspot('http://127.0.0.1:9') });
    assert.equal(put.status, 200, put.text);

    // The operator tightens CHASELINE_ALLOWED_VENDOR_HOSTS (the same list object the running app was given).
    allowed.length = 0;
    await assert.rejects(
      crmConnectorFor({ ...app.deps, allowedVendorHosts: [] })(app.tenantId, 'hubspot'),
      (err: Error & { field?: string }) => err.field === 'credentials.apiBaseUrl',
    );
    assert.equal((await app.request('POST', '/v1/connectors/hubspot/sync')).status, 202);
    const state = await eventually(async () => {
      const s = await connectorState(app, 'hubspot');
      return s.syncStatus === 'failed' && s;
    }, 'the sync to fail');
    assert.match(state.lastError ?? '', /credentials\.apiBaseUrl: must be an https URL on HubSpot's own domains/);
  } finally {
    await app.close();
  }
});
