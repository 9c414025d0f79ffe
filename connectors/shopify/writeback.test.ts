// Write-backs to a store through the official Admin API client against the Shopify
// simulator over HTTP: tags, an order note, an SMS opt-out, the cost throttle, an outage.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AppError } from '../../core/errors.ts';
import type { WriteBack } from '../../core/ports.ts';
import { startShopifySim, type ShopifySim } from '../../sim/shopify/index.ts';
import { adminClient } from '../../sim/shopify/testing.ts';
import { createShopifyConnector, SHOPIFY_API_VERSION } from './index.ts';
import type { AdminOptions } from './admin.ts';
import { appendNote, gidOf } from './writeback.ts';

let sim: ShopifySim;
before(async () => {
  sim = await startShopifySim({ apiVersion: SHOPIFY_API_VERSION });
});
after(() => sim.close());

const connectorFor = (s: ShopifySim, options: AdminOptions = {}, accessToken = s.accessToken) =>
  createShopifyConnector({ shop: s.shop, accessToken, apiSecret: s.apiSecret, apiBaseUrl: s.url }, options);
const customer = (s: ShopifySim, gid: string) => s.customers().find((c) => c.gid === gid)!;
const order = (s: ShopifySim, gid: string) => s.orders().find((o) => o.gid === gid)!;

async function rejects(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AppError, `an AppError, not ${String(err)}`);
    return err;
  }
  assert.fail('expected the write-back to throw');
}

test('ids as Chaseline stores them become GIDs; a note goes on its own line, once', () => {
  assert.equal(gidOf('Customer', '7000000001'), 'gid://shopify/Customer/7000000001');
  assert.equal(gidOf('Order', 'gid://shopify/Order/42'), 'gid://shopify/Order/42');
  assert.equal(gidOf('Customer', 'gid://shopify/Order/42'), null);
  assert.equal(gidOf('Customer', 'abc'), null);
  assert.equal(appendNote(null, 'Recovered'), 'Recovered');
  assert.equal(appendNote('Gift wrap\n', 'Recovered'), 'Gift wrap\nRecovered');
  assert.equal(appendNote('Gift wrap\r\nRecovered', 'Recovered'), null);
  assert.equal(appendNote('Recovered later', 'Recovered'), 'Recovered later\nRecovered', 'only a whole line counts');
});

test('tags land on the customers; a tags write for an unknown customer is rejected while the others are done', async () => {
  const a = sim.createCustomer({ phone: '+14155550100', tags: ['vip'] });
  const b = sim.createCustomer({ phone: '+14155550101' });
  const before = sim.graphqlRequests().length;
  const results = await connectorFor(sim).writeBack([
    { kind: 'tags', externalId: String(a.id), add: ['chaseline-recovered', 'VIP'] },
    { kind: 'tags', externalId: '999999999', add: ['chaseline-recovered'] },
    { kind: 'tags', externalId: b.gid, add: ['chaseline-called'] },
    { kind: 'tags', externalId: 'not-an-id', add: ['x'] },
  ]);
  assert.deepEqual(results, [
    { status: 'done' },
    { status: 'rejected', error: 'Resource not found' },
    { status: 'done' },
    { status: 'rejected', error: 'not a Shopify customer id' },
  ]);
  assert.deepEqual(customer(sim, a.gid).tags, ['chaseline-recovered', 'vip']);
  assert.deepEqual(customer(sim, b.gid).tags, ['chaseline-called']);
  const sent = sim.graphqlRequests().slice(before);
  assert.equal(sent.length, 3, 'one request per writable item');
  assert.ok(sent.every((r) => r.apiVersion === SHOPIFY_API_VERSION));
});

test("a note is appended under the merchant's note, and writing it twice leaves it once", async () => {
  const { order: placed } = await sim.placeOrder({ note: 'Please gift wrap' });
  const { order: bare } = await sim.placeOrder();
  const note: WriteBack = { kind: 'order-note', orderId: String(placed.id), note: 'Recovered by Chaseline (SMS, 2 attempts)' };
  const shopify = connectorFor(sim);
  assert.deepEqual(await shopify.writeBack([note, { kind: 'order-note', orderId: bare.gid, note: 'Recovered by Chaseline (call)' }]), [
    { status: 'done' },
    { status: 'done' },
  ]);
  assert.equal(order(sim, placed.gid).note, 'Please gift wrap\nRecovered by Chaseline (SMS, 2 attempts)');
  assert.equal(order(sim, bare.gid).note, 'Recovered by Chaseline (call)');

  // A retried batch, and the merchant adding a line in between.
  await adminClient(sim).request('mutation N($input: OrderInput!) { orderUpdate(input: $input) { userErrors { message } } }', {
    variables: { input: { id: placed.gid, note: `${order(sim, placed.gid).note}\nCalled back on Tuesday` } },
  });
  assert.deepEqual(await shopify.writeBack([note]), [{ status: 'done' }]);
  assert.equal(order(sim, placed.gid).note, 'Please gift wrap\nRecovered by Chaseline (SMS, 2 attempts)\nCalled back on Tuesday');

  assert.deepEqual(await shopify.writeBack([{ kind: 'order-note', orderId: '424242', note: 'x' }]), [{ status: 'rejected', error: 'order not found' }]);
});

test("an opt-out sets the customer's SMS consent to UNSUBSCRIBED; a voice opt-out, a call and an SMS are skipped", async () => {
  const a = sim.createCustomer({ phone: '+14155550102', smsMarketingConsent: { state: 'subscribed', opt_in_level: 'confirmed_opt_in' } });
  const b = sim.createCustomer({ phone: '+14155550103', smsMarketingConsent: 'subscribed' });
  const noPhone = sim.createCustomer({ phone: null });
  const at = new Date('2026-11-25T12:00:00Z');
  const results = await connectorFor(sim).writeBack([
    { kind: 'opt-out', externalId: String(a.id), channel: 'sms' },
    { kind: 'opt-out', externalId: String(b.id), channel: 'voice' },
    {
      kind: 'call',
      call: {
        externalContactId: String(b.id),
        at,
        title: 'Call',
        body: '',
        outcome: 'answered',
        durationSeconds: 30,
        from: '+14155550000',
        to: '+14155550103',
        callSid: 'CA1',
      },
    },
    { kind: 'sms', message: { externalContactId: String(b.id), at, body: 'Hi', from: '+14155550000', to: '+14155550103', messageSid: 'SM1' } },
    { kind: 'opt-out', externalId: String(noPhone.id), channel: 'all' },
  ]);
  assert.deepEqual(results.slice(0, 4), [{ status: 'done' }, { status: 'skipped' }, { status: 'skipped' }, { status: 'skipped' }]);
  assert.equal(results[4]!.status, 'rejected', 'Shopify keeps SMS consent only for a customer with a phone');
  assert.equal(customer(sim, a.gid).smsMarketingConsent?.state, 'unsubscribed');
  assert.equal(customer(sim, a.gid).smsMarketingConsent?.opt_in_level, 'confirmed_opt_in', 'the recorded opt-in level is kept');
  assert.equal(customer(sim, b.gid).smsMarketingConsent?.state, 'subscribed');
  // Repeating it is harmless.
  assert.deepEqual(await connectorFor(sim).writeBack([{ kind: 'opt-out', externalId: a.gid, channel: 'all' }]), [{ status: 'done' }]);
  assert.equal(customer(sim, a.gid).smsMarketingConsent?.state, 'unsubscribed');
});

test('a store with a small cost bucket still gets every write done: paced by the bucket each answer reports', async () => {
  const small = await startShopifySim({ apiVersion: SHOPIFY_API_VERSION, throttle: { maximumAvailable: 25, restoreRate: 100 } });
  try {
    const people = Array.from({ length: 6 }, (_, i) => small.createCustomer({ phone: `+1415555020${i}`, smsMarketingConsent: 'subscribed' }));
    const { order: placed } = await small.placeOrder({ note: 'Leave at the door' });
    const items: WriteBack[] = [
      ...people.map((p): WriteBack => ({ kind: 'tags', externalId: String(p.id), add: ['chaseline-recovered'] })),
      ...people.map((p): WriteBack => ({ kind: 'opt-out', externalId: String(p.id), channel: 'sms' })),
      { kind: 'order-note', orderId: String(placed.id), note: 'Recovered by Chaseline' },
    ];
    const results = await connectorFor(small).writeBack(items);
    assert.deepEqual(
      results,
      items.map(() => ({ status: 'done' })),
    );
    assert.ok(
      people.every((p) => customer(small, p.gid).tags.includes('chaseline-recovered') && customer(small, p.gid).smsMarketingConsent?.state === 'unsubscribed'),
    );
    assert.equal(order(small, placed.gid).note, 'Leave at the door\nRecovered by Chaseline');
    const throttled = () => small.graphqlRequests().filter((r) => JSON.stringify(r.response).includes('"THROTTLED"')).length;
    assert.equal(throttled(), 0, 'paced by the bucket each answer reported: never throttled');
  } finally {
    await small.close();
  }
});

test('a THROTTLED answer (the bucket emptied by someone else) is waited out and tried again', async () => {
  const slow = await startShopifySim({ apiVersion: SHOPIFY_API_VERSION, throttle: { maximumAvailable: 30, restoreRate: 20 } });
  try {
    const c = slow.createCustomer();
    // Another worker of the same app empties the bucket: 10 points a mutation, 0.5 s to earn one back.
    const client = adminClient(slow);
    for (let i = 0; i < 3; i++)
      await client.request('mutation T($id: ID!) { tagsAdd(id: $id, tags: ["other"]) { userErrors { message } } }', { variables: { id: c.gid } });
    assert.deepEqual(await connectorFor(slow).writeBack([{ kind: 'tags', externalId: String(c.id), add: ['chaseline'] }]), [{ status: 'done' }]);
    const answers = slow
      .graphqlRequests()
      .slice(3)
      .map((r) => (JSON.stringify(r.response).includes('"THROTTLED"') ? 'throttled' : 'ok'));
    assert.deepEqual(answers, ['throttled', 'ok']);
    assert.deepEqual(customer(slow, c.gid).tags, ['chaseline', 'other']);
  } finally {
    await slow.close();
  }
});

test('a bucket too slow to wait for gives the batch back as RATE_LIMITED, retryable', async () => {
  const slow = await startShopifySim({ apiVersion: SHOPIFY_API_VERSION, throttle: { maximumAvailable: 25, restoreRate: 1 } });
  try {
    const people = Array.from({ length: 3 }, () => slow.createCustomer());
    const started = Date.now();
    const err = await rejects(connectorFor(slow, { maxWaitMs: 1000 }).writeBack(people.map((p) => ({ kind: 'tags', externalId: String(p.id), add: ['t'] }))));
    assert.equal(err.code, 'RATE_LIMITED');
    assert.equal(err.retryable, true);
    assert.ok(Date.now() - started < 1000, 'no hopeless wait');
    assert.deepEqual(
      slow.customers().map((c) => c.tags),
      [['t'], ['t'], []],
      'what was written stays written; a retry repeats it harmlessly',
    );
  } finally {
    await slow.close();
  }
});

test('an outage or an unreachable store throws a retryable AppError; a refused token a final one', async () => {
  const c = sim.createCustomer({ phone: '+14155550104' });
  const item: WriteBack = { kind: 'tags', externalId: String(c.id), add: ['x'] };
  sim.failFor(2000);
  try {
    const down = await rejects(connectorFor(sim).writeBack([item]));
    assert.equal(down.code, 'UPSTREAM');
    assert.equal(down.retryable, true);
    assert.equal(down.details?.httpStatus, 503);
  } finally {
    sim.failFor(0);
  }
  await new Promise((r) => setTimeout(r, 5));

  const refused = await rejects(connectorFor(sim, {}, 'shpat_0000000000000000000000000000dead').writeBack([item]));
  assert.equal(refused.code, 'UPSTREAM');
  assert.equal(refused.retryable, false);
  assert.equal(refused.details?.httpStatus, 401);

  const gone = await startShopifySim();
  const shopify = connectorFor(gone);
  await gone.close();
  const unreachable = await rejects(shopify.writeBack([item]));
  assert.equal(unreachable.code, 'UPSTREAM');
  assert.equal(unreachable.retryable, true);

  assert.deepEqual(await connectorFor(sim).writeBack([item]), [{ status: 'done' }], 'and once the store is back, the write lands');
  assert.deepEqual(customer(sim, c.gid).tags, ['x']);
});
