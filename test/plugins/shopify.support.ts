/**
 * The Shopify app's tests: Chaseline's real server with the app mounted, and the Shopify
 * simulator standing for the store (OAuth, Admin API, webhooks, session tokens, Flow), reached by
 * the official @shopify/shopify-api through SHOPIFY_API_BASE_URL. A merchant's browser is played
 * by fetch: it follows the redirects by hand and carries the state cookie back.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startShopifySim, type ShopifySim } from '../../sim/shopify/index.ts';
import { testEngineApp, type TestApp } from '../support/app.ts';
import type { TwilioSim } from '../../sim/twilio/index.ts';
import type { WorkerDeps } from '../../core/deps.ts';

/** A merchant's browser (the library refuses bots, and node's fetch says it is one). */
export const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

export type ShopifyTestApp = TestApp & { sim: TwilioSim; worker: WorkerDeps };

/** The app's credentials, made for this run (no secret lives in the source). */
export function appCredentials() {
  return { apiKey: randomBytes(16).toString('hex'), apiSecret: `shpss_${randomBytes(16).toString('hex')}` };
}

export async function startShopifyApp(shop = 'demo.myshopify.com'): Promise<{ app: ShopifyTestApp; store: ShopifySim; close(): Promise<void> }> {
  const creds = appCredentials();
  const store = await startShopifySim({ shop, ...creds });
  const app = await testEngineApp({ sim: { clockSpeed: 50, callsPerSecond: 100 }, shopify: { ...creds, apiBaseUrl: store.url } });
  store.subscribe(`${app.url}/webhooks/shopify`);
  return {
    app,
    store,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

const cookiesOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');

/**
 * A merchant installs the app from their admin: Chaseline sends them to Shopify's consent screen,
 * Shopify sends them back with a code, Chaseline trades it for the token and sends them into the
 * embedded app. Returns each step's answer.
 */
export async function install(app: TestApp, store: ShopifySim) {
  const begin = await fetch(`${app.url}/plugins/shopify/auth?shop=${store.shop}`, { redirect: 'manual', headers: { 'user-agent': BROWSER } });
  assert.equal(begin.status, 302, await begin.clone().text());
  const authorize = new URL(begin.headers.get('location')!);
  assert.equal(authorize.origin, `https://${store.shop}`, 'off to the shop’s own admin');
  const cookie = cookiesOf(begin);
  // The browser at Shopify (the simulator stands for https://{shop}).
  const consent = await fetch(`${store.url}${authorize.pathname}${authorize.search}`, { redirect: 'manual' });
  assert.equal(consent.status, 302, await consent.clone().text());
  const callback = consent.headers.get('location')!;
  const done = await fetch(callback, { redirect: 'manual', headers: { cookie, 'user-agent': BROWSER } });
  return { begin, authorize, callback, done, cookie };
}

/** A call of the embedded page with a session token (App Bridge's `shopify.idToken()`). */
export async function embedded(app: TestApp, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${app.url}/plugins/shopify/api${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text,
  };
}

/** The shop's tenant, as installs record it. */
export async function shopTenant(app: TestApp, shop: string): Promise<{ tenantId: string; enabled: boolean } | null> {
  const { rows } = await app.db.pool.query<{ tenant_id: string; enabled: boolean }>(
    `select tenant_id, enabled from connectors where type = 'shopify' and account = $1`,
    [shop],
  );
  return rows[0] ? { tenantId: rows[0].tenant_id, enabled: rows[0].enabled } : null;
}
