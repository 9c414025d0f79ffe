/**
 * The parts of Shopify's webhook payloads Chaseline reads, as zod schemas: lenient about
 * everything else (Shopify adds fields without notice; they are dropped), strict about what
 * we use. What is declared here is all the mapping can read (the parsed types have no other
 * keys), so a test checks every field declared against the vendor's own JSON schema of each
 * topic (sim/contracts/shopify).
 * https://shopify.dev/docs/api/webhooks (topics checkouts/create, checkouts/update, orders/create)
 */
import { z } from 'zod';
import type { VendorUrls } from '../vendor-urls.ts';

const Address = z.object({
  phone: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  name: z.string().nullish(),
  country_code: z.string().nullish(),
});

const Customer = z.object({
  id: z.union([z.number(), z.string()]).nullish(),
  admin_graphql_api_id: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  phone: z.string().nullish(),
  default_address: Address.nullish(),
  sms_marketing_consent: z.object({ state: z.string().nullish() }).nullish(),
});

const LineItem = z.object({
  title: z.string().nullish(),
  variant_title: z.string().nullish(),
  quantity: z.number().int(),
  price: z.string(),
  product_id: z.union([z.number(), z.string()]).nullish(),
  variant_id: z.union([z.number(), z.string()]).nullish(),
});

export const CheckoutPayload = z.object({
  token: z.string().min(1),
  phone: z.string().nullish(),
  sms_marketing_phone: z.string().nullish(),
  /** Whether the buyer ticked "text me with news and offers" at this checkout. */
  buyer_accepts_sms_marketing: z.boolean().nullish(),
  total_price: z.string(),
  currency: z.string().min(3).max(3),
  abandoned_checkout_url: z.string().nullish(),
  completed_at: z.string().nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string(),
  customer: Customer.nullish(),
  billing_address: Address.nullish(),
  shipping_address: Address.nullish(),
  line_items: z.array(LineItem).default([]),
});

export const OrderPayload = z.object({
  id: z.union([z.number(), z.string()]),
  admin_graphql_api_id: z.string().nullish(),
  checkout_token: z.string().nullish(),
  phone: z.string().nullish(),
  total_price: z.string(),
  currency: z.string().min(3).max(3),
  created_at: z.string().nullish(),
  customer: Customer.nullish(),
  billing_address: Address.nullish(),
  shipping_address: Address.nullish(),
});

export type CheckoutPayload = z.infer<typeof CheckoutPayload>;
export type OrderPayload = z.infer<typeof OrderPayload>;

/** A shop's Admin API is on its own myshopify.com domain. */
export const shopifyUrls: VendorUrls = { vendor: 'Shopify', hosts: ['*.myshopify.com'], fields: ['apiBaseUrl'] };

/** A shop's credentials (a custom app's): checked before the connector is made. */
export const shopifyCredentials = z.object({
  shop: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "must be the shop's myshopify.com domain, e.g. demo.myshopify.com"),
  accessToken: z.string().min(10, 'is shorter than an Admin API access token'),
  /** Signs the webhooks (X-Shopify-Hmac-Sha256). */
  apiSecret: z.string().min(10, "is shorter than an app's API secret key"),
  /** A Shopify-compatible endpoint instead of https://{shop} (a proxy, the simulator). */
  apiBaseUrl: z.url().optional(),
});
export type ShopifyCredentials = z.infer<typeof shopifyCredentials>;

export const CustomerPayload = z.object({
  id: z.union([z.number(), z.string()]),
  admin_graphql_api_id: z.string().nullish(),
  phone: z.string().nullish(),
  default_address: Address.nullish(),
  sms_marketing_consent: z.object({ state: z.string().nullish() }).nullish(),
});

/** customers/data_request: the customer, and the request's id. */
export const DataRequestPayload = z.object({
  shop_domain: z.string(),
  customer: z.object({ id: z.union([z.number(), z.string()]), phone: z.string().nullish() }),
  data_request: z.object({ id: z.union([z.number(), z.string()]) }).nullish(),
});

/** customers/redact (with a customer) and shop/redact (without). */
export const RedactPayload = z.object({
  shop_domain: z.string(),
  customer: z.object({ id: z.union([z.number(), z.string()]), phone: z.string().nullish() }).nullish(),
});

/** The webhook topics each payload schema reads (webhooks/shopify.ts routes them so). */
export const PAYLOAD_TOPICS = [
  { name: 'CheckoutPayload', schema: CheckoutPayload, topics: ['checkouts/create', 'checkouts/update'] },
  { name: 'OrderPayload', schema: OrderPayload, topics: ['orders/create', 'orders/paid'] },
  { name: 'CustomerPayload', schema: CustomerPayload, topics: ['customers/update'] },
  { name: 'DataRequestPayload', schema: DataRequestPayload, topics: ['customers/data_request'] },
  { name: 'RedactPayload', schema: RedactPayload, topics: ['customers/redact', 'shop/redact'] },
] as const;
