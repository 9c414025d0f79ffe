// One number, one answer, whichever way it comes in. The same raw phones — as people and
// systems write them, hostile ones included — go through every entry point that takes a
// number for a CN tenant: contacts/validate, POST /v1/contacts (and over tRPC), POST /v1/chases (by phone, and
// with a CRM record not synced yet), POST /v1/opt-outs, a CSV import, a HubSpot sync, the
// HubSpot workflow action and record card, and a Shopify checkout webhook. Each gives the
// same E.164, or refuses with the same words ('phone: too long'), as a 4xx naming its phone
// field, a rejected import row, or (from a CRM) a contact kept flagged with that reason.
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { testEngineApp, type ApiResponse, type TestApp } from '../support/app.ts';
import { trpcMutation } from '../support/api.ts';
import { ALL_DAY, csvBytes, eventually, importCsv, newCampaign, newTenant } from '../support/data.ts';
import { syncConnector } from '../support/connectors.ts';
import { startHubspotSim, type HubspotSim } from '../../sim/hubspot/index.ts';
import { loadSamples } from '../../sim/shopify/vendor.ts';
import { normalizePhone } from '../../core/phone/phone.ts';

/** [raw phone, E.164 or reason] for a tenant whose default region is CN. */
const TABLE: [string, string][] = [
  ['13800138000', '+8613800138000'], // a Chinese mobile without +86
  ['+1 650-253-0000', '+16502530000'], // a US number, for a CN tenant, with +1
  ['(+86) 138-0013-8001', '+8613800138001'],
  ['１３９ １２３４ ５６７８', '+8613912345678'], // full-width digits and spaces
  ['١٣٨٠٠١٣٨٠٠٢', '+8613800138002'], // Arabic-Indic digits
  ['0086 138 0013 8003', '+8613800138003'], // '00' as the IDD
  ['tel:+86-138-0013-8004', '+8613800138004'],
  ['+', 'too short'],
  ['call me', 'invalid characters'],
  ['138 0013 8000 ext 5', 'invalid characters'],
  ['12345678901234567890', 'too long'], // 20 digits
  ['12345678901', 'not a valid number'], // a placeholder, never re-read as +1 234-567-8901
  ['+999 1234 5678', 'invalid country code'],
  ['8'.repeat(200), 'too long'],
  ['x'.repeat(10_000), 'too long'],
];
const expected = TABLE.map(([, want]) => want);
const isE164 = (s: string) => s.startsWith('+');

const SHOP = 'phones.myshopify.com';
const SECRET = 'shpss_phones0123456789';

let app: TestApp;
let hub: HubspotSim;

before(async () => {
  hub = await startHubspotSim({ rateLimits: false, contactProperties: ['chaseline_tags', 'country'] });
  app = await testEngineApp({
    defaultRegion: 'CN',
    sim: { clockSpeed: 50, callsPerSecond: 100 },
    apps: (url) => ({
      hubspot: { clientId: hub.clientId, clientSecret: hub.clientSecret, redirectUri: `${url}/plugins/hubspot/oauth/callback`, apiBaseUrl: hub.url },
    }),
  });
});
after(async () => {
  await app?.close();
  await hub?.close();
});

/** Later chases: a campaign whose chases wait, so nothing is dialled while we look. */
const waitingCampaign = async (name: string, extra: Record<string, unknown> = {}) =>
  (await newCampaign(app, { name, rules: { window: ALL_DAY, delayMinutes: 600 }, ...extra })).id as string;

const contactPhone = async (id: string) => (await app.request('GET', `/v1/contacts/${id}`)).body.phone as string;
const chaseContact = async (chaseId: string) =>
  (await app.db.pool.query<{ contact_id: string }>(`select contact_id from chases where id = $1`, [chaseId])).rows[0]!.contact_id;

/** A 4xx problem naming `field`, in the one wording; its reason. */
function refusal(res: ApiResponse | { status: number; body: Record<string, unknown> }, field: string, raw: string): string {
  assert.ok(res.status >= 400 && res.status < 500, `${raw.slice(0, 30)}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  assert.equal(res.body.code, 'VALIDATION', raw.slice(0, 30));
  assert.equal(res.body.field, field, raw.slice(0, 30));
  const reason = /^phone: (.+)$/.exec(String(res.body.detail))?.[1];
  assert.ok(reason, `detail ${JSON.stringify(res.body.detail)}`);
  return reason;
}

/** Runs `path` over every raw phone in order, and checks it answered as the table says. */
async function throughPath(name: string, path: (raw: string, i: number) => Promise<string>) {
  const got: string[] = [];
  for (const [i, [raw]] of TABLE.entries()) got.push(await path(raw, i));
  assert.deepEqual(got, expected, name);
}

test('the table is what core says', () => {
  assert.deepEqual(
    TABLE.map(([raw]) => {
      const p = normalizePhone(raw, 'CN');
      return p.e164 ?? p.reason;
    }),
    expected,
  );
});

test('POST /v1/contacts/validate', async () => {
  const res = await app.request('POST', '/v1/contacts/validate', { body: { phones: TABLE.map(([raw]) => raw) } });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(
    res.body.results.map((r: { e164: string | null; reason: string | null }) => r.e164 ?? r.reason),
    expected,
  );
});

test('POST /v1/contacts: a contact with the number, or a 400 naming phone', async () => {
  await throughPath('contacts', async (raw, i) => {
    const res = await app.request('POST', '/v1/contacts', { body: { name: `Contact ${i}`, phone: raw } });
    return res.status < 300 ? res.body.phone : refusal(res, 'phone', raw);
  });
});

test('POST /v1/chases by phone, and with a CRM record not synced yet: the chase’s contact has the number, or a 400 naming contact.phone', async () => {
  const byPhone = await waitingCampaign('By phone');
  await throughPath('chases by phone', async (raw) => {
    const res = await app.request('POST', '/v1/chases', { body: { campaignId: byPhone, contact: { phone: raw } } });
    return res.status < 300 ? contactPhone(res.body.contactId) : refusal(res, 'contact.phone', raw);
  });
  const byRecord = await waitingCampaign('By record');
  await throughPath('chases by CRM record', async (raw, i) => {
    const res = await app.request('POST', '/v1/chases', {
      body: { campaignId: byRecord, contact: { crm: { system: 'salesforce', externalId: `003PH${i}` }, phone: raw } },
    });
    return res.status < 300 ? contactPhone(res.body.contactId) : refusal(res, 'contact.phone', raw);
  });
});

test('tRPC contacts.upsert: the same number, or the same words naming phone', async () => {
  await throughPath('trpc contacts.upsert', async (raw, i) => {
    const res = await trpcMutation(app, 'contacts.upsert', { name: `Trpc ${i}`, phone: raw });
    if (res.status < 300) return res.body.result.data.phone;
    const error = res.body.error;
    return refusal({ status: res.status, body: { code: error.data.code, field: error.data.field, detail: error.message } }, 'phone', raw);
  });
});

test('POST /v1/opt-outs: the opted-out number, or a 400 naming phone', async () => {
  await throughPath('opt-outs', async (raw) => {
    const res = await app.request('POST', '/v1/opt-outs', { body: { phone: raw, channel: 'sms', note: 'phone table' } });
    return res.status < 300 ? res.body.phone : refusal(res, 'phone', raw);
  });
});

test('a CSV import: good rows land with the number, bad rows are rejected with the reason', async () => {
  const tenant = await newTenant(app, 'Import phones', 'CN');
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const res = await importCsv(app, csvBytes(['name,phone,tags', ...TABLE.map(([raw], i) => `Row ${i},${quote(raw)},row-${i}`)]), { key: tenant.key });
  assert.equal(res.status, 201, res.text.slice(0, 500));
  const rejected = new Map((res.body.rejected as { row: number; column: string; reason: string }[]).map((r) => [r.row, r]));
  await throughPath('import', async (_raw, i) => {
    // Row 1 is the header.
    const row = rejected.get(i + 2);
    if (row) {
      assert.equal(row.column, 'phone');
      return row.reason.replace(/^phone: /, '');
    }
    const found = await app.request('GET', `/v1/contacts?tag=row-${i}`, { key: tenant.key });
    assert.equal(found.body.items.length, 1, found.text);
    return found.body.items[0].phone;
  });
});

test('HubSpot: a sync keeps a bad number flagged with the reason; the workflow action and the card start a chase or refuse naming the phone', async () => {
  // The app installed on the portal: its token serves the sync, and the portal's requests find the tenant.
  const link = await app.request('GET', '/v1/connectors/hubspot/install');
  assert.equal(link.status, 200, link.text);
  assert.equal((await fetch(hub.consent(link.body.url as string))).status, 200);

  const records = hub.setContacts(TABLE.map(([raw], i) => ({ id: String(8100 + i), properties: { firstname: `Record ${i}`, phone: raw } })));
  await syncConnector(app, 'hubspot');
  await throughPath('hubspot sync', async (_raw, i) => {
    const res = await app.request('GET', `/v1/contacts?crmSystem=hubspot&externalId=${records[i]!.id}`);
    const [contact] = res.body.items as { phone: string; phoneValid: boolean; phoneInvalidReason: string | null; dialable: boolean }[];
    assert.ok(contact, `record ${i} was stored`);
    if (contact.phoneValid) return contact.phone;
    assert.equal(contact.dialable, false);
    return contact.phoneInvalidReason!;
  });

  const campaignId = await waitingCampaign('Workflow');
  await throughPath('hubspot workflow action', async (raw, i) => {
    const run = await hub.runWorkflowAction({
      actionUrl: `${app.url}/plugins/hubspot/workflow/start-chase`,
      objectId: 8200 + i,
      properties: { phone: raw, firstname: 'Ada' },
      inputFields: { campaignId },
    });
    if (run.status >= 300) return refusal({ status: run.status, body: run.json }, 'contact.phone', raw);
    const { rows } = await app.db.pool.query<{ chase_id: string }>(`select chase_id from chase_callbacks where callback_id = $1`, [run.callbackId]);
    return contactPhone(await chaseContact(rows[0]!.chase_id));
  });

  const cardCampaign = await waitingCampaign('Card');
  await throughPath('hubspot card', async (raw, i) => {
    const started = await hub.cardFetch(`${app.url}/plugins/hubspot/card/chases`, {
      method: 'POST',
      body: { objectId: String(8300 + i), campaignId: cardCampaign, phone: raw },
    });
    if (started.status >= 300) return refusal({ status: started.status, body: started.json }, 'phone', raw);
    return contactPhone(await chaseContact(started.json.chase.id));
  });
});

test('Shopify: an abandoned checkout is chased on the number, and a bad one starts nothing', async () => {
  const put = await app.request('PUT', '/v1/connectors/shopify', {
    body: { credentials: { shop: SHOP, accessToken: 'shpat_phones0123456789', apiSecret: SECRET } },
  });
  assert.equal(put.status, 200, put.text);
  await waitingCampaign('Carts', { trigger: { type: 'abandoned-checkout', delayMinutes: 600 } });
  const sample = loadSamples()['checkouts/create'] as Record<string, unknown>;
  const deliver = async (token: string, phone: string, address: Record<string, unknown> | null = null) => {
    // No address and no customer: the number is all the store says, as in the other paths.
    const payload = {
      ...sample,
      token,
      phone,
      sms_marketing_phone: null,
      customer: null,
      billing_address: address,
      shipping_address: null,
      updated_at: new Date().toISOString(),
    };
    const body = JSON.stringify(payload);
    const id = randomUUID();
    const res = await fetch(`${app.url}/webhooks/shopify`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'checkouts/create',
        'x-shopify-shop-domain': SHOP,
        'x-shopify-webhook-id': id,
        'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(body).digest('base64'),
      },
      body,
    });
    assert.equal(res.status, 200, await res.text());
    await eventually(
      async () => (await app.db.pool.query(`select 1 from commerce_events where delivery_id = $1 and processed_at is not null`, [id])).rowCount,
      'the checkout to be handled',
    );
    const { rows } = await app.db.pool.query<{ contact_id: string }>(`select contact_id from chases where source_key = $1`, [token]);
    return rows[0] ? contactPhone(rows[0].contact_id) : null;
  };
  const got: (string | null)[] = [];
  for (const [i, [raw]] of TABLE.entries()) got.push(await deliver(`tok-phone-${i}`, raw));
  assert.deepEqual(
    got,
    expected.map((want) => (isE164(want) ? want : null)),
  );

  // The store's address country reads a national number before the tenant's region does.
  assert.equal(await deliver('tok-phone-us', '(415) 555-2671', { ...(sample.billing_address as object), country_code: 'US', phone: null }), '+14155552671');
  assert.equal(normalizePhone('(415) 555-2671', 'CN').e164, '+864155552671', 'without it, a Chinese fixed line');
});
