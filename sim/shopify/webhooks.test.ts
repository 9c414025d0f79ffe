import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { startShopifySim, loadSchemas, TOPICS, type Topic } from './index.ts';
import { schemaValidators, startReceiver } from './testing.ts';

const validate = schemaValidators();
const schemas = loadSchemas();

/** An HMAC check written against WebCrypto, not the simulator's node:crypto signer. */
async function verifyHmac(secret: string, raw: Buffer, header: string | string[] | undefined): Promise<boolean> {
  if (typeof header !== 'string') return false;
  const key = await webcrypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  return webcrypto.subtle.verify('HMAC', key, Buffer.from(header, 'base64'), raw);
}

type Schema = { properties?: Record<string, Schema>; items?: Schema | boolean; type?: unknown };
/** Keys the simulator sends that the vendor schema does not declare (it would be fiction). */
function undeclared(schema: Schema, value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => (typeof schema.items === 'object' ? undeclared(schema.items, v, `${path}/${i}`) : []));
  if (!value || typeof value !== 'object' || !schema.properties) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const child = schema.properties?.[k];
    return child ? undeclared(child, v, `${path}/${k}`) : [`${path}/${k}`];
  });
}
// Shopify's Customer resource carries these, the schema (derived from one sample) does not.
const DOCUMENTED_EXTRAS: Partial<Record<Topic, string[]>> = { 'customers/update': ['/tags', '/sms_marketing_consent'] };

async function scenario() {
  const app = await startReceiver();
  const sim = await startShopifySim({ webhookUrl: app.url, apiSecret: 'app-secret-123' });
  return {
    app,
    sim,
    close: async () => {
      await sim.close();
      await app.close();
    },
  };
}

test('every webhook the store sends validates against its vendor schema and declares no invented field', async () => {
  const { app, sim, close } = await scenario();
  try {
    const { checkout } = await sim.createCheckout({
      customer: { firstName: 'Li', lastName: 'Wei', email: 'li.wei@example.com', phone: '+14155550100' },
      buyerAcceptsSmsMarketing: true,
      lineItems: [
        { title: 'Linen Shirt', price: '49.00', quantity: 2, sku: 'LS-01', grams: 300 },
        { title: 'Socks', price: '7.50', quantity: 1 },
      ],
    });
    await sim.updateCheckout(checkout.token, { phone: '+14155550101' });
    await sim.completeCheckout(checkout.token);
    const { order } = await sim.placeOrder({ customer: { email: 'no.phone@example.com' }, financialStatus: 'pending' });
    await sim.payOrder(order.id);
    await sim.updateCustomer(checkout.customerId, { smsMarketingConsent: 'unsubscribed', tags: ['vip'] });
    await sim.requestCustomerData(checkout.customerId);
    await sim.redactCustomer(checkout.customerId);
    await sim.redactShop();

    const sent = new Set(sim.deliveries().map((d) => d.topic));
    assert.deepEqual([...sent].sort(), [...TOPICS].sort(), 'every topic was exercised');
    assert.equal(app.received.length, sim.deliveries().length);
    for (const r of app.received) {
      const topic = r.headers['x-shopify-topic'] as Topic;
      const payload: unknown = JSON.parse(r.raw.toString('utf8'));
      assert.deepEqual(validate(topic, payload), [], `${topic} validates`);
      const extra = undeclared(schemas[topic] as Schema, payload).filter((k) => !DOCUMENTED_EXTRAS[topic]?.includes(k));
      assert.deepEqual(extra, [], `${topic} sends only fields its schema declares`);
    }
  } finally {
    await close();
  }
});

test('deliveries carry Shopify headers and an HMAC an independent implementation verifies', async () => {
  const { app, sim, close } = await scenario();
  try {
    const { delivery } = await sim.createCheckout({ customer: { phone: '+14155550100' } });
    const [r] = app.received;
    assert.ok(r);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['x-shopify-topic'], 'checkouts/create');
    assert.equal(r.headers['x-shopify-shop-domain'], 'demo.myshopify.com');
    assert.match(String(r.headers['x-shopify-api-version']), /^\d{4}-(01|04|07|10)$/);
    assert.match(String(r.headers['x-shopify-webhook-id']), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(r.headers['x-shopify-webhook-id'], delivery.webhookId);
    assert.equal(r.headers['x-shopify-event-id'], delivery.eventId);
    assert.ok(!Number.isNaN(Date.parse(String(r.headers['x-shopify-triggered-at']))));
    assert.equal(await verifyHmac('app-secret-123', r.raw, r.headers['x-shopify-hmac-sha256']), true);
    // One changed byte, or another secret, and the signature no longer holds.
    const tampered = Buffer.from(r.raw.toString('utf8').replace('"USD"', '"EUR"'));
    assert.equal(await verifyHmac('app-secret-123', tampered, r.headers['x-shopify-hmac-sha256']), false);
    assert.equal(await verifyHmac('another-secret', r.raw, r.headers['x-shopify-hmac-sha256']), false);
  } finally {
    await close();
  }
});

test('an abandoned checkout carries what a chase needs, and completion is visible', async () => {
  const { app, sim, close } = await scenario();
  try {
    const { checkout } = await sim.createCheckout({
      customer: { phone: '+447700900123', firstName: 'Amy' },
      buyerAcceptsSmsMarketing: true,
      currency: 'GBP',
      lineItems: [{ title: 'Teapot', price: '30.00', quantity: 2 }],
    });
    const created = JSON.parse(app.received[0]!.raw.toString('utf8'));
    assert.equal(created.token, checkout.token);
    assert.equal(created.phone, '+447700900123');
    assert.equal(created.sms_marketing_phone, '+447700900123');
    assert.equal(created.buyer_accepts_sms_marketing, true);
    assert.equal(created.customer.phone, '+447700900123');
    assert.equal(created.customer.admin_graphql_api_id, `gid://shopify/Customer/${checkout.customerId}`);
    assert.equal(created.currency, 'GBP');
    assert.equal(created.total_price, '60.00');
    assert.equal(created.line_items[0].line_price, '60.00');
    assert.equal(created.completed_at, null);
    assert.match(created.abandoned_checkout_url, new RegExp(`^https://demo\\.myshopify\\.com/548380009/checkouts/${checkout.token}/recover\\?key=`));

    const { order } = await sim.completeCheckout(checkout.token);
    const topics = app.received.map((r) => r.headers['x-shopify-topic']);
    assert.deepEqual(topics, ['checkouts/create', 'checkouts/update', 'orders/create', 'orders/paid']);
    const completed = JSON.parse(app.received[1]!.raw.toString('utf8'));
    assert.ok(completed.completed_at, 'completed_at set on completion');
    const placed = JSON.parse(app.received[2]!.raw.toString('utf8'));
    assert.equal(placed.checkout_token, checkout.token);
    assert.equal(placed.id, order.id);
    assert.equal(placed.total_price, '60.00');
    assert.equal(JSON.parse(app.received[3]!.raw.toString('utf8')).financial_status, 'paid');
    const [customer] = sim.customers();
    assert.equal(customer?.smsMarketingConsent?.state, 'subscribed', 'consent given at checkout reaches the customer');
    assert.equal(sim.checkouts()[0]?.orderId, order.id);
  } finally {
    await close();
  }
});

test('a redelivery repeats the webhook id, event id and body; a forged one fails the HMAC check', async () => {
  const { app, sim, close } = await scenario();
  try {
    const { delivery } = await sim.createCheckout();
    await sim.redeliver(delivery.webhookId);
    await sim.redeliver(delivery.webhookId, { secret: 'not-the-app-secret' });
    assert.equal(app.received.length, 3);
    const [first, again, forged] = app.received;
    for (const h of ['x-shopify-webhook-id', 'x-shopify-event-id', 'x-shopify-triggered-at', 'x-shopify-hmac-sha256']) {
      assert.equal(again!.headers[h], first!.headers[h], `${h} repeats`);
    }
    assert.deepEqual(again!.raw, first!.raw);
    assert.equal(forged!.headers['x-shopify-webhook-id'], delivery.webhookId);
    assert.equal(await verifyHmac('app-secret-123', forged!.raw, forged!.headers['x-shopify-hmac-sha256']), false);
    assert.deepEqual(
      sim.deliveries()[0]?.attempts.map((a) => a.forged),
      [false, false, true],
    );

    // A new event, even with the same content, gets new ids.
    const second = await sim.redactShop();
    const third = await sim.redactShop();
    assert.notEqual(second.webhookId, third.webhookId);
    assert.notEqual(second.eventId, third.eventId);
  } finally {
    await close();
  }
});

test('failed deliveries are recorded, and topics can be routed to their own URL', async () => {
  const failing = await startReceiver(() => 500);
  const gdpr = await startReceiver();
  const sim = await startShopifySim({ webhookUrl: failing.url, subscriptions: { 'shop/redact': gdpr.url } });
  try {
    const { delivery } = await sim.createCheckout();
    assert.equal(delivery.attempts[0]?.status, 500);
    await sim.redactShop();
    assert.equal(gdpr.received.length, 1);
    assert.equal(gdpr.received[0]?.headers['x-shopify-topic'], 'shop/redact');
    await failing.close();
    const lost = await sim.redeliver(delivery.webhookId);
    assert.equal(lost.attempts[1]?.status, null);
    assert.ok(lost.attempts[1]?.error, 'a refused connection is an error, not a success');
  } finally {
    await sim.close();
    await gdpr.close();
  }
});

test('GDPR topics name the customer and their orders', async () => {
  const { app, sim, close } = await scenario();
  try {
    const customer = sim.createCustomer({ email: 'gdpr@example.com', phone: '+14155550123' });
    const { order } = await sim.placeOrder({ customerId: customer.id });
    await sim.requestCustomerData(customer.id);
    await sim.redactCustomer(customer.id);
    await sim.redactShop();
    const bodies = app.received.slice(-3).map((r) => JSON.parse(r.raw.toString('utf8')));
    assert.deepEqual(bodies[0].customer, { id: customer.id, email: 'gdpr@example.com', phone: '+14155550123' });
    assert.deepEqual(bodies[0].orders_requested, [order.id]);
    assert.equal(typeof bodies[0].data_request.id, 'number');
    assert.deepEqual(bodies[1].orders_to_redact, [order.id]);
    assert.deepEqual(bodies[2], { shop_id: 548380009, shop_domain: 'demo.myshopify.com' });
  } finally {
    await close();
  }
});

test('the vendor checkout sample breaks its own schema only where the simulator deliberately differs', async () => {
  // A tripwire: if the vendor's files in sim/contracts change, the overrides in payloads.ts need a new look.
  const { loadSamples } = await import('./index.ts');
  const samples = loadSamples();
  const fields = validate('checkouts/create', samples['checkouts/create']).map((e) => e.split(' ')[0]);
  assert.deepEqual([...new Set(fields)].sort(), ['/line_items/0/properties', '/line_items/1/properties', '/total_duties']);
  for (const t of TOPICS.filter((t) => !t.startsWith('checkouts/'))) assert.deepEqual(validate(t, samples[t]), [], `${t} sample`);
});
