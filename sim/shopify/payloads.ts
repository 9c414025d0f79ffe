// Webhook bodies, built by overriding the vendor's sample payload of each topic with the
// store's state. Pure functions: state in, JSON out. Fields we do not model keep the
// sample's values (or are emptied, e.g. discounts and shipping, so totals stay coherent).
import { clone, type Json, type JsonObject, type Topic } from './vendor.ts';
import { cents, gidOf, hex, lineTotal, money, type SimCheckout, type SimCustomer, type SimLineItem, type SimOrder } from './store.ts';

export interface ShopInfo {
  shop: string;
  shopId: number;
  samples: Record<Topic, JsonObject>;
}

const obj = (value: Json | undefined): JsonObject => {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('vendor sample: expected an object');
  return value;
};
const first = (value: Json | undefined): JsonObject => obj(Array.isArray(value) ? value[0] : undefined);
const moneySet = (amount: string, currency: string): JsonObject => ({
  shop_money: { amount, currency_code: currency },
  presentment_money: { amount, currency_code: currency },
});

/** The customer's address, from the sample's default address with their own name and phone. */
function defaultAddress(template: JsonObject, c: SimCustomer, addressId: number): JsonObject {
  return {
    ...clone(template),
    id: addressId,
    customer_id: c.id,
    first_name: c.firstName,
    last_name: c.lastName,
    name: `${c.firstName} ${c.lastName}`,
    // The schemas type an address phone as a string; Shopify sends "" rather than omit it.
    phone: c.phone ?? '',
  };
}

/** A buyer's billing/shipping address (the sample's shape, the buyer's name and phone). */
function buyerAddress(template: JsonObject, c: SimCustomer, phone: string | null): JsonObject {
  return { ...clone(template), first_name: c.firstName, last_name: c.lastName, name: `${c.firstName} ${c.lastName}`, phone: phone ?? '' };
}

/** The customer object embedded in checkouts and orders. */
function embeddedCustomer(template: JsonObject, c: SimCustomer, currency: string): JsonObject {
  return {
    ...clone(template),
    id: c.id,
    email: c.email,
    first_name: c.firstName,
    last_name: c.lastName,
    phone: c.phone,
    note: c.note,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    currency,
    tags: c.tags.join(', '),
    admin_graphql_api_id: c.gid,
    sms_marketing_consent: c.smsMarketingConsent ? { ...c.smsMarketingConsent } : null,
    default_address: defaultAddress(obj(template.default_address), c, c.id + 1),
  };
}

const variantId = (li: SimLineItem, i: number) => li.variantId ?? 40_000_000_000 + i;
const productId = (li: SimLineItem, i: number) => li.productId ?? 8_000_000_000 + i;
const weight = (items: SimLineItem[]) => items.reduce((sum, li) => sum + (li.grams ?? 0) * li.quantity, 0);

export function checkoutPayload(info: ShopInfo, checkout: SimCheckout, customer: SimCustomer, topic: 'checkouts/create' | 'checkouts/update'): JsonObject {
  const sample = info.samples[topic];
  const lineTemplate = first(sample.line_items);
  const total = lineTotal(checkout.lineItems);
  const vendor = info.shop.split('.')[0] ?? 'demo';
  return {
    ...clone(sample),
    token: checkout.token,
    cart_token: checkout.cartToken,
    email: checkout.email,
    created_at: checkout.createdAt,
    updated_at: checkout.updatedAt,
    completed_at: checkout.completedAt,
    closed_at: null,
    note: checkout.note,
    currency: checkout.currency,
    presentment_currency: checkout.currency,
    phone: checkout.phone,
    sms_marketing_phone: checkout.smsMarketingPhone,
    buyer_accepts_sms_marketing: checkout.buyerAcceptsSmsMarketing,
    buyer_accepts_marketing: customer.acceptsMarketing,
    name: checkout.name,
    abandoned_checkout_url: checkout.abandonedCheckoutUrl,
    line_items: checkout.lineItems.map((li, i) => ({
      ...clone(lineTemplate),
      key: hex(16),
      title: li.title,
      presentment_title: li.title,
      variant_title: '',
      presentment_variant_title: '',
      sku: li.sku ?? '',
      vendor,
      product_id: productId(li, i),
      variant_id: variantId(li, i),
      quantity: li.quantity,
      grams: li.grams ?? 0,
      price: li.price,
      variant_price: li.price,
      line_price: money(cents(li.price) * li.quantity),
      // The vendor sample has null here, which its own schema refuses (array or object);
      // real deliveries carry the buyer's line-item properties, none in the simulator.
      properties: [],
      tax_lines: [],
      applied_discounts: [],
      discount_allocations: [],
    })),
    discount_codes: [],
    shipping_lines: [],
    tax_lines: [],
    total_line_items_price: total,
    subtotal_price: total,
    total_discounts: '0.00',
    total_tax: '0.00',
    total_price: total,
    // Null in the sample, but the schema requires a number or a string: no duties is "0.00".
    total_duties: '0.00',
    total_weight: weight(checkout.lineItems),
    billing_address: buyerAddress(obj(sample.billing_address), customer, checkout.phone ?? customer.phone),
    shipping_address: buyerAddress(obj(sample.shipping_address), customer, checkout.phone ?? customer.phone),
    customer: embeddedCustomer(obj(sample.customer), customer, checkout.currency),
  };
}

export function orderPayload(info: ShopInfo, order: SimOrder, customer: SimCustomer, topic: 'orders/create' | 'orders/paid'): JsonObject {
  const sample = info.samples[topic];
  const lineTemplate = first(sample.line_items);
  const total = lineTotal(order.lineItems);
  const zero = moneySet('0.00', order.currency);
  const totalSet = moneySet(total, order.currency);
  const paid = order.financialStatus === 'paid';
  return {
    ...clone(sample),
    id: order.id,
    admin_graphql_api_id: order.gid,
    name: order.name,
    number: order.number - 1000,
    order_number: order.number,
    token: order.token,
    checkout_token: order.checkoutToken,
    cart_token: order.cartToken,
    email: order.email,
    contact_email: order.email,
    phone: order.phone,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
    processed_at: order.processedAt,
    cancel_reason: null,
    cancelled_at: null,
    closed_at: null,
    confirmed: true,
    confirmation_number: hex(5).toUpperCase().slice(0, 9),
    financial_status: order.financialStatus,
    fulfillment_status: null,
    note: order.note,
    tags: order.tags.join(', '),
    test: false,
    currency: order.currency,
    presentment_currency: order.currency,
    buyer_accepts_marketing: customer.acceptsMarketing,
    order_status_url: `https://${info.shop}/${info.shopId}/orders/${order.token}/authenticate?key=${hex(16)}`,
    line_items: order.lineItems.map((li, i) => {
      const id = order.id * 10 + i + 1;
      return {
        ...clone(lineTemplate),
        id,
        admin_graphql_api_id: gidOf('LineItem', id),
        attributed_staffs: [],
        name: li.title,
        title: li.title,
        sku: li.sku ?? '',
        quantity: li.quantity,
        current_quantity: li.quantity,
        fulfillable_quantity: li.quantity,
        grams: li.grams ?? 0,
        price: li.price,
        price_set: moneySet(li.price, order.currency),
        total_discount: '0.00',
        total_discount_set: zero,
        product_id: productId(li, i),
        variant_id: variantId(li, i),
        tax_lines: [],
        discount_allocations: [],
      };
    }),
    discount_codes: [],
    discount_applications: [],
    shipping_lines: [],
    tax_lines: [],
    total_line_items_price: total,
    total_line_items_price_set: totalSet,
    subtotal_price: total,
    subtotal_price_set: totalSet,
    current_subtotal_price: total,
    current_subtotal_price_set: totalSet,
    total_price: total,
    total_price_set: totalSet,
    current_total_price: total,
    current_total_price_set: totalSet,
    total_discounts: '0.00',
    total_discounts_set: zero,
    current_total_discounts: '0.00',
    current_total_discounts_set: zero,
    total_tax: '0.00',
    total_tax_set: zero,
    current_total_tax: '0.00',
    current_total_tax_set: zero,
    total_shipping_price_set: zero,
    current_shipping_price_set: zero,
    total_outstanding: paid ? '0.00' : total,
    total_weight: weight(order.lineItems),
    billing_address: buyerAddress(obj(sample.billing_address), customer, order.phone ?? customer.phone),
    shipping_address: buyerAddress(obj(sample.shipping_address), customer, order.phone ?? customer.phone),
    customer: embeddedCustomer(obj(sample.customer), customer, order.currency),
  };
}

/**
 * customers/update. `tags` and `sms_marketing_consent` are not in the vendor schema (it was
 * derived from one sample) but are part of Shopify's Customer resource and of real
 * deliveries; the schema allows extra properties, and Chaseline needs the consent.
 */
export function customerPayload(info: ShopInfo, c: SimCustomer): JsonObject {
  const sample = info.samples['customers/update'];
  return {
    ...clone(sample),
    id: c.id,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    first_name: c.firstName,
    last_name: c.lastName,
    email: c.email,
    phone: c.phone,
    // The schema types `note` as a string (never null), so an empty note is "".
    note: c.note ?? '',
    tags: c.tags.join(', '),
    addresses: [],
    admin_graphql_api_id: c.gid,
    default_address: defaultAddress(obj(sample.default_address), c, c.id + 1),
    sms_marketing_consent: c.smsMarketingConsent ? { ...c.smsMarketingConsent } : null,
  };
}

/** The customer as the GDPR topics show them: id, email, phone. */
const gdprCustomer = (c: SimCustomer): JsonObject => ({ id: c.id, email: c.email, phone: c.phone });

export function dataRequestPayload(info: ShopInfo, c: SimCustomer, orderIds: number[], dataRequestId: number): JsonObject {
  return { shop_id: info.shopId, shop_domain: info.shop, customer: gdprCustomer(c), orders_requested: orderIds, data_request: { id: dataRequestId } };
}

export function customerRedactPayload(info: ShopInfo, c: SimCustomer, orderIds: number[]): JsonObject {
  return { shop_id: info.shopId, shop_domain: info.shop, customer: gdprCustomer(c), orders_to_redact: orderIds };
}

export function shopRedactPayload(info: ShopInfo): JsonObject {
  return { shop_id: info.shopId, shop_domain: info.shop };
}
