// A verified delivery's payload becomes the commerce event of its topic, parsed from Shopify's
// own sample payload of each topic (sim/contracts/shopify): a checkout to chase, an order that
// closes one, a customer's consent, a data or erasure request, an uninstall. A topic not acted on
// is nothing; a payload of the wrong shape says where it is wrong.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { ZodError } from 'zod';
import { loadSamples, loadUninstalledSample, TOPICS } from '../../sim/shopify/vendor.ts';
import { AFTER_UNINSTALL_TOPICS, commerceEventOf, HANDLED_TOPICS, verifyShopifyWebhook } from './webhook.ts';

const SHOP = 'example-store.myshopify.com';
const samples = loadSamples();

test("every topic of the vendor's contract is parsed from its sample, and each is one the app acts on", () => {
  for (const topic of TOPICS) {
    const event = commerceEventOf(SHOP, topic, samples[topic]);
    assert.ok(event, topic);
    assert.equal(event.shop, SHOP, topic);
    assert.ok(HANDLED_TOPICS.includes(topic), topic);
  }
});

test('a checkout is the cart to chase, by its token; an order names the checkout it closes', () => {
  const checkout = commerceEventOf(SHOP, 'checkouts/update', samples['checkouts/update']);
  assert.ok(checkout && 'token' in checkout && 'cart' in checkout);
  assert.equal(checkout.token, (samples['checkouts/update'] as { token: string }).token);
  assert.ok(checkout.cart.items.length > 0);
  const order = commerceEventOf(SHOP, 'orders/create', { ...samples['orders/create'], checkout_token: 'the-checkout' });
  assert.ok(order && 'orderId' in order);
  assert.equal(order.checkoutToken, 'the-checkout');
});

test('app/uninstalled is the shop the verified delivery is for, whatever its payload; a topic not acted on is nothing', () => {
  assert.deepEqual(commerceEventOf(SHOP, 'app/uninstalled', loadUninstalledSample()), { shop: SHOP, uninstalled: true });
  assert.ok(AFTER_UNINSTALL_TOPICS.has('shop/redact') && !AFTER_UNINSTALL_TOPICS.has('checkouts/update'));
  assert.equal(commerceEventOf(SHOP, 'products/update', { id: 1 }), null);
});

test("a payload that is not the topic's shape throws, naming the field", () => {
  assert.throws(
    () => commerceEventOf(SHOP, 'checkouts/create', { ...samples['checkouts/create'], token: 42 }),
    (err: unknown) => err instanceof ZodError && err.issues.some((i) => i.path.join('.') === 'token'),
  );
});

test('the signature is the HMAC of the raw body with the app secret', () => {
  const body = Buffer.from(JSON.stringify(samples['orders/paid']));
  const hmac = createHmac('sha256', 'app-secret').update(body).digest('base64');
  assert.equal(verifyShopifyWebhook(body, hmac, 'app-secret'), true);
  assert.equal(verifyShopifyWebhook(body, hmac, 'another-secret'), false);
  assert.equal(verifyShopifyWebhook(Buffer.concat([body, Buffer.from(' ')]), hmac, 'app-secret'), false);
  assert.equal(verifyShopifyWebhook(body, undefined, 'app-secret'), false);
});
