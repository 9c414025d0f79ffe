/**
 * Shopify connector: webhooks in (verified, mapped to commerce events: checkouts, orders,
 * customers' consent, data and redaction requests), and Chaseline's write-backs out through the
 * Admin GraphQL API (customer tags, a note on a recovered order, an SMS opt-out).
 */
import type { WriteBackTarget } from '../../core/ports.ts';
import type { UninstallEvent } from '../../core/commerce/commerce.ts';
import type { CommerceEvent } from '../../core/commerce/chases.ts';
import { createAdminApi, type AdminOptions } from './admin.ts';
import { checkoutEvent, customerEvent, dataRequestEvent, orderEvent, redactEvent } from './mapping.ts';
import { shopifyCredentials, type ShopifyCredentials } from './schemas.ts';
import { commerceEventOf, verifyShopifyWebhook } from './webhook.ts';
import { writeBackToShopify } from './writeback.ts';
import { fetchCustomer, type StoreCustomer } from './customers.ts';

export { SHOPIFY_API_VERSION } from './admin.ts';

export interface ShopifyConnector extends WriteBackTarget {
  shop: string;
  verifyWebhook(rawBody: Buffer, hmacHeader: string | undefined): boolean;
  /** A verified delivery's payload as the commerce event of its topic (null: a topic not acted on); throws a ZodError for a payload of the wrong shape. */
  webhookEvent: (topic: string, payload: unknown) => CommerceEvent | null;
  checkoutEvent: (payload: unknown) => ReturnType<typeof checkoutEvent>;
  orderEvent: (payload: unknown) => ReturnType<typeof orderEvent>;
  customerEvent: (payload: unknown) => ReturnType<typeof customerEvent>;
  redactEvent: (payload: unknown) => ReturnType<typeof redactEvent>;
  dataRequestEvent: (payload: unknown) => ReturnType<typeof dataRequestEvent>;
  /** app/uninstalled: the payload is the shop's record; which shop is what the verified delivery is for. */
  uninstallEvent: () => UninstallEvent;
  /** A customer of the store, read through the Admin API (null when there is none). */
  customer: (customerId: string) => Promise<StoreCustomer | null>;
}

export function createShopifyConnector(credentials: ShopifyCredentials, options: AdminOptions = {}): ShopifyConnector {
  const c = shopifyCredentials.parse(credentials);
  // One per connector: it carries what Shopify last said of the app's cost bucket.
  const admin = createAdminApi(c, options);
  return {
    shop: c.shop,
    verifyWebhook: (rawBody, hmac) => verifyShopifyWebhook(rawBody, hmac, c.apiSecret),
    webhookEvent: (topic, payload) => commerceEventOf(c.shop, topic, payload),
    checkoutEvent: (payload) => checkoutEvent(c.shop, payload),
    orderEvent: (payload) => orderEvent(c.shop, payload),
    customerEvent: (payload) => customerEvent(c.shop, payload),
    redactEvent: (payload) => redactEvent(c.shop, payload),
    dataRequestEvent: (payload) => dataRequestEvent(c.shop, payload),
    uninstallEvent: () => ({ shop: c.shop, uninstalled: true }),
    writeBack: (items) => writeBackToShopify(admin, items),
    customer: (customerId) => fetchCustomer(admin, customerId),
  };
}
