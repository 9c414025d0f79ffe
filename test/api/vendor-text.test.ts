// Text a vendor sends that the database cannot hold (a NUL, an unpaired surrogate) is the
// vendor's own data: it is kept, cleaned (NUL dropped, a lone surrogate shown as U+FFFD),
// rather than failing a whole CRM sync page or a webhook the vendor would retry forever.
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { eventually, listAll } from '../support/data.ts';
import { startHubspotSim, type HubspotSim } from '../../sim/hubspot/index.ts';
import { loadSamples } from '../../sim/shopify/vendor.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import { campaign } from '../chases/support.ts';
import { NOWHERE } from '../support/fuzz.inputs.ts';

const SHOP = 'text.myshopify.com';
const SECRET = 'shpss_text0123456789';

let app: TestApp & { worker: WorkerDeps };
let hub: HubspotSim;

before(async () => {
  hub = await startHubspotSim({ contactProperties: ['chaseline_tags', 'chaseline_do_not_call'] });
  app = (await testEngineApp({ defaultRegion: 'US' })) as TestApp & { worker: WorkerDeps };
  for (const [type, credentials] of [
    ['hubspot', { accessToken: hub.accessToken, apiBaseUrl: hub.url }],
    ['shopify', { shop: SHOP, accessToken: 'shpat_text0123456789', apiSecret: SECRET, apiBaseUrl: NOWHERE }],
  ] as const) {
    const put = await app.request('PUT', `/v1/connectors/${type}`, { body: { credentials } });
    assert.equal(put.status, 200, put.text);
  }
});
after(async () => {
  await app?.close();
  await hub?.close();
});

interface Contact {
  name: string | null;
  phone: string;
  tags: string[];
}

test('a CRM page with NUL and lone surrogates in names and tags syncs whole, the text cleaned', { timeout: 60_000 }, async () => {
  hub.seedContacts(3, (i) => ({
    firstname: i === 1 ? 'A\u0000nn' : `Plain${i}`,
    lastname: i === 2 ? 'Le\ud800e' : 'Lee',
    phone: `+1415555${String(3000 + i)}`,
    chaseline_tags: i === 1 ? 'v\u0000ip;new' : 'vip',
  }));
  assert.equal((await app.request('POST', '/v1/connectors/hubspot/sync')).status, 202);
  const state = await eventually(
    async () => {
      const s = (await app.request('GET', '/v1/connectors')).body.items.find((c: { type: string }) => c.type === 'hubspot');
      return (s.syncStatus === 'ok' || s.syncStatus === 'failed') && s;
    },
    'the sync to end',
    30_000,
  );
  assert.equal(state.syncStatus, 'ok', `the sync failed: ${state.lastError}`);
  const { items } = await listAll<Contact>(app, '/v1/contacts');
  const byPhone = new Map(items.map((c) => [c.phone, c]));
  assert.equal(items.length, 3);
  assert.equal(byPhone.get('+14155553001')?.name, 'Ann Lee');
  assert.deepEqual(byPhone.get('+14155553001')?.tags, ['vip', 'new']);
  assert.equal(byPhone.get('+14155553002')?.name, 'Plain2 Le\uFFFDe');
});

test("a signed Shopify checkout with NUL in the buyer's name and the product is acted on, the text cleaned", { timeout: 60_000 }, async () => {
  await campaign(app.worker, app.tenantId, {
    name: 'carts',
    trigger: { type: 'abandoned-checkout', delayMinutes: 600 },
    channel: { policy: 'voice' },
    scripts: [{ name: 'cart', say: 'Your {{context.product}} is waiting.' }],
  });
  const sample = loadSamples()['checkouts/create'] as Record<string, unknown> & { line_items: Record<string, unknown>[]; customer: Record<string, unknown> };
  const token = `tok-${randomUUID()}`;
  const payload = {
    ...sample,
    token,
    phone: '+14155553099',
    updated_at: new Date().toISOString(),
    customer: { ...sample.customer, first_name: 'Jo\u0000', last_name: 'Do\udc00e' },
    line_items: [{ ...sample.line_items[0], title: 'Red\u0000 Shoes', variant_title: null }],
  };
  const body = JSON.stringify(payload);
  const res = await fetch(`${app.url}/webhooks/shopify`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': 'checkouts/create',
      'x-shopify-shop-domain': SHOP,
      'x-shopify-webhook-id': randomUUID(),
      'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(body).digest('base64'),
    },
    body,
  });
  assert.equal(res.status, 200, await res.text());
  const chase = await eventually(
    async () => {
      const { rows } = await app.db.pool.query<{ id: string }>(`select id from chases where source_key = $1`, [token]);
      return rows[0];
    },
    'the chase to start',
    20_000,
  );
  const got = (await app.request('GET', `/v1/chases/${chase.id}`)).body;
  assert.equal(got.context.product, 'Red Shoes');
  const contact = (await app.request('GET', `/v1/contacts/${got.contactId}`)).body;
  assert.equal(contact.name, 'Jo Do\uFFFDe');
});

test('a Salesforce Flow callout with NUL in its request id and names starts its chase, the text cleaned', { timeout: 30_000 }, async () => {
  const org = '00D5g000004TEXTEAZ';
  const key = 'text0123456789abcdef';
  const put = await app.request('PUT', '/v1/connectors/salesforce', {
    body: {
      credentials: {
        auth: { accessToken: '00D5g000004TEXT!AQ0123456789', instanceUrl: 'https://text.my.salesforce.com' },
        orgId: org,
        inboundSecret: key,
        apiBaseUrl: NOWHERE,
      },
    },
  });
  assert.equal(put.status, 200, put.text);
  const c = await campaign(app.worker, app.tenantId, { name: 'from salesforce' });
  const body = JSON.stringify({
    organizationId: org,
    requestId: 'flow\u0000-1',
    records: [{ Id: '00Q5g00000TeXt1EAF', FirstName: 'B\u0000o', LastName: 'Ng\ud800', MobilePhone: '+14155553100' }],
  });
  const res = await fetch(`${app.url}/webhooks/salesforce?campaign=${c.id}&key=${key}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  assert.equal(res.status, 200, await res.clone().text());
  assert.deepEqual(((await res.json()) as { counts: Record<string, number> }).counts, { started: 1 });
  const contact = (await listAll<Contact>(app, '/v1/contacts')).items.find((x) => x.phone === '+14155553100');
  assert.equal(contact?.name, 'Bo Ng\uFFFD');
});

test('a HubSpot delivery naming a portal with NUL matches no tenant: 401 before any signature is checked, not a 500', async () => {
  const events = [
    { eventId: 1, subscriptionId: 1, portalId: '42\u0000', subscriptionType: 'contact.creation', objectId: 1, occurredAt: Date.now(), attemptNumber: 0 },
  ];
  const res = await fetch(`${app.url}/webhooks/hubspot`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': 'c2ln', 'x-hubspot-request-timestamp': String(Date.now()) },
    body: JSON.stringify(events),
  });
  assert.equal(res.status, 401, await res.text());
});
