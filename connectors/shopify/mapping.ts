/**
 * Shopify webhook payloads as Chaseline's commerce events: pure functions, tested on the
 * vendor's own sample payloads. A number is passed on as written, with the country it came
 * with; normalising (and keeping an invalid one with its reason) is core's job.
 */
import type { CheckoutEvent, CustomerEvent, DataRequestEvent, OrderEvent, RawPhone, RedactEvent } from '../../core/commerce/commerce.ts';
import { CheckoutPayload, CustomerPayload, DataRequestPayload, OrderPayload, RedactPayload } from './schemas.ts';

type Address =
  { phone?: string | null; country_code?: string | null; first_name?: string | null; last_name?: string | null; name?: string | null } | null | undefined;

/**
 * The number to chase, best first: the one given for SMS marketing, the checkout's, the
 * customer's, then the addresses'. Each keeps the country of the address it came with (or
 * the billing/shipping country) so a national number can be read.
 */
function phoneOf(p: {
  sms_marketing_phone?: string | null;
  phone?: string | null;
  customer?: { phone?: string | null; default_address?: Address } | null;
  billing_address?: Address;
  shipping_address?: Address;
}): RawPhone | null {
  const country = p.billing_address?.country_code ?? p.shipping_address?.country_code ?? p.customer?.default_address?.country_code ?? null;
  const candidates: [string | null | undefined, string | null | undefined][] = [
    [p.sms_marketing_phone, country],
    [p.phone, country],
    [p.customer?.phone, country],
    [p.billing_address?.phone, p.billing_address?.country_code],
    [p.shipping_address?.phone, p.shipping_address?.country_code],
    [p.customer?.default_address?.phone, p.customer?.default_address?.country_code],
  ];
  const found = candidates.find(([raw]) => raw && raw.trim());
  return found ? { raw: found[0]!.trim(), country: found[1] ?? country } : null;
}

function nameOf(p: {
  customer?: { first_name?: string | null; last_name?: string | null } | null;
  billing_address?: Address;
  shipping_address?: Address;
}): string | null {
  const parts = (first?: string | null, last?: string | null) => [first, last].filter((x) => x && x.trim()).join(' ') || null;
  return parts(p.customer?.first_name, p.customer?.last_name) ?? p.billing_address?.name ?? p.shipping_address?.name ?? null;
}

/**
 * A resource's id, exactly: Shopify's numeric ids pass 2^53, so JSON.parse rounds them
 * (820982911946154508 arrives as 820982911946154500); the GraphQL id string keeps every digit.
 */
function idOf(r: { id?: number | string | null; admin_graphql_api_id?: string | null } | null | undefined): string | null {
  const fromGid = r?.admin_graphql_api_id?.match(/\/(\d+)$/)?.[1];
  if (fromGid) return fromGid;
  return r?.id === undefined || r?.id === null ? null : String(r.id);
}

const smsConsent = (state: string | null | undefined): CheckoutEvent['smsConsent'] =>
  state === 'subscribed' || state === 'unsubscribed' || state === 'not_subscribed' || state === 'pending' ? state : null;

export function checkoutEvent(shop: string, payload: unknown): CheckoutEvent {
  const c = CheckoutPayload.parse(payload);
  return {
    shop,
    token: c.token,
    phone: phoneOf(c),
    name: nameOf(c),
    customerId: idOf(c.customer),
    // Consent given at this checkout is an opt-in; not ticking the box says nothing (it is
    // not an opt-out: only a withdrawn consent, on the customer, is).
    smsConsent: smsConsent(c.customer?.sms_marketing_consent?.state) ?? (c.buyer_accepts_sms_marketing === true ? 'subscribed' : null),
    cart: {
      items: c.line_items.map((i) => ({ title: [i.title, i.variant_title].filter(Boolean).join(' – ') || 'item', quantity: i.quantity, price: i.price })),
      total: c.total_price,
      currency: c.currency,
      recoveryUrl: c.abandoned_checkout_url ?? null,
    },
    completedAt: c.completed_at ?? null,
    updatedAt: c.updated_at,
  };
}

export function orderEvent(shop: string, payload: unknown): OrderEvent {
  const o = OrderPayload.parse(payload);
  return {
    shop,
    orderId: idOf(o)!,
    checkoutToken: o.checkout_token ?? null,
    phone: phoneOf(o),
    total: o.total_price,
    currency: o.currency,
    createdAt: o.created_at ?? null,
  };
}

export function customerEvent(shop: string, payload: unknown): CustomerEvent {
  const c = CustomerPayload.parse(payload);
  return {
    shop,
    customerId: idOf(c)!,
    phone: phoneOf({ phone: c.phone, customer: { default_address: c.default_address } }),
    smsConsent: smsConsent(c.sms_marketing_consent?.state),
  };
}

export function redactEvent(shop: string, payload: unknown): RedactEvent {
  const r = RedactPayload.parse(payload);
  if (!r.customer) return { shop, customerId: null, phone: null };
  return { shop, customerId: String(r.customer.id), phone: r.customer.phone ? { raw: r.customer.phone, country: null } : null };
}

export function dataRequestEvent(shop: string, payload: unknown): DataRequestEvent {
  const r = DataRequestPayload.parse(payload);
  return {
    shop,
    requestId: r.data_request ? String(r.data_request.id) : null,
    customerId: String(r.customer.id),
    phone: r.customer.phone ? { raw: r.customer.phone, country: null } : null,
  };
}
