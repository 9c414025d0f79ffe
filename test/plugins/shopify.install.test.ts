/**
 * A shop installs Chaseline from its admin and never types a token: the official library's OAuth
 * against the simulated store makes the shop a tenant with a working Shopify connector. The
 * merchant turns cart chasing on in the embedded page; an abandoned checkout is called through the
 * carrier simulator; the order that follows is recovered revenue, and the embedded page shows both.
 * A re-install finds the same tenant.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectorCredentials, listConnectors } from '../../core/integrations/connectors.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { createLine } from '../../core/lines/lines.ts';
import { setTenantChaseRules } from '../../core/campaigns/campaigns.ts';
import { ALL_DAY, eventually } from '../support/data.ts';
import { mobile, waitForChase } from '../chases/support.ts';
import { embedded, install, shopTenant, startShopifyApp, type ShopifyTestApp } from './shopify.support.ts';
import type { ShopifySim } from '../../sim/shopify/index.ts';

let app: ShopifyTestApp;
let store: ShopifySim;
let close: () => Promise<void>;

before(async () => ({ app, store, close } = await startShopifyApp()));
after(() => close());

describe('installing the Shopify app', () => {
  let tenantId: string;

  test('the OAuth install makes the shop a tenant whose connector holds the token Shopify issued, and lands in the embedded app', async () => {
    const { authorize, callback, done } = await install(app, store);
    // What Chaseline asked Shopify for: its app, offline access, the scopes, and a redirect back here.
    assert.equal(authorize.searchParams.get('client_id'), store.apiKey);
    assert.equal(authorize.searchParams.get('redirect_uri'), `${app.url}/plugins/shopify/auth/callback`);
    assert.equal(authorize.searchParams.get('scope'), 'write_customers,write_orders');
    assert.ok(new URL(callback).searchParams.get('hmac'));
    assert.equal(done.status, 302, await done.text());
    assert.equal(done.headers.get('location'), `https://admin.shopify.com/store/demo/apps/${store.apiKey}`);

    const found = await shopTenant(app, store.shop);
    assert.ok(found?.enabled, 'the shop’s connector is saved and enabled');
    tenantId = found.tenantId;
    assert.notEqual(tenantId, app.tenantId, 'a tenant of its own');
    assert.equal((await getTenant(app.deps, tenantId)).name, store.shop);
    const [connector] = await listConnectors(app.deps, tenantId);
    assert.deepEqual(connector?.credentialFields, ['accessToken', 'apiBaseUrl', 'apiSecret', 'shop']);
    const credentials = (await connectorCredentials(app.deps, tenantId, 'shopify')) as { accessToken: string };
    assert.match(credentials.accessToken, /^shpat_/);
    assert.notEqual(credentials.accessToken, store.accessToken, 'the token issued for this install, not one typed in');
    assert.equal(store.grantedScope(), 'write_customers,write_orders');
    // The token is nowhere in the logs.
    assert.ok(!app.logs.join('\n').includes(credentials.accessToken));
  });

  test('an abandoned checkout is chased once the merchant turns chasing on, and the page shows the chase and the recovered revenue', async () => {
    const token = store.sessionToken();
    // A store's new tenant has no caller line: the page says no call can go out yet.
    const lineless = await embedded(app, token, 'GET', '/settings');
    assert.deepEqual(
      lineless.body.warnings.map((w: { code: string }) => w.code),
      ['no-line'],
    );
    // The new tenant's caller id (the operator adds it), and calls allowed at any hour (the test runs at any time of day).
    await createLine(app.deps, tenantId, { name: 'main', fromNumber: '+14155550100' });
    await setTenantChaseRules(app.deps, tenantId, { window: ALL_DAY });
    const before = await embedded(app, token, 'GET', '/settings');
    assert.equal(before.status, 200, JSON.stringify(before.body));
    assert.equal(before.body.enabled, false, 'nothing is chased before the merchant says so');
    assert.deepEqual(before.body.warnings, []);
    const saved = await embedded(app, token, 'PUT', '/settings', { enabled: true, delayMinutes: 0, quietHours: null });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal(saved.body.enabled, true);

    const phone = mobile(1201);
    app.sim.setPersona(phone, { script: ['yes please send me the link'] });
    const { checkout } = await store.createCheckout({ customer: { firstName: 'Mei', phone } });
    const chaseId = await eventually(
      async () => {
        const { rows } = await app.db.pool.query<{ id: string }>(`select id from chases where tenant_id = $1 and source_key = $2`, [tenantId, checkout.token]);
        return rows[0]?.id;
      },
      'the checkout’s chase',
      10_000,
    );
    const called = await waitForChase(app.worker, tenantId, chaseId);
    assert.equal(called.outcome, 'interested');
    assert.ok(
      app.sim.calls().some((c) => c.to === phone),
      'the carrier simulator placed the call',
    );

    await store.completeCheckout(checkout.token);
    await waitForChase(app.worker, tenantId, chaseId, (c) => c.timeline.some((e) => e.type === 'recovered'));
    const overview = await eventually(async () => {
      const res = await embedded(app, store.sessionToken(), 'GET', '/overview');
      return res.body.chases?.[0]?.recovered && res.body.last30Days.revenue.length ? res.body : false;
    }, 'the page to show the recovered order');
    const shown = overview.chases.find((c: { id: string }) => c.id === chaseId);
    assert.equal(shown.outcome, 'interested');
    assert.deepEqual(shown.recovered, { currency: 'USD', amount: 49 });
    assert.deepEqual(overview.last30Days.revenue, [{ currency: 'USD', amount: 49 }]);
    assert.ok(overview.last30Days.chases >= 1);
  });

  test('installing again finds the same tenant and keeps its settings', async () => {
    const { done } = await install(app, store);
    assert.equal(done.status, 302);
    assert.equal((await shopTenant(app, store.shop))?.tenantId, tenantId);
    const { rows } = await app.db.pool.query<{ n: number }>(`select count(*)::int as n from tenants where name = $1`, [store.shop]);
    assert.equal(rows[0]!.n, 1);
    assert.equal((await embedded(app, store.sessionToken(), 'GET', '/settings')).body.enabled, true);
  });
});
