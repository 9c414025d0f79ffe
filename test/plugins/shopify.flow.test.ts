/**
 * The "Start Chaseline chase" Flow action: the store's Flow POSTs the signed run to Chaseline,
 * which starts a chase for the customer (their number read from the store with the installed
 * token when Chaseline has not met them) in the campaign the merchant named, and the carrier
 * simulator calls them. A repeated run starts nothing more; what cannot run is a 4xx naming the
 * property, which Flow shows on the step.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createCampaign } from '../../core/campaigns/campaigns.ts';
import { createLine } from '../../core/lines/lines.ts';
import { setTenantChaseRules } from '../../core/campaigns/campaigns.ts';
import { ALL_DAY } from '../support/data.ts';
import { mobile, waitForChase } from '../chases/support.ts';
import { install, shopTenant, startShopifyApp, type ShopifyTestApp } from './shopify.support.ts';
import type { ShopifySim } from '../../sim/shopify/index.ts';

let app: ShopifyTestApp;
let store: ShopifySim;
let close: () => Promise<void>;
let tenantId: string;
let url: string;

const chases = async () => (await app.db.pool.query<{ n: number }>(`select count(*)::int as n from chases where tenant_id = $1`, [tenantId])).rows[0]!.n;

before(async () => {
  ({ app, store, close } = await startShopifyApp('flow-shop.myshopify.com'));
  assert.equal((await install(app, store)).done.status, 302);
  tenantId = (await shopTenant(app, store.shop))!.tenantId;
  url = `${app.url}/plugins/shopify/flow/start-chase`;
  await createLine(app.deps, tenantId, { name: 'main', fromNumber: '+14155550100' });
  await setTenantChaseRules(app.deps, tenantId, { window: ALL_DAY });
  await createCampaign(app.deps, tenantId, {
    name: 'Win-back',
    channel: { policy: 'voice' },
    scripts: [{ name: 'default', say: 'Hello {{name}}, we miss you at the store.' }],
  });
});
after(() => close());

const run = (properties: Record<string, unknown>, extra: { secret?: string; actionRunId?: string } = {}) =>
  store.runFlowAction({ url, handle: 'start-chase', title: 'Start Chaseline chase', properties, ...extra });

describe('the Flow action', () => {
  test('starts a chase for a customer Chaseline has not met, with the number the store has, and the call is placed', async () => {
    const phone = mobile(1301);
    app.sim.setPersona(phone, { script: ['yes I am interested'] });
    const customer = store.createCustomer({ firstName: 'Ana', phone });
    const res = await run({ customer_id: customer.gid, campaign: 'Win-back' });
    assert.equal(res.status, 200, res.body);
    const { chaseId } = JSON.parse(res.body) as { chaseId: string };
    const done = await waitForChase(app.worker, tenantId, chaseId);
    assert.equal(done.outcome, 'interested');
    assert.ok(
      app.sim.calls().some((c) => c.to === phone),
      'the carrier simulator called the customer',
    );
    // The number came from the store through the Admin API, with the token the install got.
    assert.ok(store.graphqlRequests().some((r) => r.status === 200 && JSON.stringify(r.body).includes('ChaselineCustomer')));
    // Flow runs it again (it got no answer in time): the same chase, no second one.
    const again = await run({ customer_id: customer.gid, campaign: 'Win-back' }, { actionRunId: res.actionRunId });
    assert.equal(again.status, 200, again.body);
    assert.equal((JSON.parse(again.body) as { chaseId: string }).chaseId, chaseId);
  });

  test('an unknown campaign, a customer the store does not have, or one without a number is a 4xx naming the property; nothing starts', async () => {
    const before = await chases();
    const customer = store.createCustomer({ phone: mobile(1302) });
    const unknown = await run({ customer_id: String(customer.id), campaign: 'No such campaign' });
    assert.equal(unknown.status, 404);
    assert.equal(JSON.parse(unknown.body).field, 'properties.campaign');
    const missing = await run({ customer_id: '999999999', campaign: 'Win-back' });
    assert.equal(missing.status, 404, missing.body);
    assert.equal(JSON.parse(missing.body).field, 'properties.customer_id');
    const noPhone = await run({ customer_id: String(store.createCustomer({ phone: null }).id), campaign: 'Win-back' });
    assert.equal(noPhone.status, 400, noPhone.body);
    assert.equal(JSON.parse(noPhone.body).field, 'properties.customer_id');
    const noCampaign = await run({ customer_id: String(customer.id) });
    assert.equal(noCampaign.status, 400);
    assert.equal(JSON.parse(noCampaign.body).field, 'properties.campaign');
    assert.equal(await chases(), before);
  });

  test('a run not signed with the app secret is a 401 and starts nothing', async () => {
    const before = await chases();
    const customer = store.createCustomer({ phone: mobile(1303) });
    const forged = await run({ customer_id: String(customer.id), campaign: 'Win-back' }, { secret: 'shpss_not_the_app_secret' });
    assert.equal(forged.status, 401);
    const unsigned = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ shopify_domain: store.shop, action_run_id: 'x', properties: { customer_id: String(customer.id), campaign: 'Win-back' } }),
    });
    assert.equal(unsigned.status, 401);
    assert.equal(await chases(), before);
  });

  test('signed garbage is a 4xx, never a 5xx, and starts nothing', async () => {
    const before = await chases();
    const deep = '{"a":'.repeat(200) + '1' + '}'.repeat(200);
    const valid = (props: Record<string, unknown>, runId = 'r1') => JSON.stringify({ shopify_domain: store.shop, action_run_id: runId, properties: props });
    for (const body of [
      '',
      'not json',
      '[]',
      'null',
      '{"properties":null}',
      deep,
      valid({ customer_id: '1', campaign: 'Win\u0000back' }),
      valid({ customer_id: '1', campaign: 'Win-back' }, 'run\u0000id'),
      valid({ customer_id: '\ud800', campaign: 'Win-back' }),
      valid({ customer_id: -5, campaign: 'Win-back' }),
      JSON.stringify({ shopify_domain: 'other\u0000.myshopify.com', action_run_id: 'r', properties: { customer_id: '1', campaign: 'Win-back' } }),
    ]) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-shopify-hmac-sha256': createHmac('sha256', store.apiSecret).update(body).digest('base64') },
        body,
      });
      assert.ok(res.status >= 400 && res.status < 500, `${res.status} for ${body.slice(0, 60)}: ${await res.text()}`);
    }
    assert.equal(await chases(), before);
  });
});
