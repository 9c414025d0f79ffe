// PUT /v1/connectors/{type} tries the credentials against the vendor — each simulator over real
// HTTP through the connector's official SDK — and says whether the vendor accepted them; they
// are saved either way.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, test } from 'node:test';
import { testApp, type TestApp } from '../support/app.ts';
import { trpcMutation } from '../support/api.ts';
import { startTwilioSim, type TwilioSim } from '../../sim/twilio/index.ts';
import { startHubspotSim, type HubspotSim } from '../../sim/hubspot/index.ts';
import { startShopifySim, type ShopifySim } from '../../sim/shopify/index.ts';
import { startSalesforceSim, type SalesforceSim } from '../../sim/salesforce/index.ts';
import { startGoogleTtsSim, type GoogleTtsSim } from '../../sim/google-tts/index.ts';

let app: TestApp;
let twilio: TwilioSim;
let hubspot: HubspotSim;
let shopify: ShopifySim;
let salesforce: SalesforceSim;
let tts: GoogleTtsSim;

before(async () => {
  app = await testApp();
  [twilio, hubspot, shopify, salesforce, tts] = await Promise.all([
    startTwilioSim(),
    startHubspotSim(),
    startShopifySim(),
    startSalesforceSim(),
    startGoogleTtsSim(),
  ]);
});
after(async () => {
  await Promise.all([twilio, hubspot, shopify, salesforce, tts].map((s) => s?.close()));
  await app?.close();
});

async function put(type: string, credentials: Record<string, unknown>) {
  const res = await app.request('PUT', `/v1/connectors/${type}`, { body: { credentials } });
  assert.equal(res.status, 200, res.text);
  return res.body as { type: string; check: { ok: boolean; reason?: string } | null };
}

const saved = async (type: string) => ((await app.request('GET', '/v1/connectors')).body.items as { type: string }[]).some((c) => c.type === type);

const cases = () => ({
  twilio: {
    good: { accountSid: twilio.accountSid, authToken: twilio.authToken, apiBaseUrl: twilio.url },
    bad: { accountSid: twilio.accountSid, authToken: 'f'.repeat(32), apiBaseUrl: twilio.url },
    refused: /^Twilio refused the credentials \(HTTP 401, error 20003: Authenticate\)$/,
  },
  hubspot: {
    good: { accessToken: hubspot.accessToken, apiBaseUrl: hubspot.url },
    bad: { accessToken: 'pat-na1-00000000-0000-0000-0000-000000000000', apiBaseUrl: hubspot.url },
    refused: /^HubSpot refused the credentials \(HTTP 401, INVALID_AUTHENTICATION/,
  },
  shopify: {
    good: { shop: shopify.shop, accessToken: shopify.accessToken, apiSecret: shopify.apiSecret, apiBaseUrl: shopify.url },
    bad: { shop: shopify.shop, accessToken: 'shpat_00000000000000000000000000000000', apiSecret: shopify.apiSecret, apiBaseUrl: shopify.url },
    refused: /^Shopify refused the access token \(HTTP 401\)$/,
  },
  salesforce: {
    good: { auth: { accessToken: salesforce.accessToken, instanceUrl: salesforce.url }, orgId: salesforce.orgId },
    bad: { auth: { accessToken: '00D000000000001!AQ0wrongtoken', instanceUrl: salesforce.url }, orgId: salesforce.orgId },
    refused: /^Salesforce refused the session or its permissions \(INVALID_SESSION_ID\)$/,
  },
  'google-tts': {
    good: { accessToken: tts.accessToken, apiBaseUrl: tts.url },
    bad: { accessToken: 'ya29.not-a-token', apiBaseUrl: tts.url },
    refused: /^Google refused the credentials \(HTTP 401\)$/,
  },
});

test(
  "each connector: credentials the vendor accepts → check ok; refused ones → check not ok with the vendor's reason, saved all the same",
  { timeout: 60_000 },
  async () => {
    for (const [type, c] of Object.entries(cases())) {
      const good = await put(type, c.good);
      assert.deepEqual(good.check, { ok: true }, `${type}: ${JSON.stringify(good.check)}`);
      const bad = await put(type, c.bad);
      assert.equal(bad.check?.ok, false, type);
      assert.match(bad.check?.reason ?? '', c.refused, type);
      assert.ok(await saved(type), `${type} is saved though refused`);
      assert.ok(
        !JSON.stringify(bad.check).includes(
          String((c.bad as { accessToken?: string; authToken?: string }).accessToken ?? (c.bad as { authToken?: string }).authToken),
        ),
        'the reason never repeats the secret',
      );
    }
  },
);

test('a vendor that does not answer: not ok, saying so, and the credentials are saved', { timeout: 30_000 }, async () => {
  const res = await put('hubspot', { accessToken: hubspot.accessToken, apiBaseUrl: 'http://127.0.0.1:9' });
  assert.deepEqual(res.check, { ok: false, reason: 'no answer from HubSpot' });
  assert.ok(await saved('hubspot'));
});

test('Salesforce JWT bearer: a key the connected app does not hold is refused with the reason an admin can act on', { timeout: 30_000 }, async () => {
  const clientId = '3MVG9chaseline.check.consumer.key';
  const username = 'chaseline@acme.example';
  const app1 = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  salesforce.registerConnectedApp({ clientId, certificate: app1.publicKey.export({ type: 'spki', format: 'pem' }).toString(), usernames: [username] });
  const pem = (k: typeof app1.privateKey) => k.export({ type: 'pkcs8', format: 'pem' }).toString();
  const jwt = (privateKey: string) => ({ auth: { clientId, username, privateKey, loginUrl: salesforce.url }, orgId: salesforce.orgId });
  assert.deepEqual((await put('salesforce', jwt(pem(app1.privateKey)))).check, { ok: true });
  const refused = await put('salesforce', jwt(pem(other.privateKey)));
  assert.equal(refused.check?.ok, false);
  assert.match(refused.check?.reason ?? '', /private key does not match the connected app's certificate/);
});

test('over tRPC the answer carries the same check', { timeout: 30_000 }, async () => {
  const res = await trpcMutation(app, 'connectors.put', { type: 'twilio', credentials: cases().twilio.bad });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.result.data.check.ok, false);
  assert.match(res.body.result.data.check.reason, /HTTP 401/);
});
