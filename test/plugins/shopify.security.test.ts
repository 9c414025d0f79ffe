/**
 * Nothing reaches the Shopify app unless Shopify signed it: a tampered OAuth callback, one
 * without the state cookie, a code used twice, a forged, expired or other app's session token,
 * a forged uninstall webhook — each is a 401 (problem+json) and changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BROWSER, embedded, install, shopTenant, startShopifyApp, type ShopifyTestApp } from './shopify.support.ts';
import type { ShopifySim } from '../../sim/shopify/index.ts';

let app: ShopifyTestApp;
let store: ShopifySim;
let close: () => Promise<void>;

before(async () => ({ app, store, close } = await startShopifyApp('guarded.myshopify.com')));
after(() => close());

const tenants = async () => (await app.db.pool.query<{ n: number }>(`select count(*)::int as n from tenants`)).rows[0]!.n;

/** A callback's query changed by `edit`, sent with the install's state cookie. */
async function tamperedCallback(edit: (u: URL) => void, options: { cookie?: boolean } = {}) {
  const begin = await fetch(`${app.url}/plugins/shopify/auth?shop=${store.shop}`, { redirect: 'manual', headers: { 'user-agent': BROWSER } });
  const authorize = new URL(begin.headers.get('location')!);
  const consent = await fetch(`${store.url}${authorize.pathname}${authorize.search}`, { redirect: 'manual' });
  const callback = new URL(consent.headers.get('location')!);
  edit(callback);
  const cookie = begin.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return fetch(callback, { redirect: 'manual', headers: { 'user-agent': BROWSER, ...(options.cookie === false ? {} : { cookie }) } });
}

describe('the install', () => {
  test('a callback whose parameters were changed after Shopify signed them, or without the state cookie, is a 401 and makes no tenant', async () => {
    const before = await tenants();
    const forgedShop = await tamperedCallback((u) => u.searchParams.set('shop', 'victim.myshopify.com'));
    assert.equal(forgedShop.status, 401);
    assert.match(forgedShop.headers.get('content-type') ?? '', /problem\+json/);
    const forgedHmac = await tamperedCallback((u) => u.searchParams.set('hmac', '0'.repeat(64)));
    assert.equal(forgedHmac.status, 401);
    const noCookie = await tamperedCallback(() => undefined, { cookie: false });
    assert.equal(noCookie.status, 401);
    assert.equal(await tenants(), before);
    assert.equal(await shopTenant(app, store.shop), null);
    assert.equal(await shopTenant(app, 'victim.myshopify.com'), null);
  });

  test('an authorization code is good once: replaying the callback is a 401', async () => {
    const first = await install(app, store);
    assert.equal(first.done.status, 302);
    const replay = await fetch(first.callback, { redirect: 'manual', headers: { cookie: first.cookie, 'user-agent': BROWSER } });
    assert.equal(replay.status, 401, await replay.text());
  });

  test('a shop that is not a shop domain is a 400 naming shop', async () => {
    const res = await fetch(`${app.url}/plugins/shopify/auth?shop=evil.example.com`, { redirect: 'manual', headers: { 'user-agent': BROWSER } });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).field, 'shop');
  });
});

describe('the embedded page’s API', () => {
  test('no token, a forged one, an expired one, another app’s or an unknown shop’s is a 401, and the settings stay as they were', async () => {
    const good = store.sessionToken();
    const before = await embedded(app, good, 'GET', '/settings');
    assert.equal(before.status, 200);
    const change = { enabled: true, delayMinutes: 5, quietHours: null };
    const noToken = await fetch(`${app.url}/plugins/shopify/api/settings`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(change),
    });
    assert.equal(noToken.status, 401);
    for (const [why, token] of [
      ['forged', store.sessionToken({ secret: 'shpss_someone_elses_secret' })],
      ['expired', store.sessionToken({ expiresIn: -120 })],
      ['another app’s', store.sessionToken({ aud: 'another-app-client-id' })],
      ['an unknown shop’s', store.sessionToken({ shop: 'stranger.myshopify.com' })],
      ['not a JWT', 'not-a-token'],
    ] as const) {
      const res = await embedded(app, token, 'PUT', '/settings', change);
      assert.equal(res.status, 401, `${why}: ${JSON.stringify(res.body)}`);
      assert.match(res.type, /problem\+json/);
      assert.ok(!JSON.stringify(res.body).includes(token), 'the answer does not quote the token');
    }
    assert.deepEqual((await embedded(app, good, 'GET', '/settings')).body, before.body);
  });

  test('bad settings are a 400 naming the field, and nothing changes', async () => {
    const token = store.sessionToken();
    const before = await embedded(app, token, 'GET', '/settings');
    const bad = await embedded(app, token, 'PUT', '/settings', { enabled: true, delayMinutes: -1, quietHours: null });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'delayMinutes');
    const badHours = await embedded(app, token, 'PUT', '/settings', { enabled: true, delayMinutes: 10, quietHours: { start: '25:00', end: '08:00' } });
    assert.equal(badHours.status, 400);
    assert.equal(badHours.body.field, 'quietHours.start');
    assert.deepEqual((await embedded(app, token, 'GET', '/settings')).body, before.body);
  });
});

describe('the uninstall webhook', () => {
  test('a forged app/uninstalled is a 401 and the connector stays enabled', async () => {
    assert.ok((await shopTenant(app, store.shop))?.enabled);
    const delivery = await store.uninstall({ secret: 'shpss_not_the_app_secret' });
    assert.equal(delivery.attempts.at(-1)?.status, 401);
    assert.ok((await shopTenant(app, store.shop))?.enabled);
  });
});
