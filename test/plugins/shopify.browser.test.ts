/**
 * The embedded admin page in Chromium, as the Shopify admin shows it: App Bridge's script is
 * Shopify's (here a stand-in served for its CDN address, whose idToken() returns a session token
 * the simulated store signs). The merchant turns cart chasing on with no delay and no quiet hours and saves; it is
 * still on after a reload; an abandoned checkout is called, ordered, and the page shows the chase
 * and the recovered revenue. No console error, no serious axe violation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createLine } from '../../core/lines/lines.ts';
import { setTenantChaseRules } from '../../core/campaigns/campaigns.ts';
import { ALL_DAY, eventually } from '../support/data.ts';
import { ensureBuilt, shopifyPage } from '../../api/runtime/web-build.ts';
import { launchChromium, seriousViolations, watchedPage, type WatchedPage } from '../support/browser.ts';
import { mobile, waitForChase } from '../chases/support.ts';
import { embedded, install, shopTenant, startShopifyApp, type ShopifyTestApp } from './shopify.support.ts';
import type { ShopifySim } from '../../sim/shopify/index.ts';

let app: ShopifyTestApp;
let store: ShopifySim;
let close: () => Promise<void>;
let browser: Browser;
let tenantId: string;
let w: WatchedPage;

// What App Bridge gives a page, as far as this one uses it: session tokens and toasts.
const APP_BRIDGE_STAND_IN = `window.__toasts = [];
window.shopify = { idToken: () => window.__idToken(), toast: { show: (m) => window.__toasts.push(m) } };`;

before(async () => {
  // The build Chaseline serves by default, made as `npm start` makes it (kept while fresh).
  await ensureBuilt(shopifyPage).done;
  [{ app, store, close }, browser] = await Promise.all([startShopifyApp('browser-shop.myshopify.com'), launchChromium()]);
  assert.equal((await install(app, store)).done.status, 302);
  tenantId = (await shopTenant(app, store.shop))!.tenantId;
  await createLine(app.deps, tenantId, { name: 'main', fromNumber: '+14155550100' });
  await setTenantChaseRules(app.deps, tenantId, { window: ALL_DAY });
  w = await watchedPage(browser);
  await w.context.route('https://cdn.shopify.com/shopifycloud/app-bridge.js', (route) =>
    route.fulfill({ contentType: 'text/javascript', body: APP_BRIDGE_STAND_IN }),
  );
  await w.context.exposeFunction('__idToken', () => store.sessionToken());
});
after(async () => {
  await browser?.close();
  await close?.();
});

const open = async () => {
  const res = await w.page.goto(`${app.url}/plugins/shopify/app?shop=${store.shop}&host=${store.host}&embedded=1`);
  assert.equal(res?.status(), 200);
  await w.page.getByText('Abandoned-cart chasing').waitFor();
};

describe('the embedded admin page', () => {
  test('carries the app’s key and App Bridge first, and may be framed by the shop’s admin only', async () => {
    const res = await fetch(`${app.url}/plugins/shopify/app?shop=${store.shop}`);
    const html = await res.text();
    assert.match(
      html,
      new RegExp(
        `<head>\\s*<meta name="shopify-api-key" content="${store.apiKey}" />\\s*<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>`,
      ),
    );
    assert.match(res.headers.get('content-security-policy') ?? '', new RegExp(`frame-ancestors https://${store.shop} https://admin.shopify.com`));
    assert.equal(res.headers.get('x-frame-options'), null);
  });

  test('chasing turned on with no delay is saved and still on after a reload', { timeout: 60_000 }, async () => {
    await open();
    const toggle = w.page.getByLabel('Call buyers who leave a checkout without ordering');
    assert.equal(await toggle.isChecked(), false);
    await toggle.check();
    await w.page.getByLabel('Wait before the call (minutes)').fill('0');
    // On by default (21:00–08:00 in the buyer's time); off here, as the test runs at any hour.
    const quiet = w.page.getByLabel("Quiet hours (no calls in the buyer's local time)");
    assert.equal(await quiet.isChecked(), true);
    await quiet.uncheck();
    await w.page.getByRole('button', { name: 'Save' }).click();
    await eventually(() => w.page.evaluate(() => (window as unknown as { __toasts: string[] }).__toasts.includes('Settings saved')), 'the saved toast');
    await w.page.reload();
    await w.page.getByText('Abandoned-cart chasing').waitFor();
    await eventually(() => w.page.getByLabel('Call buyers who leave a checkout without ordering').isChecked(), 'the toggle to show on');
    assert.equal(await w.page.getByLabel('Wait before the call (minutes)').inputValue(), '0');
    const saved = await embedded(app, store.sessionToken(), 'GET', '/settings');
    assert.equal(saved.body.enabled, true);
    assert.equal(saved.body.delayMinutes, 0);
    assert.equal(saved.body.quietHours, null);
    assert.equal(await w.page.getByLabel("Quiet hours (no calls in the buyer's local time)").isChecked(), false);
  });

  test('an abandoned checkout’s chase and the revenue it recovered show on the page', { timeout: 60_000 }, async () => {
    const phone = mobile(1501);
    app.sim.setPersona(phone, { script: ['yes please send me the link'] });
    const { checkout } = await store.createCheckout({ customer: { phone } });
    const chaseId = await eventually(async () => {
      const { rows } = await app.db.pool.query<{ id: string }>(`select id from chases where tenant_id = $1 and source_key = $2`, [tenantId, checkout.token]);
      return rows[0]?.id;
    }, 'the checkout’s chase');
    await waitForChase(app.worker, tenantId, chaseId);
    await store.completeCheckout(checkout.token);
    await waitForChase(app.worker, tenantId, chaseId, (c) => c.timeline.some((e) => e.type === 'recovered'));
    await open();
    await eventually(async () => (await w.page.getByTestId('recovered').textContent()) === '$49.00', 'the recovered revenue');
    const row = w.page.getByRole('row').filter({ hasText: 'interested' });
    assert.match((await row.textContent()) ?? '', /\$49\.00/);
    assert.deepEqual(await seriousViolations(w.page), [], 'axe: serious or critical violations');
    assert.deepEqual(w.errors, []);
  });
});
