/**
 * Write-backs through the outbox, at the real HTTP server with the Shopify simulator as the
 * vendor (its Admin GraphQL through the official client): a chased checkout's customer is
 * tagged with the call's outcome and the recovered order gets its note; an outage loses
 * nothing; a write-back out of attempts is dead, shown by the API, and sent again on retry.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startShopifySim, type ShopifySim } from '../../sim/shopify/index.ts';
import { testEngineApp, type TestApp } from '../support/app.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import type { TwilioSim } from '../../sim/twilio/index.ts';
import { enqueueWriteBacks, wakeOverdueWriteBacks } from '../../core/outbox/outbox.ts';
import { withTransaction } from '../../core/db/pool.ts';
import { campaign, mobile, waitForChase } from './support.ts';
import { eventually } from '../support/data.ts';

let app: TestApp & { sim: TwilioSim; worker: WorkerDeps };
let shop: ShopifySim;

before(async () => {
  // Quick retries, few of them (6 over about 1.5 s), so a test can see a write-back die.
  app = await testEngineApp({ sim: { clockSpeed: 50, callsPerSecond: 100 }, outboxRetry: { baseMs: 150, maxMs: 400, attempts: 6 } });
  shop = await startShopifySim({ webhookUrl: `${app.url}/webhooks/shopify` });
  const put = await app.request('PUT', '/v1/connectors/shopify', {
    body: { credentials: { shop: shop.shop, accessToken: shop.accessToken, apiSecret: shop.apiSecret, apiBaseUrl: shop.url } },
  });
  assert.equal(put.status, 200, put.text);
});
after(async () => {
  await shop?.close();
  await app?.close();
});

const customerTags = (id: number) => shop.customers().find((c) => c.id === id)?.tags ?? [];

async function connectorState() {
  const res = await app.request('GET', '/v1/connectors');
  return (res.body as { items: { type: string; outbox: { pending: number; dead: number } }[] }).items.find((c) => c.type === 'shopify')!;
}

/** A tags write-back for a store customer, as the engine would write it. */
const tagCustomer = (customerId: number, tag: string) =>
  withTransaction(app.db.pool, (tx) =>
    enqueueWriteBacks(tx, app.worker, app.tenantId, [{ connector: 'shopify', item: { kind: 'tags', externalId: String(customerId), add: [tag] } }]),
  );

describe('write-backs to the store', () => {
  test('the call’s outcome tags the customer, and the recovered order gets a note beside the merchant’s', async () => {
    await campaign(app.worker, app.tenantId, {
      trigger: { type: 'abandoned-checkout', delayMinutes: 0 },
      scripts: [{ name: 'cart', say: 'Hi {{name}}, your cart is waiting.', sms: 'Your cart: {{context.link}}' }],
      channel: { policy: 'voice' },
    });
    const phone = mobile(901);
    app.sim.setPersona(phone, { script: ['yes please send me the link'] });
    const { checkout } = await shop.createCheckout({ customer: { firstName: 'Mei', phone } });
    const chaseId = await eventually(
      async () => {
        const { rows } = await app.db.pool.query<{ id: string }>(`select id from chases where source_key = $1`, [checkout.token]);
        return rows[0]?.id ?? false;
      },
      'the checkout to be chased',
      10_000,
    );
    const done = await waitForChase(app.worker, app.tenantId, chaseId);
    assert.equal(done.outcome, 'interested');
    const customerId = checkout.customerId;
    await eventually(() => customerTags(customerId).includes('chase:interested'), 'the customer to be tagged chase:interested');

    const { order } = await shop.placeOrder({ checkoutToken: checkout.token, note: 'Gift wrap, please' });
    const note = await eventually(() => {
      const n = shop.orders().find((o) => o.id === order.id)?.note;
      return n?.includes('Recovered by Chaseline') ? n : false;
    }, 'the order note');
    assert.match(note, /^Gift wrap, please\n/, 'the note of the order stays first');
    await eventually(() => customerTags(customerId).includes('chase:recovered'), 'the customer to be tagged chase:recovered');
    // The link SMS and the call are activities a store has no place for: skipped, not failed. Nothing is left over.
    await eventually(async () => {
      const { pending, dead } = (await connectorState()).outbox;
      return pending === 0 && dead === 0;
    }, 'the outbox to be empty');
    const { rows } = await app.db.pool.query<{ kind: string; status: string }>(`select kind, status from outbox where tenant_id = $1 order by id`, [
      app.tenantId,
    ]);
    // The link SMS goes out during the call, by its own job: whether its write-back comes before the call's is a race.
    const items = rows.filter((r) => r.kind !== 'chase-result').map((r) => `${r.kind}:${r.status}`);
    assert.deepEqual(items.slice(0, 3).sort(), ['call:skipped', 'sms:skipped', 'tags:done']);
    assert.deepEqual(items.slice(3), ['order-note:done', 'tags:done']);
    // The chase's end is kept on the customer as metafields (namespace chaseline), once.
    assert.deepEqual(
      rows.filter((r) => r.kind === 'chase-result').map((r) => r.status),
      ['done'],
    );
    const fields = shop.customers().find((c) => c.id === customerId)!.metafields!;
    assert.equal(fields['chaseline.last_outcome']!.value, 'interested');
    assert.equal(fields['chaseline.last_outcome']!.type, 'single_line_text_field');
    assert.equal(fields['chaseline.attempts']!.value, '2', 'the call and the link it texted');
    assert.equal(fields['chaseline.attempts']!.type, 'number_integer');
    assert.equal(fields['chaseline.last_chase_at']!.type, 'date_time');
    assert.ok(fields['chaseline.last_campaign']!.value.length > 0);
  });

  test('a store down for a while: the write-back waits, is retried, and lands once it is back', async () => {
    const customer = shop.createCustomer({ firstName: 'Wu', phone: mobile(902) });
    shop.failFor(60_000, 503);
    await tagCustomer(customer.id, 'chase:answered');
    const failed = await eventually(async () => {
      const pending = await app.request('GET', '/v1/connectors/shopify/outbox?status=pending');
      return (pending.body as { items: { lastError: string | null }[] }).items[0]?.lastError ?? false;
    }, 'the write-back to wait as pending, with the failure said');
    assert.match(failed, /503|unavailable/i);
    assert.equal((await connectorState()).outbox.pending, 1);
    shop.failFor(0);
    await eventually(() => customerTags(customer.id).includes('chase:answered'), 'the tag to land after the outage', 10_000);
    // The row is settled just after the store answered.
    await eventually(async () => {
      const { pending, dead } = (await connectorState()).outbox;
      return pending === 0 && dead === 0;
    }, 'the outbox to be empty');
  });

  test('out of attempts, a write-back is dead and listed; a retry sends it', async () => {
    const customer = shop.createCustomer({ firstName: 'Li', phone: mobile(903) });
    shop.failFor(60_000, 502);
    await tagCustomer(customer.id, 'chase:no-answer');
    await eventually(async () => (await connectorState()).outbox.dead === 1, 'the write-back to be dead after 6 attempts', 10_000);
    const dead = await app.request('GET', '/v1/connectors/shopify/outbox?status=dead');
    const [row] = (dead.body as { items: { kind: string; attempts: number; lastError: string }[] }).items;
    assert.equal(row!.kind, 'tags');
    assert.equal(row!.attempts, 6);
    assert.match(row!.lastError, /502/);
    assert.ok(!dead.text.includes(mobile(903).slice(1)), 'the listing names no one');
    assert.deepEqual(customerTags(customer.id), []);

    shop.failFor(0);
    const retry = await app.request('POST', '/v1/connectors/shopify/outbox/retry');
    assert.equal(retry.status, 202, retry.text);
    assert.deepEqual(retry.body, { retried: 1 });
    await eventually(() => customerTags(customer.id).includes('chase:no-answer'), 'the tag to land after the retry');
    // The row is settled just after the store answered.
    await eventually(async () => {
      const { pending, dead } = (await connectorState()).outbox;
      return pending === 0 && dead === 0;
    }, 'the outbox to be empty');
  });

  test('a write-back the store refuses for good is dead at once, and the others in its batch land', async () => {
    const good = shop.createCustomer({ firstName: 'Zhao', phone: mobile(904) });
    await withTransaction(app.db.pool, (tx) =>
      enqueueWriteBacks(tx, app.worker, app.tenantId, [
        { connector: 'shopify', item: { kind: 'tags', externalId: '999999999', add: ['chase:answered'] } },
        { connector: 'shopify', item: { kind: 'tags', externalId: String(good.id), add: ['chase:answered'] } },
      ]),
    );
    await eventually(() => customerTags(good.id).includes('chase:answered'), 'the good tag to land');
    await eventually(async () => (await connectorState()).outbox.dead === 1, 'the refused one to be dead');
    const dead = await app.request('GET', '/v1/connectors/shopify/outbox?status=dead');
    assert.equal((dead.body as { items: { attempts: number }[] }).items[0]!.attempts, 1, 'refused for good: not retried');
  });

  test('a write-back written where no queue runs (a one-off script) is found by the worker’s sweep and sent', async () => {
    const customer = shop.createCustomer({ firstName: 'Qin', phone: mobile(905) });
    await withTransaction(app.db.pool, (tx) =>
      enqueueWriteBacks(tx, { db: app.db.pool, pii: app.worker.pii }, app.tenantId, [
        { connector: 'shopify', item: { kind: 'tags', externalId: String(customer.id), add: ['chase:answered'] } },
      ]),
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(customerTags(customer.id), [], 'nothing woke a sender');
    // The sweep runs every minute and takes rows overdue by one: make this one overdue.
    await app.db.pool.query(`update outbox set next_at = now() - interval '2 minutes' where status = 'pending'`);
    assert.equal(await wakeOverdueWriteBacks(app.worker), 1);
    await eventually(() => customerTags(customer.id).includes('chase:answered'), 'the tag to land after the sweep');
  });
});
