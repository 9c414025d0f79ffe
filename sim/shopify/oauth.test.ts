// The simulated store's app side against Shopify's documented contracts: the authorize redirect
// is signed as the official library checks it, a code is good once and only for the app's own
// credentials, session tokens decode with the library (and a forged or expired one does not),
// and an uninstall kills the app's tokens and sends app/uninstalled signed with the app secret.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import '@shopify/shopify-api/adapters/node';
import { ApiVersion, shopifyApi } from '@shopify/shopify-api';
import { startShopifySim, shopifyHmac, type ShopifySim } from './index.ts';
import { adminClient, startReceiver } from './testing.ts';

let sim: ShopifySim;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let shopify: ReturnType<typeof shopifyApi>;

before(async () => {
  receiver = await startReceiver();
  sim = await startShopifySim({ webhookUrl: receiver.url });
  shopify = shopifyApi({
    apiKey: sim.apiKey,
    apiSecretKey: sim.apiSecret,
    hostName: 'app.example.com',
    apiVersion: ApiVersion.April26,
    isEmbeddedApp: true,
    logger: { level: 0, log: async () => undefined },
  });
});
after(async () => {
  await sim.close();
  await receiver.close();
});

const authorize = (params: Record<string, string>) => fetch(`${sim.url}/admin/oauth/authorize?${new URLSearchParams(params)}`, { redirect: 'manual' });
const token = (body: Record<string, unknown>) =>
  fetch(`${sim.url}/admin/oauth/access_token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('OAuth', () => {
  test('the redirect back carries code, host, shop, state and timestamp, with an hmac the official library accepts', async () => {
    const res = await authorize({ client_id: sim.apiKey, scope: 'write_orders', redirect_uri: 'https://app.example.com/callback', state: 'st4te' });
    assert.equal(res.status, 302);
    const back = new URL(res.headers.get('location')!);
    assert.equal(back.origin + back.pathname, 'https://app.example.com/callback');
    const query = Object.fromEntries(back.searchParams);
    assert.deepEqual(Object.keys(query).sort(), ['code', 'hmac', 'host', 'shop', 'state', 'timestamp']);
    assert.equal(query.state, 'st4te');
    assert.equal(Buffer.from(query.host!, 'base64').toString(), 'admin.shopify.com/store/demo');
    assert.equal(await shopify.utils.validateHmac(query), true);
    assert.equal(await shopify.utils.validateHmac({ ...query, shop: 'other.myshopify.com' }), false);
  });

  test('an unknown app is refused at authorize; a code is traded once, with the app’s own secret, for a token the Admin API takes', async () => {
    assert.equal((await authorize({ client_id: 'someone-else', redirect_uri: 'https://app.example.com/cb', state: 's' })).status, 400);
    const res = await authorize({ client_id: sim.apiKey, scope: 'write_customers', redirect_uri: 'https://app.example.com/cb', state: 's' });
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    assert.equal((await token({ client_id: sim.apiKey, client_secret: 'wrong', code })).status, 400);
    const first = await token({ client_id: sim.apiKey, client_secret: sim.apiSecret, code });
    assert.equal(first.status, 200);
    const granted = (await first.json()) as { access_token: string; scope: string };
    assert.equal(granted.scope, 'write_customers');
    assert.equal((await token({ client_id: sim.apiKey, client_secret: sim.apiSecret, code })).status, 400, 'a code is good once');
    const shop = await adminClient(sim, granted.access_token).request('query { shop { name } }');
    assert.equal(shop.errors, undefined);
  });
});

describe('session tokens', () => {
  test('decode with the library: for this app and shop; a forged, expired or other app’s token does not', async () => {
    const claims = await shopify.session.decodeSessionToken(sim.sessionToken({ sub: '7' }));
    assert.equal(claims.dest, `https://${sim.shop}`);
    assert.equal(claims.iss, `https://${sim.shop}/admin`);
    assert.equal(claims.aud, sim.apiKey);
    assert.equal(claims.sub, '7');
    assert.ok(claims.exp - claims.iat === 60 && claims.jti && claims.sid);
    for (const bad of [sim.sessionToken({ secret: 'not-the-secret' }), sim.sessionToken({ expiresIn: -60 }), sim.sessionToken({ aud: 'other' })]) {
      await assert.rejects(shopify.session.decodeSessionToken(bad));
    }
  });
});

describe('uninstall', () => {
  test('kills every token the app held and sends app/uninstalled, the shop’s record, signed with the app secret', async () => {
    const delivery = await sim.uninstall();
    const got = receiver.received.find((r) => r.headers['x-shopify-topic'] === 'app/uninstalled');
    assert.ok(got);
    assert.equal(got.headers['x-shopify-hmac-sha256'], shopifyHmac(sim.apiSecret, got.raw));
    assert.equal((delivery.payload as { myshopify_domain: string }).myshopify_domain, sim.shop);
    const res = await adminClient(sim).request('query { shop { name } }');
    assert.equal(res.errors?.networkStatusCode, 401);
  });
});
