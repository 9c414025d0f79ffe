/**
 * Shopify connector: webhooks in (verified, mapped to commerce events: checkouts, orders,
 * customers' consent, redaction requests). The Admin GraphQL
 * write-backs (customer tags, a note on a recovered order) come with the outbox.
 */
import { checkoutEvent, customerEvent, orderEvent, redactEvent } from './mapping.ts';
import { shopifyCredentials, type ShopifyCredentials } from './schemas.ts';
import { verifyShopifyWebhook } from './webhook.ts';

export interface ShopifyConnector {
  shop: string;
  verifyWebhook(rawBody: Buffer, hmacHeader: string | undefined): boolean;
  checkoutEvent: (payload: unknown) => ReturnType<typeof checkoutEvent>;
  orderEvent: (payload: unknown) => ReturnType<typeof orderEvent>;
  customerEvent: (payload: unknown) => ReturnType<typeof customerEvent>;
  redactEvent: (payload: unknown) => ReturnType<typeof redactEvent>;
}

export function createShopifyConnector(credentials: ShopifyCredentials): ShopifyConnector {
  const c = shopifyCredentials.parse(credentials);
  return {
    shop: c.shop,
    verifyWebhook: (rawBody, hmac) => verifyShopifyWebhook(rawBody, hmac, c.apiSecret),
    checkoutEvent: (payload) => checkoutEvent(c.shop, payload),
    orderEvent: (payload) => orderEvent(c.shop, payload),
    customerEvent: (payload) => customerEvent(c.shop, payload),
    redactEvent: (payload) => redactEvent(c.shop, payload),
  };
}
