/**
 * Uninstalling: Shopify kills the app's token and sends app/uninstalled. The connector is
 * disabled, the shop's pending chases stop before anyone is called, the embedded page no longer
 * answers for the shop, and its customers' data is erased 48 hours on: when shop/redact arrives
 * (still honoured after the uninstall), or by the reap job if it never does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eraseDueShops } from '../../core/commerce/uninstall.ts';
import { eventually } from '../support/data.ts';
import { mobile, waitForChase } from '../chases/support.ts';
import { embedded, install, shopTenant, startShopifyApp, type ShopifyTestApp } from './shopify.support.ts';
import type { ShopifySim } from '../../sim/shopify/index.ts';

let app: ShopifyTestApp;
let store: ShopifySim;
let close: () => Promise<void>;
let tenantId: string;
const HOUR = 3_600_000;

const erasure = async () =>
  (
    await app.db.pool.query<{ uninstalled_at: Date; due_at: Date; erased_at: Date | null }>(
      `select uninstalled_at, due_at, erased_at from account_erasures where tenant_id = $1`,
      [tenantId],
    )
  ).rows[0];
const phones = async () =>
  (await app.db.pool.query<{ n: number }>(`select count(*)::int as n from contacts where tenant_id = $1 and phone_enc is not null`, [tenantId])).rows[0]!.n;

before(async () => {
  ({ app, store, close } = await startShopifyApp('leaving.myshopify.com'));
  assert.equal((await install(app, store)).done.status, 302);
  tenantId = (await shopTenant(app, store.shop))!.tenantId;
});
after(() => close());

describe('uninstalling the Shopify app', () => {
  test('disables the connector, cancels the shop’s pending chase, shuts the embedded page and schedules erasure 48 hours on', async () => {
    const token = store.sessionToken();
    assert.equal(
      (await embedded(app, token, 'PUT', '/settings', { enabled: true, delayMinutes: 60, quietHours: { start: '21:00', end: '08:00' } })).status,
      200,
    );
    const phone = mobile(1401);
    const { checkout } = await store.createCheckout({ customer: { phone } });
    const chaseId = await eventually(async () => {
      const { rows } = await app.db.pool.query<{ id: string }>(`select id from chases where tenant_id = $1 and source_key = $2`, [tenantId, checkout.token]);
      return rows[0]?.id;
    }, 'the checkout’s chase');

    const delivery = await store.uninstall();
    assert.equal(delivery.attempts.at(-1)?.status, 200);
    // Shopify's retry of the same delivery (it saw no answer): acknowledged, acted on once.
    assert.equal((await store.redeliver(delivery.webhookId)).attempts.at(-1)?.status, 200);
    const { rows: received } = await app.db.pool.query<{ n: number }>(
      `select count(*)::int as n from commerce_events where tenant_id = $1 and topic = 'app/uninstalled'`,
      [tenantId],
    );
    assert.equal(received[0]!.n, 1);
    const ended = await waitForChase(app.worker, tenantId, chaseId);
    assert.equal(ended.status, 'canceled');
    assert.equal(ended.timeline.at(-1)?.detail?.reason, 'the app was uninstalled from the store');
    assert.equal(app.sim.calls().filter((c) => c.to === phone).length, 0, 'nobody was called');
    assert.equal((await shopTenant(app, store.shop))?.enabled, false);
    const scheduled = await erasure();
    assert.ok(scheduled && !scheduled.erased_at);
    assert.equal(scheduled.due_at.getTime() - scheduled.uninstalled_at.getTime(), 48 * HOUR);
    // The page answers for the shop no more, even with a token Shopify signed.
    assert.equal((await embedded(app, store.sessionToken(), 'GET', '/settings')).status, 401);
    // A checkout webhook from the uninstalled shop is not taken.
    const late = await store.createCheckout({ customer: { phone: mobile(1402) } });
    assert.equal(late.delivery.attempts.at(-1)?.status, 401);
  });

  test('without shop/redact, the reap job erases the shop’s customers once the 48 hours are up, not before', async () => {
    assert.ok((await phones()) > 0);
    assert.equal(await eraseDueShops({ ...app.deps, clock: { now: () => new Date(Date.now() + 47 * HOUR) } }), 0);
    assert.ok((await phones()) > 0, 'kept until due');
    assert.equal(await eraseDueShops({ ...app.deps, clock: { now: () => new Date(Date.now() + 48 * HOUR + 60_000) } }), 1);
    assert.equal(await phones(), 0);
    assert.ok((await erasure())?.erased_at);
  });

  test('shop/redact still arrives after the uninstall and is honoured, and a re-install calls off a pending erasure', async () => {
    const pending = async () => {
      const e = await erasure();
      return e !== undefined && e.erased_at === null;
    };
    const uninstalled = async () => {
      assert.equal((await store.uninstall()).attempts.at(-1)?.status, 200);
      await eventually(async () => (await pending()) && !(await shopTenant(app, store.shop))?.enabled, 'the uninstall to be processed');
    };
    // Installed again and uninstalled: an erasure is pending; installed again before it is due: called off.
    assert.equal((await install(app, store)).done.status, 302);
    assert.equal((await shopTenant(app, store.shop))?.tenantId, tenantId, 'the same tenant');
    await uninstalled();
    assert.equal((await install(app, store)).done.status, 302);
    assert.equal(await pending(), false, 're-installing called the erasure off');
    assert.equal((await shopTenant(app, store.shop))?.enabled, true);
    await store.createCheckout({ customer: { phone: mobile(1403) } });
    await eventually(async () => (await phones()) > 0, 'the new customer');
    await uninstalled();
    // 48 hours later Shopify sends shop/redact, signed with the app secret, to a disabled connector.
    const redact = await store.redactShop();
    assert.equal(redact.attempts.at(-1)?.status, 200);
    await eventually(async () => (await phones()) === 0 && (await erasure())?.erased_at, 'the shop’s customers to be erased');
  });
});
