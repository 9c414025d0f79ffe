import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startShopifySim } from './index.ts';
import { adminClient, startReceiver } from './testing.ts';

const CUSTOMER = `query Customer($id: ID!) {
  customer(id: $id) { id phone tags smsMarketingConsent { marketingState marketingOptInLevel consentUpdatedAt consentCollectedFrom } }
}`;
const TAGS_ADD = `mutation AddTags($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } }
}`;
const ORDER_UPDATE = `mutation Note($input: OrderInput!) {
  orderUpdate(input: $input) { order { id note tags } userErrors { field message } }
}`;

test('customer(id) answers phone, tags and SMS consent through the official client', async () => {
  const sim = await startShopifySim();
  try {
    const c = sim.createCustomer({ phone: '+14155550100', tags: ['vip'], smsMarketingConsent: { state: 'subscribed', consent_collected_from: 'SHOPIFY' } });
    const { data, errors, extensions } = await adminClient(sim).request(CUSTOMER, { variables: { id: c.gid } });
    assert.equal(errors, undefined);
    assert.deepEqual(data.customer.tags, ['vip']);
    assert.equal(data.customer.id, c.gid);
    assert.equal(data.customer.phone, '+14155550100');
    assert.equal(data.customer.smsMarketingConsent.marketingState, 'SUBSCRIBED');
    assert.equal(data.customer.smsMarketingConsent.marketingOptInLevel, 'SINGLE_OPT_IN');
    assert.equal(data.customer.smsMarketingConsent.consentCollectedFrom, 'SHOPIFY');
    assert.match(data.customer.smsMarketingConsent.consentUpdatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal((extensions?.cost as { actualQueryCost?: number } | undefined)?.actualQueryCost, 2);

    const missing = await adminClient(sim).request(CUSTOMER, { variables: { id: 'gid://shopify/Customer/1' } });
    assert.equal(missing.data.customer, null);
  } finally {
    await sim.close();
  }
});

test('tagsAdd tags a customer (who then gets a customers/update webhook) and an order', async () => {
  const app = await startReceiver();
  const sim = await startShopifySim({ webhookUrl: app.url });
  try {
    const { order } = await sim.placeOrder({ customer: { phone: '+14155550100', tags: ['b'] } });
    const client = adminClient(sim);
    const onCustomer = await client.request(TAGS_ADD, { variables: { id: sim.customers()[0]!.gid, tags: ['chaseline-recovered', 'B'] } });
    assert.deepEqual(onCustomer.data.tagsAdd, { node: { id: sim.customers()[0]!.gid }, userErrors: [] });
    assert.deepEqual(sim.customers()[0]!.tags, ['b', 'chaseline-recovered'], 'tags are a case-insensitive set');
    const onOrder = await client.request(TAGS_ADD, { variables: { id: order.gid, tags: 'recovered, sms' } });
    assert.deepEqual(onOrder.data.tagsAdd.userErrors, []);
    assert.deepEqual(sim.orders()[0]!.tags, ['recovered', 'sms']);
    await sim.settled();
    const update = app.received.find((r) => r.headers['x-shopify-topic'] === 'customers/update');
    assert.ok(update, 'customers/update sent after the Admin API change');
    assert.equal(JSON.parse(update.raw.toString('utf8')).tags, 'b, chaseline-recovered');

    const unknown = await client.request(TAGS_ADD, { variables: { id: 'gid://shopify/Order/42', tags: ['x'] } });
    assert.deepEqual(unknown.data.tagsAdd.userErrors, [{ field: ['id'], message: 'Resource not found' }]);
  } finally {
    await sim.close();
    await app.close();
  }
});

test('orderUpdate writes a note on a recovered order; an unknown input field is refused', async () => {
  const sim = await startShopifySim();
  try {
    const { order } = await sim.placeOrder();
    const client = adminClient(sim);
    const { data } = await client.request(ORDER_UPDATE, { variables: { input: { id: order.gid, note: 'Recovered by Chaseline (SMS)' } } });
    assert.deepEqual(data.orderUpdate, { order: { id: order.gid, note: 'Recovered by Chaseline (SMS)', tags: [] }, userErrors: [] });
    assert.equal(sim.orders()[0]!.note, 'Recovered by Chaseline (SMS)');
    const bad = await client.request(ORDER_UPDATE, { variables: { input: { id: order.gid, notes: 'typo' } } });
    assert.equal(bad.errors?.graphQLErrors?.[0]?.extensions?.code, 'INVALID_VARIABLE');
    assert.equal(sim.orders()[0]!.note, 'Recovered by Chaseline (SMS)');
  } finally {
    await sim.close();
  }
});

test('a wrong or missing access token is a 401', async () => {
  const sim = await startShopifySim();
  try {
    const { errors } = await adminClient(sim, 'shpat_wrong').request(CUSTOMER, { variables: { id: 'gid://shopify/Customer/1' } });
    assert.equal(errors?.networkStatusCode, 401);
    const res = await fetch(`${sim.url}/admin/api/${sim.apiVersion}/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ shop { name } }"}',
    });
    assert.equal(res.status, 401);
    assert.match(((await res.json()) as { errors: string }).errors, /Invalid API key or access token/);
  } finally {
    await sim.close();
  }
});

test('unknown fields and operations are GraphQL errors, and a bad mutation changes nothing', async () => {
  const sim = await startShopifySim();
  try {
    const { order } = await sim.placeOrder();
    const client = adminClient(sim);
    const unknownRoot = await client.request('query { products(first: 1) { edges { node { id } } } }');
    assert.equal(unknownRoot.errors?.graphQLErrors?.[0]?.message, "Field 'products' doesn't exist on type 'QueryRoot'");
    assert.equal(unknownRoot.errors?.graphQLErrors?.[0]?.extensions?.code, 'undefinedField');
    const badSelection = await client.request(`mutation { orderUpdate(input: { id: "${order.gid}", note: "x" }) { order { id nope } } }`);
    assert.equal(badSelection.errors?.graphQLErrors?.[0]?.extensions?.code, 'undefinedField');
    assert.equal(sim.orders()[0]!.note, null, 'the mutation did not run');
    const aliased = await client.request(`{ a: order(id: "${order.gid}") { id __typename total: totalPriceSet { shopMoney { amount currencyCode } } } }`);
    assert.deepEqual(aliased.data, { a: { id: order.gid, __typename: 'Order', total: { shopMoney: { amount: '49.00', currencyCode: 'USD' } } } });
    const syntax = await client.request('query { customer(id: ');
    assert.ok(syntax.errors?.graphQLErrors?.[0]?.locations);
  } finally {
    await sim.close();
  }
});

test('the cost bucket throttles when empty and refills at the restore rate', async () => {
  let t = Date.parse('2026-11-25T12:00:00Z');
  const sim = await startShopifySim({ throttle: { maximumAvailable: 25, restoreRate: 5 }, now: () => new Date(t) });
  try {
    const { order } = await sim.placeOrder();
    const client = adminClient(sim);
    const note = (n: string) => client.request(ORDER_UPDATE, { variables: { input: { id: order.gid, note: n } } });
    const first = await note('1');
    assert.deepEqual(first.extensions?.cost, {
      requestedQueryCost: 10,
      actualQueryCost: 10,
      throttleStatus: { maximumAvailable: 25, currentlyAvailable: 15, restoreRate: 5 },
    });
    await note('2');
    const throttled = await note('3');
    assert.equal(throttled.errors?.graphQLErrors?.[0]?.extensions?.code, 'THROTTLED');
    assert.equal(throttled.errors?.networkStatusCode, 200);
    assert.deepEqual(throttled.extensions?.cost, {
      requestedQueryCost: 10,
      actualQueryCost: null,
      throttleStatus: { maximumAvailable: 25, currentlyAvailable: 5, restoreRate: 5 },
    });
    assert.equal(sim.orders()[0]!.note, '2', 'a throttled mutation does not run');
    t += 1000; // 5 points back: 10 available
    const again = await note('3');
    assert.equal(again.errors, undefined);
    assert.equal(sim.orders()[0]!.note, '3');
    const tooBig = await startShopifySim({ throttle: { maximumAvailable: 5 } });
    try {
      const r = await adminClient(tooBig).request(ORDER_UPDATE, { variables: { input: { id: order.gid, note: 'x' } } });
      assert.equal(r.errors?.graphQLErrors?.[0]?.extensions?.code, 'MAX_COST_EXCEEDED');
    } finally {
      await tooBig.close();
    }
  } finally {
    await sim.close();
  }
});

test('customerSmsMarketingConsentUpdate records an opt-out written back, and tagsRemove untags', async () => {
  const app = await startReceiver();
  const sim = await startShopifySim({ webhookUrl: app.url });
  try {
    const c = sim.createCustomer({ phone: '+14155550100', tags: ['chase-me', 'vip'], smsMarketingConsent: 'subscribed' });
    const client = adminClient(sim);
    const CONSENT = `mutation Consent($input: CustomerSmsMarketingConsentUpdateInput!) {
      customerSmsMarketingConsentUpdate(input: $input) { customer { id smsMarketingConsent { marketingState } } userErrors { field message code } }
    }`;
    const { data } = await client.request(CONSENT, { variables: { input: { customerId: c.gid, smsMarketingConsent: { marketingState: 'UNSUBSCRIBED' } } } });
    assert.deepEqual(data.customerSmsMarketingConsentUpdate, {
      customer: { id: c.gid, smsMarketingConsent: { marketingState: 'UNSUBSCRIBED' } },
      userErrors: [],
    });
    assert.equal(sim.customers()[0]!.smsMarketingConsent?.state, 'unsubscribed');

    const removed = await client.request('mutation R($id: ID!) { tagsRemove(id: $id, tags: ["CHASE-ME"]) { userErrors { message } } }', {
      variables: { id: c.gid },
    });
    assert.deepEqual(removed.data.tagsRemove.userErrors, []);
    assert.deepEqual(sim.customers()[0]!.tags, ['vip']);

    await sim.settled();
    const updates = app.received.filter((r) => r.headers['x-shopify-topic'] === 'customers/update').map((r) => JSON.parse(r.raw.toString('utf8')));
    assert.equal(updates.length, 2);
    assert.equal(updates[0].sms_marketing_consent.state, 'unsubscribed');
    assert.equal(updates[1].tags, 'vip');

    const noPhone = sim.createCustomer();
    const refused = await client.request(CONSENT, { variables: { input: { customerId: noPhone.gid, smsMarketingConsent: { marketingState: 'SUBSCRIBED' } } } });
    assert.equal(refused.data.customerSmsMarketingConsentUpdate.customer, null);
    assert.equal(refused.data.customerSmsMarketingConsentUpdate.userErrors[0].code, 'MISSING_ARGUMENT');
    const badEnum = await client.request(CONSENT, { variables: { input: { customerId: c.gid, smsMarketingConsent: { marketingState: 'OPTED_OUT' } } } });
    assert.equal(badEnum.errors?.graphQLErrors?.[0]?.extensions?.code, 'INVALID_VARIABLE');
  } finally {
    await sim.close();
    await app.close();
  }
});

test('failFor is an outage: every request gets the status, before auth, then the store answers again', async () => {
  const sim = await startShopifySim();
  try {
    const c = sim.createCustomer({ phone: '+14155550100' });
    sim.failFor(300);
    const down = await adminClient(sim).request(CUSTOMER, { variables: { id: c.gid } });
    assert.equal(down.errors?.networkStatusCode, 503);
    const wrongToken = await adminClient(sim, 'shpat_wrong').request(CUSTOMER, { variables: { id: c.gid } });
    assert.equal(wrongToken.errors?.networkStatusCode, 503, 'the outage comes before the token check');
    sim.failFor(0, 500);
    await new Promise((r) => setTimeout(r, 5));
    const up = await adminClient(sim).request(CUSTOMER, { variables: { id: c.gid } });
    assert.equal(up.errors, undefined);
    assert.equal(up.data.customer.id, c.gid);
    assert.deepEqual(
      sim.graphqlRequests().map((r) => r.status),
      [503, 503, 200],
    );
  } finally {
    await sim.close();
  }
});

test('shop { name myshopifyDomain } answers the store itself (the cheap read that proves a token), at a cost of 1', async () => {
  const sim = await startShopifySim({ shop: 'linen-and-co.myshopify.com', shopName: 'Linen & Co' });
  try {
    const { data, errors, extensions } = await adminClient(sim).request('query { shop { id name myshopifyDomain currencyCode } }');
    assert.equal(errors, undefined);
    assert.deepEqual(data.shop, { id: 'gid://shopify/Shop/548380009', name: 'Linen & Co', myshopifyDomain: 'linen-and-co.myshopify.com', currencyCode: 'USD' });
    assert.equal((extensions?.cost as { actualQueryCost?: number } | undefined)?.actualQueryCost, 1);
    const unknown = await adminClient(sim).request('query { shop { plan } }');
    assert.equal(unknown.data, undefined);
    assert.match(unknown.errors?.graphQLErrors?.[0]?.message ?? '', /plan/);
  } finally {
    await sim.close();
  }
});
