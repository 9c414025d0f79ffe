/**
 * Commerce events as Chaseline sees them, whatever the store (Shopify today): an abandoned
 * checkout to chase, an order that may end a chase and recover its revenue. Connectors map
 * their payloads to these; core never reads a vendor's payload.
 */
import type { RawPhone } from '../phone/phone.ts';

/** The store's connector (the registry's type): its customers are the contacts' CRM references, its orders get the notes. */
export const STORE_SYSTEM = 'shopify';

/** A number as the store wrote it, with the country of the address it came with (when known). */
export type { RawPhone };

export interface CheckoutEvent {
  shop: string;
  /** The checkout's token: one abandonment, one chase. */
  token: string;
  phone: RawPhone | null;
  name: string | null;
  customerId: string | null;
  smsConsent: 'subscribed' | 'unsubscribed' | 'not_subscribed' | 'pending' | null;
  cart: {
    items: { title: string; quantity: number; price: string }[];
    /** Decimal strings as the store sends them: money is never a float. */
    total: string;
    currency: string;
    /** The link that brings the buyer back to their cart. */
    recoveryUrl: string | null;
  };
  /** Set once the checkout became an order: its chase stops. */
  completedAt: string | null;
  updatedAt: string;
}

export interface OrderEvent {
  shop: string;
  orderId: string;
  /** The checkout the order came from, when it did. */
  checkoutToken: string | null;
  phone: RawPhone | null;
  total: string;
  currency: string;
  createdAt: string | null;
}

/** A customer's record changed at the store: what Chaseline takes from it is their SMS consent. */
export interface CustomerEvent {
  shop: string;
  customerId: string;
  phone: RawPhone | null;
  smsConsent: CheckoutEvent['smsConsent'];
}

/** A customer asked the store what its apps hold on them: Chaseline compiles it for the merchant. */
export interface DataRequestEvent {
  shop: string;
  /** The store's id of the request. */
  requestId: string | null;
  customerId: string;
  phone: RawPhone | null;
}

/** The store asks for a customer's personal data to be erased — or, with no customer, everything from the shop. */
export interface RedactEvent {
  shop: string;
  customerId: string | null;
  phone: RawPhone | null;
}

/** The store uninstalled Chaseline's app: its token is dead, and its customers' data is to be erased. */
export interface UninstallEvent {
  shop: string;
  uninstalled: true;
}
