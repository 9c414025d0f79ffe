// Shopify's payloads as commerce events, on the vendor's own sample payloads
// (sim/contracts/shopify), and the webhook signature.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { loadSamples, type Topic } from '../../sim/shopify/vendor.ts';
import { checkoutEvent, orderEvent } from './mapping.ts';
import { verifyShopifyWebhook } from './webhook.ts';

const samples = loadSamples();
const sample = (topic: string) => samples[topic.replace('_', '/') as Topic];

test('an abandoned checkout: its token, cart, recovery link and the best number to chase, with the country it came with', () => {
  const e = checkoutEvent('demo.myshopify.com', sample('checkouts_update'));
  assert.equal(e.token, '123123123');
  assert.equal(e.cart.total, '421.88');
  assert.equal(e.cart.currency, 'USD');
  assert.match(e.cart.recoveryUrl ?? '', /\/checkouts\/123123123\/recover\?key=/);
  assert.ok(e.cart.items.length > 0 && e.cart.items.every((i) => i.quantity > 0 && /^\d+\.\d{2}$/.test(i.price)));
  assert.equal(e.completedAt, null);
  assert.equal(e.name, 'John Smith');
  // No checkout or customer phone in the sample: the billing address's, with its country.
  assert.deepEqual(e.phone, { raw: '555-555-BILL', country: 'US' });
});

test('the SMS marketing number wins over the others; a completed checkout says so', () => {
  const base = sample('checkouts_create');
  const e = checkoutEvent('demo.myshopify.com', {
    ...base,
    sms_marketing_phone: ' +86 138 0013 8000 ',
    phone: '+14155550100',
    completed_at: '2026-11-25T10:00:00Z',
    customer: { id: 1, first_name: '伟', last_name: '王', sms_marketing_consent: { state: 'subscribed' } },
  });
  assert.equal(e.phone?.raw, '+86 138 0013 8000');
  assert.equal(e.completedAt, '2026-11-25T10:00:00Z');
  assert.equal(e.smsConsent, 'subscribed');
  assert.equal(e.customerId, '1');
});

test('an order names the checkout it came from, and a payload missing what we need is refused naming the field', () => {
  const o = orderEvent('demo.myshopify.com', { ...sample('orders_create'), checkout_token: 'abc123' });
  assert.equal(o.checkoutToken, 'abc123');
  assert.equal(o.total, '404.95');
  assert.equal(o.orderId, '820982911946154508', 'every digit, from the GraphQL id: the JSON number was rounded');
  assert.throws(() => checkoutEvent('demo.myshopify.com', { ...sample('checkouts_create'), token: undefined }), /token/);
});

test('the webhook signature is the base64 HMAC-SHA256 of the raw body; anything else is refused', () => {
  const body = Buffer.from(JSON.stringify(sample('orders_create')));
  const secret = 'shpss_test_secret';
  const good = createHmac('sha256', secret).update(body).digest('base64');
  assert.equal(verifyShopifyWebhook(body, good, secret), true);
  assert.equal(verifyShopifyWebhook(body, good, 'another secret'), false);
  assert.equal(verifyShopifyWebhook(Buffer.concat([body, Buffer.from(' ')]), good, secret), false, 'a changed body');
  assert.equal(verifyShopifyWebhook(body, undefined, secret), false);
  assert.equal(verifyShopifyWebhook(body, 'short', secret), false);
});
