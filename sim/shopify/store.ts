// The store's state: customers, checkouts and orders as plain records that tests can read,
// with Shopify's numeric ids and GIDs. Ids stay below 2^53 (real ones do too), unlike the
// vendor samples whose 18-digit ids were already rounded by JSON.parse.
import { randomBytes } from 'node:crypto';

/** REST/webhook spelling of a channel's consent; GraphQL shows the same in upper case. */
export type SmsConsentState = 'subscribed' | 'not_subscribed' | 'unsubscribed' | 'pending' | 'redacted' | 'invalid';
export interface SmsMarketingConsent {
  state: SmsConsentState;
  opt_in_level: 'single_opt_in' | 'confirmed_opt_in' | 'unknown';
  consent_updated_at: string;
  consent_collected_from: 'SHOPIFY' | 'OTHER';
}

export interface SimMetafield {
  namespace: string;
  key: string;
  type: string;
  value: string;
  updatedAt: string;
}

export interface SimCustomer {
  id: number;
  gid: string;
  firstName: string;
  lastName: string;
  email: string;
  /** E.164, or null: a customer may have only an email. */
  phone: string | null;
  tags: string[];
  note: string | null;
  smsMarketingConsent: SmsMarketingConsent | null;
  /** Metafields set through metafieldsSet, by `namespace.key`. */
  metafields?: Record<string, SimMetafield>;
  acceptsMarketing: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface SimLineItem {
  title: string;
  /** Unit price, a decimal string as Shopify sends money ("19.99"). */
  price: string;
  quantity: number;
  sku?: string;
  variantId?: number;
  productId?: number;
  grams?: number;
}

export interface SimCheckout {
  token: string;
  /** Shown to the merchant, e.g. "#7000000003". */
  name: string;
  cartToken: string;
  customerId: number;
  email: string;
  phone: string | null;
  smsMarketingPhone: string | null;
  buyerAcceptsSmsMarketing: boolean;
  lineItems: SimLineItem[];
  currency: string;
  note: string | null;
  abandonedCheckoutUrl: string;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  /** The order placed from this checkout, once completed. */
  orderId: number | null;
}

export type FinancialStatus = 'pending' | 'authorized' | 'paid' | 'partially_paid' | 'refunded' | 'voided';
export interface SimOrder {
  id: number;
  gid: string;
  name: string;
  number: number;
  token: string;
  checkoutToken: string | null;
  cartToken: string | null;
  customerId: number;
  email: string;
  phone: string | null;
  lineItems: SimLineItem[];
  currency: string;
  financialStatus: FinancialStatus;
  note: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  processedAt: string;
}

export const gidOf = (type: 'Customer' | 'Order' | 'LineItem', id: number) => `gid://shopify/${type}/${id}`;
export const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** Money as Shopify writes it: a string with two decimals. */
export const money = (cents: number) => (cents / 100).toFixed(2);
export const cents = (amount: string) => Math.round(Number(amount) * 100);
export const lineTotal = (items: SimLineItem[]) => money(items.reduce((sum, li) => sum + cents(li.price) * li.quantity, 0));

/** Shopify keeps tags as a set, trimmed, compared case-insensitively, shown sorted. */
export function mergeTags(existing: string[], added: string[]): string[] {
  const out = [...existing];
  for (const tag of added.map((t) => t.trim()).filter(Boolean)) {
    if (!out.some((t) => t.toLowerCase() === tag.toLowerCase())) out.push(tag);
  }
  return out.sort((a, b) => a.localeCompare(b));
}

export class ShopState {
  readonly customers = new Map<number, SimCustomer>();
  readonly checkouts = new Map<string, SimCheckout>();
  readonly orders = new Map<number, SimOrder>();
  private nextId = 7_000_000_001;
  private nextOrderNumber = 1001;

  id(): number {
    return this.nextId++;
  }

  orderNumber(): number {
    return this.nextOrderNumber++;
  }

  customer(id: number): SimCustomer {
    const c = this.customers.get(id);
    if (!c) throw new Error(`no customer ${id} in the simulated store`);
    return c;
  }

  checkout(token: string): SimCheckout {
    const c = this.checkouts.get(token);
    if (!c) throw new Error(`no checkout ${token} in the simulated store`);
    return c;
  }

  order(id: number): SimOrder {
    const o = this.orders.get(id);
    if (!o) throw new Error(`no order ${id} in the simulated store`);
    return o;
  }

  /** The record a GID names, if this store has it. */
  byGid(gid: string): { type: 'Customer'; record: SimCustomer } | { type: 'Order'; record: SimOrder } | undefined {
    const m = /^gid:\/\/shopify\/(Customer|Order)\/(\d+)$/.exec(gid);
    if (!m) return undefined;
    const id = Number(m[2]);
    if (m[1] === 'Customer') {
      const record = this.customers.get(id);
      return record && { type: 'Customer', record };
    }
    const record = this.orders.get(id);
    return record && { type: 'Order', record };
  }
}
