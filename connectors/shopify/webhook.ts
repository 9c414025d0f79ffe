/**
 * Shopify's webhooks: the signature (X-Shopify-Hmac-Sha256 is the base64 HMAC-SHA256 of the raw
 * request body with the app's client secret), and a delivery's payload parsed, by its topic,
 * into the commerce event core acts on (core/commerce/commerce.ts).
 * https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CommerceEvent } from '../../core/commerce/chases.ts';
import { checkoutEvent, customerEvent, dataRequestEvent, orderEvent, redactEvent } from './mapping.ts';

export function verifyShopifyWebhook(rawBody: Buffer, hmacHeader: string | undefined, secret: string): boolean {
  if (!hmacHeader) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(hmacHeader, 'base64');
  // Compare in constant time; a header of the wrong length cannot match.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const CHECKOUT_TOPICS = new Set(['checkouts/create', 'checkouts/update']);
const ORDER_TOPICS = new Set(['orders/create', 'orders/paid']);
// The mandatory compliance topics that ask for erasure.
const REDACT_TOPICS = new Set(['customers/redact', 'shop/redact']);

/** Every topic acted on (plugins/shopify/shopify.app.toml subscribes to these, and a test holds it so). */
export const HANDLED_TOPICS = [...CHECKOUT_TOPICS, ...ORDER_TOPICS, 'customers/update', ...REDACT_TOPICS, 'customers/data_request', 'app/uninstalled'];

/**
 * Topics still verified from a shop that uninstalled the app (its connector is disabled): the
 * compliance topics are how it asks for erasure, and a redelivered app/uninstalled is
 * acknowledged, not refused.
 */
export const AFTER_UNINSTALL_TOPICS = new Set([...REDACT_TOPICS, 'customers/data_request', 'app/uninstalled']);

/**
 * The commerce event a verified delivery of `topic` from `shop` carries; null for a topic not
 * acted on. A payload that is not the topic's shape throws the ZodError that says where.
 */
export function commerceEventOf(shop: string, topic: string, payload: unknown): CommerceEvent | null {
  if (CHECKOUT_TOPICS.has(topic)) return checkoutEvent(shop, payload);
  if (ORDER_TOPICS.has(topic)) return orderEvent(shop, payload);
  if (topic === 'customers/update') return customerEvent(shop, payload);
  if (REDACT_TOPICS.has(topic)) return redactEvent(shop, payload);
  if (topic === 'customers/data_request') return dataRequestEvent(shop, payload);
  // app/uninstalled: the payload is the shop's record; which shop is what the verified delivery is for.
  if (topic === 'app/uninstalled') return { shop, uninstalled: true };
  return null;
}
