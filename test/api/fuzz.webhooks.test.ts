// Every /webhooks/* route (twilio/*, shopify, hubspot, salesforce) with missing and forged
// signatures and garbage bodies: never a 5xx, never a stack, SQL or path in the answer, and no
// side effect at all — no opt-out, no contact, no chase, no job, nothing marked as seen. Then
// the same garbage behind a valid Salesforce key (its only credential): still never a 5xx.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { cnMobile } from '../support/api.ts';
import { campaignBody } from '../support/data.ts';
import { SEED, deepJson, inParallel, leakIn, rng } from '../support/fuzz.ts';
import { NOWHERE } from '../support/fuzz.inputs.ts';

const SHOP = 'fuzz.myshopify.com';
const PORTAL = '4242';
const ORG = '00D5g000004FUZZEAZ';
const SF_KEY = 'fuzz0123456789abcdef';
const TWILIO = ['voice', 'gather', 'dial', 'voicemail', 'whisper', 'amd', 'status', 'sms', 'sms-status'];

let app: TestApp;
let attemptish: string;
let campaignId: string;

before(async () => {
  app = await testEngineApp({ worker: false });
  for (const [type, credentials] of [
    ['shopify', { shop: SHOP, accessToken: 'shpat_fuzz0123456789', apiSecret: 'shpss_fuzz0123456789', apiBaseUrl: NOWHERE }],
    ['hubspot', { accessToken: 'pat-fuzz-0123456789', clientSecret: 'fuzz-client-secret', portalId: PORTAL, apiBaseUrl: NOWHERE }],
    [
      'salesforce',
      {
        auth: { accessToken: '00D5g000004FUZZ!AQ0123456789', instanceUrl: 'https://fuzz.my.salesforce.com' },
        orgId: ORG,
        inboundSecret: SF_KEY,
        apiBaseUrl: NOWHERE,
      },
    ],
  ] as const) {
    const put = await app.request('PUT', `/v1/connectors/${type}`, { body: { credentials } });
    assert.equal(put.status, 200, `${type}: ${put.text}`);
  }
  const contact = await app.request('POST', '/v1/contacts', { body: { name: 'Target', phone: cnMobile(1) } });
  const campaign = await app.request('POST', '/v1/campaigns', { body: campaignBody() });
  const chase = await app.request('POST', '/v1/chases', { body: { campaignId: campaign.body.id, contact: { id: contact.body.id } } });
  assert.equal(chase.status, 201, chase.text);
  attemptish = chase.body.id;
  campaignId = campaign.body.id;
});
after(() => app?.close());

/** Row counts of everything a webhook could change. */
async function footprint(): Promise<Record<string, number>> {
  const tables = [
    'contacts',
    'consent_events',
    'chases',
    'chase_events',
    'attempts',
    'commerce_events',
    'inbound_deliveries',
    'contact_crm_refs',
    'pgboss.job',
  ];
  const counts = await Promise.all(tables.map(async (t) => Number((await app.db.pool.query<{ n: string }>(`select count(*) as n from ${t}`)).rows[0]!.n)));
  return Object.fromEntries(tables.map((t, i) => [t, counts[i]!]));
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const xml = (inner: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`;
const r = rng(SEED + 31);

/** Garbage for any route: each a body with the content type it claims (or lies about). */
const garbage: { label: string; body: string | Blob; type: string; headers?: Record<string, string> }[] = [
  { label: 'empty', body: '', type: 'application/json' },
  { label: 'random bytes', body: new Blob([new Uint8Array(randomBytes(2048))]), type: 'application/octet-stream' },
  { label: 'NUL bytes', body: '\u0000'.repeat(512), type: 'application/json' },
  {
    label: 'JSON with NUL and surrogates',
    body: JSON.stringify([
      {
        portalId: `${PORTAL}\u0000`,
        eventId: 1,
        subscriptionType: 'contact.propertyChange\ud800',
        objectId: 1,
        propertyName: 'x\u0000',
        propertyValue: 'true',
      },
    ]),
    type: 'application/json',
  },
  { label: 'JSON nested 5000 deep', body: deepJson(5000, '[', ']'), type: 'application/json' },
  { label: 'an object for an array', body: JSON.stringify({ portalId: Number(PORTAL), organizationId: ORG, records: 'x' }), type: 'application/json' },
  {
    label: 'a STOP text with NUL',
    body: form({ MessageSid: `SM${'a'.repeat(32)}`, AccountSid: `AC${'a'.repeat(32)}`, From: '+8613910000001', To: '+14155550100', Body: 'STOP\u0000' }),
    type: 'application/x-www-form-urlencoded',
  },
  {
    label: 'a call status with NUL',
    body: form({ CallSid: `CA${'b'.repeat(32)}\u0000`, CallStatus: 'completed\u0000', SpeechResult: 'stop\ud800' }),
    type: 'application/x-www-form-urlencoded',
  },
  {
    label: 'a form of 1,000 fields',
    body: form(Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`f${i}`, 'v']))),
    type: 'application/x-www-form-urlencoded',
  },
  {
    label: 'an entity expansion bomb',
    body: `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "${'x'.repeat(100)}"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>${xml(`<notifications><OrganizationId>${ORG}</OrganizationId><Notification><Id>&c;</Id></Notification></notifications>`)}`,
    type: 'text/xml',
  },
  {
    label: 'SOAP with NUL character references',
    body: xml(
      `<notifications><OrganizationId>${ORG}&#0;</OrganizationId><Notification><Id>04l&#0;</Id><sObject><Id>003000000000001&#xD800;</Id><FirstName>A&#0;</FirstName></sObject></Notification></notifications>`,
    ),
    type: 'text/xml',
  },
  { label: 'SOAP with no notifications', body: xml('<nothing/>'), type: 'text/xml' },
  {
    label: 'a Flow callout with NUL',
    body: JSON.stringify({
      organizationId: ORG,
      requestId: 'r\u0000',
      records: [{ Id: '003000000000001AAA', FirstName: 'A\u0000', Phone: '+8613910000002\u0000' }],
    }),
    type: 'application/json',
  },
  { label: 'gzip that is not gzip', body: '{"a":1}', type: 'application/json', headers: { 'content-encoding': 'gzip' } },
  { label: 'an unknown charset', body: 'a=b', type: 'application/x-www-form-urlencoded; charset=x-fuzz' },
];
/** Over every route's body limit (64 KB for Twilio's forms, 5 MB for the rest): sent once per route. */
const oversized: (typeof garbage)[number] = { label: 'a 6 MB body', body: 'x'.repeat(6 * 1024 * 1024), type: 'application/json' };

/** What each vendor sends to prove itself, forged: absent, malformed, or well-formed but wrong. */
const forgeries: { label: string; headers: () => Record<string, string> }[] = [
  { label: 'no signature', headers: () => ({}) },
  {
    label: 'forged signatures',
    headers: () => ({
      'x-twilio-signature': randomBytes(20).toString('base64'),
      'x-shopify-hmac-sha256': randomBytes(32).toString('base64'),
      'x-shopify-shop-domain': SHOP,
      'x-shopify-topic': r.pick(['checkouts/create', 'orders/create', 'customers/redact', 'nope']),
      'x-shopify-webhook-id': randomUUID(),
      'x-hubspot-signature-v3': randomBytes(32).toString('base64'),
      'x-hubspot-request-timestamp': String(Date.now()),
    }),
  },
  {
    label: 'stale and malformed headers',
    headers: () => ({
      'x-twilio-signature': '!!!',
      'x-hubspot-signature-v3': 'x',
      'x-hubspot-request-timestamp': '1',
      'x-shopify-shop-domain': 'x'.repeat(3000),
      'x-shopify-hmac-sha256': '',
    }),
  },
];

interface Sent {
  label: string;
  status: number;
  text: string;
}

async function post(label: string, path: string, body: string | Blob, headers: Record<string, string>): Promise<Sent> {
  try {
    const res = await fetch(app.url + path, { method: 'POST', body, headers, signal: AbortSignal.timeout(20_000) });
    return { label, status: res.status, text: await res.text() };
  } catch (err) {
    // A body refused while it was still being sent can end in a reset connection: no answer to judge.
    return { label, status: (err as Error).name === 'TimeoutError' ? 599 : 0, text: String(err) };
  }
}

function problems(sent: Sent[]): string[] {
  return sent.flatMap((s) => {
    const leak = leakIn(s.text);
    return [...(s.status >= 500 ? [`${s.label} → ${s.status}: ${s.text.slice(0, 200)}`] : []), ...(leak ? [`${s.label} → ${s.status} leaks ${leak}`] : [])];
  });
}

const routes = () => [
  ...TWILIO.map((name) => `/webhooks/twilio/${name}${r.next() < 0.5 ? `?attempt=${attemptish}` : ''}`),
  '/webhooks/shopify',
  '/webhooks/hubspot',
  `/webhooks/salesforce?campaign=${randomUUID()}&key=${r.pick(['', 'wrong-key', SF_KEY.slice(0, -1)])}`,
];

test('forged or unsigned webhooks with garbage bodies: no 5xx, no leak, no side effect', { timeout: 120_000 }, async (t) => {
  const before = await footprint();
  const tasks = routes().flatMap((path) => [
    ...forgeries.flatMap((f) =>
      garbage.map((g) => () => post(`${path} ${f.label}, ${g.label}`, path, g.body, { 'content-type': g.type, ...f.headers(), ...g.headers })),
    ),
    () => post(`${path} ${oversized.label}`, path, oversized.body, { 'content-type': oversized.type }),
  ]);
  const sent = await inParallel(tasks, 4);
  t.diagnostic(`${sent.length} requests, FUZZ_SEED=${SEED}`);
  assert.deepEqual(problems(sent), [], `FUZZ_SEED=${SEED} reproduces these`);
  assert.ok(
    sent.every((s) => s.status === 0 || (s.status >= 400 && s.status < 500)),
    'nothing forged was accepted',
  );
  assert.deepEqual(await footprint(), before, 'nothing changed');
  assert.deepEqual((await app.request('GET', '/v1/opt-outs')).body.items, [], 'no opt-out recorded');
});

test('garbage behind the right Salesforce key (its only credential): no 5xx, no leak', { timeout: 60_000 }, async () => {
  const path = (campaign: string) => `/webhooks/salesforce?campaign=${campaign}&key=${SF_KEY}`;
  const tasks = [campaignId, randomUUID(), 'not-a-uuid', '%00'].flatMap((campaign) =>
    [...garbage, oversized].map(
      (g) => () => post(`salesforce campaign=${campaign}, ${g.label}`, path(campaign), g.body, { 'content-type': g.type, ...g.headers }),
    ),
  );
  assert.deepEqual(problems(await inParallel(tasks, 4)), [], `FUZZ_SEED=${SEED} reproduces these`);
});
