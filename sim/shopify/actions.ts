// What happens in the store — a buyer abandons a checkout, completes it, an order is
// placed and paid, a customer changes their SMS consent, a merchant asks for GDPR data
// requests and redactions — each changing the state and sending the webhook Shopify sends.
import { customerPayload, checkoutPayload, customerRedactPayload, dataRequestPayload, orderPayload, shopRedactPayload, type ShopInfo } from './payloads.ts';
import {
  gidOf,
  hex,
  type FinancialStatus,
  type ShopState,
  type SimCheckout,
  type SimCustomer,
  type SimLineItem,
  type SimOrder,
  type SmsConsentState,
  type SmsMarketingConsent,
} from './store.ts';
import type { SendOptions, WebhookDelivery, WebhookSender } from './webhooks.ts';

export interface CustomerInput {
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string | null;
  tags?: string[];
  note?: string | null;
  /** A state (`'subscribed'`…) or the full consent record. */
  smsMarketingConsent?: SmsConsentState | Partial<SmsMarketingConsent> | null;
  acceptsMarketing?: boolean;
}
export type CustomerChanges = CustomerInput;

export interface CheckoutInput {
  /** An existing customer; otherwise one is created from `customer`. */
  customerId?: number;
  customer?: CustomerInput;
  email?: string;
  /** The checkout's phone; default the customer's. */
  phone?: string | null;
  /** The phone the buyer gave for SMS marketing; default `phone` when they accepted. */
  smsMarketingPhone?: string | null;
  buyerAcceptsSmsMarketing?: boolean;
  lineItems?: SimLineItem[];
  currency?: string;
  note?: string | null;
}
export type CheckoutChanges = Omit<CheckoutInput, 'customerId' | 'customer'>;

export interface OrderInput {
  /** Place the order from this checkout (its buyer, items, `checkout_token`). */
  checkoutToken?: string;
  customerId?: number;
  customer?: CustomerInput;
  lineItems?: SimLineItem[];
  currency?: string;
  phone?: string | null;
  /** Default `paid`, which also sends orders/paid. */
  financialStatus?: FinancialStatus;
  note?: string | null;
  tags?: string[];
}

export interface StoreActions {
  /** The store's timestamp format (ISO 8601 with an offset, no milliseconds). */
  timestamp(): string;
  /** Adds a customer (no webhook: customers/create is not a topic the app subscribes to). */
  createCustomer(input?: CustomerInput): SimCustomer;
  updateCustomer(customerId: number, changes: CustomerChanges, options?: SendOptions): Promise<{ customer: SimCustomer; delivery: WebhookDelivery }>;
  sendCustomerUpdate(customer: SimCustomer, options?: SendOptions): Promise<WebhookDelivery>;
  /** A buyer reaches checkout and gives contact details: checkouts/create. */
  createCheckout(input?: CheckoutInput, options?: SendOptions): Promise<{ checkout: SimCheckout; delivery: WebhookDelivery }>;
  updateCheckout(token: string, changes: CheckoutChanges, options?: SendOptions): Promise<{ checkout: SimCheckout; delivery: WebhookDelivery }>;
  /** The buyer pays: completed_at is set (checkouts/update), and the order is placed (orders/create, orders/paid). */
  completeCheckout(
    token: string,
    options?: SendOptions & { financialStatus?: FinancialStatus },
  ): Promise<{ checkout: SimCheckout; order: SimOrder; deliveries: WebhookDelivery[] }>;
  placeOrder(input?: OrderInput, options?: SendOptions): Promise<{ order: SimOrder; deliveries: WebhookDelivery[] }>;
  /** A pending order is paid: orders/paid. */
  payOrder(orderId: number, options?: SendOptions): Promise<{ order: SimOrder; delivery: WebhookDelivery }>;
  requestCustomerData(customerId: number, options?: SendOptions): Promise<WebhookDelivery>;
  redactCustomer(customerId: number, options?: SendOptions): Promise<WebhookDelivery>;
  redactShop(options?: SendOptions): Promise<WebhookDelivery>;
}

const DEFAULT_ITEMS: SimLineItem[] = [{ title: 'Linen Shirt', price: '49.00', quantity: 1, sku: 'LS-01', grams: 300 }];

export function createStoreActions(deps: { state: ShopState; sender: WebhookSender; info: ShopInfo; now: () => Date }): StoreActions {
  const { state, sender, info } = deps;
  const timestamp = () =>
    deps
      .now()
      .toISOString()
      .replace(/\.\d{3}Z$/, '+00:00');

  const consentOf = (value: CustomerInput['smsMarketingConsent'], current: SmsMarketingConsent | null): SmsMarketingConsent | null => {
    if (value === undefined) return current;
    if (value === null) return null;
    const given = typeof value === 'string' ? { state: value } : value;
    return {
      state: given.state ?? current?.state ?? 'not_subscribed',
      opt_in_level: given.opt_in_level ?? current?.opt_in_level ?? 'single_opt_in',
      consent_updated_at: given.consent_updated_at ?? timestamp(),
      consent_collected_from: given.consent_collected_from ?? 'OTHER',
    };
  };

  const createCustomer = (input: CustomerInput = {}): SimCustomer => {
    const id = state.id();
    const at = timestamp();
    const customer: SimCustomer = {
      id,
      gid: gidOf('Customer', id),
      firstName: input.firstName ?? 'Jane',
      lastName: input.lastName ?? 'Doe',
      email: input.email ?? `customer${id}@example.com`,
      phone: input.phone ?? null,
      tags: [...(input.tags ?? [])],
      note: input.note ?? null,
      smsMarketingConsent: consentOf(input.smsMarketingConsent, null),
      acceptsMarketing: input.acceptsMarketing ?? false,
      createdAt: at,
      updatedAt: at,
    };
    state.customers.set(id, customer);
    return customer;
  };

  const buyer = (input: { customerId?: number; customer?: CustomerInput }) =>
    input.customerId !== undefined ? state.customer(input.customerId) : createCustomer(input.customer);

  const sendCustomerUpdate = (c: SimCustomer, options?: SendOptions) => sender.send('customers/update', customerPayload(info, c), options);
  const sendCheckout = (c: SimCheckout, topic: 'checkouts/create' | 'checkouts/update', options?: SendOptions) =>
    sender.send(topic, checkoutPayload(info, c, state.customer(c.customerId), topic), options);

  const applyCheckout = (c: SimCheckout, changes: CheckoutChanges) => {
    if (changes.email !== undefined) c.email = changes.email;
    if (changes.phone !== undefined) c.phone = changes.phone;
    if (changes.buyerAcceptsSmsMarketing !== undefined) c.buyerAcceptsSmsMarketing = changes.buyerAcceptsSmsMarketing;
    if (changes.smsMarketingPhone !== undefined) c.smsMarketingPhone = changes.smsMarketingPhone;
    else if (changes.buyerAcceptsSmsMarketing !== undefined) c.smsMarketingPhone = c.buyerAcceptsSmsMarketing ? c.phone : null;
    if (changes.lineItems) c.lineItems = changes.lineItems.map((li) => ({ ...li }));
    if (changes.currency !== undefined) c.currency = changes.currency;
    if (changes.note !== undefined) c.note = changes.note;
  };

  const placeOrder = async (input: OrderInput = {}, options?: SendOptions) => {
    const checkout = input.checkoutToken !== undefined ? state.checkout(input.checkoutToken) : undefined;
    const customer = checkout ? state.customer(checkout.customerId) : buyer(input);
    const id = state.id();
    const number = state.orderNumber();
    const at = timestamp();
    const order: SimOrder = {
      id,
      gid: gidOf('Order', id),
      name: `#${number}`,
      number,
      token: hex(16),
      checkoutToken: checkout?.token ?? null,
      cartToken: checkout?.cartToken ?? null,
      customerId: customer.id,
      email: checkout?.email ?? customer.email,
      phone: input.phone !== undefined ? input.phone : (checkout?.phone ?? customer.phone),
      lineItems: (input.lineItems ?? checkout?.lineItems ?? DEFAULT_ITEMS).map((li) => ({ ...li })),
      currency: input.currency ?? checkout?.currency ?? 'USD',
      financialStatus: input.financialStatus ?? 'paid',
      note: input.note ?? null,
      tags: [...(input.tags ?? [])],
      createdAt: at,
      updatedAt: at,
      processedAt: at,
    };
    state.orders.set(id, order);
    if (checkout && !checkout.completedAt) {
      checkout.completedAt = at;
      checkout.updatedAt = at;
    }
    if (checkout) checkout.orderId = id;
    const deliveries = [await sender.send('orders/create', orderPayload(info, order, customer, 'orders/create'), options)];
    if (order.financialStatus === 'paid') deliveries.push(await sender.send('orders/paid', orderPayload(info, order, customer, 'orders/paid'), options));
    return { order, deliveries };
  };

  const gdprOrders = (customerId: number) => [...state.orders.values()].filter((o) => o.customerId === customerId).map((o) => o.id);

  return {
    timestamp,
    createCustomer,
    sendCustomerUpdate,
    async updateCustomer(customerId, changes, options) {
      const c = state.customer(customerId);
      if (changes.firstName !== undefined) c.firstName = changes.firstName;
      if (changes.lastName !== undefined) c.lastName = changes.lastName;
      if (changes.email !== undefined) c.email = changes.email;
      if (changes.phone !== undefined) c.phone = changes.phone;
      if (changes.tags !== undefined) c.tags = [...changes.tags];
      if (changes.note !== undefined) c.note = changes.note;
      if (changes.acceptsMarketing !== undefined) c.acceptsMarketing = changes.acceptsMarketing;
      c.smsMarketingConsent = consentOf(changes.smsMarketingConsent, c.smsMarketingConsent);
      c.updatedAt = timestamp();
      return { customer: c, delivery: await sendCustomerUpdate(c, options) };
    },
    async createCheckout(input = {}, options) {
      const customer = buyer(input);
      const token = hex(16);
      const at = timestamp();
      const phone = input.phone !== undefined ? input.phone : customer.phone;
      const accepts = input.buyerAcceptsSmsMarketing ?? false;
      const checkout: SimCheckout = {
        token,
        name: `#${state.id()}`,
        cartToken: hex(16),
        customerId: customer.id,
        email: input.email ?? customer.email,
        phone,
        smsMarketingPhone: input.smsMarketingPhone !== undefined ? input.smsMarketingPhone : accepts ? phone : null,
        buyerAcceptsSmsMarketing: accepts,
        lineItems: (input.lineItems ?? DEFAULT_ITEMS).map((li) => ({ ...li })),
        currency: input.currency ?? 'USD',
        note: input.note ?? null,
        abandonedCheckoutUrl: `https://${info.shop}/${info.shopId}/checkouts/${token}/recover?key=${hex(16)}`,
        createdAt: at,
        updatedAt: at,
        completedAt: null,
        orderId: null,
      };
      state.checkouts.set(token, checkout);
      return { checkout, delivery: await sendCheckout(checkout, 'checkouts/create', options) };
    },
    async updateCheckout(token, changes, options) {
      const checkout = state.checkout(token);
      applyCheckout(checkout, changes);
      checkout.updatedAt = timestamp();
      return { checkout, delivery: await sendCheckout(checkout, 'checkouts/update', options) };
    },
    async completeCheckout(token, options = {}) {
      const checkout = state.checkout(token);
      if (checkout.completedAt) throw new Error(`checkout ${token} is already completed`);
      const at = timestamp();
      checkout.completedAt = at;
      checkout.updatedAt = at;
      // Consent given at checkout lands on the customer, collected by Shopify.
      const customer = state.customer(checkout.customerId);
      if (checkout.buyerAcceptsSmsMarketing && checkout.smsMarketingPhone) {
        customer.phone ??= checkout.smsMarketingPhone;
        customer.smsMarketingConsent = { state: 'subscribed', opt_in_level: 'single_opt_in', consent_updated_at: at, consent_collected_from: 'SHOPIFY' };
        customer.updatedAt = at;
      }
      const first = await sendCheckout(checkout, 'checkouts/update', options);
      const { order, deliveries } = await placeOrder({ checkoutToken: token, financialStatus: options.financialStatus }, options);
      return { checkout, order, deliveries: [first, ...deliveries] };
    },
    placeOrder,
    async payOrder(orderId, options) {
      const order = state.order(orderId);
      order.financialStatus = 'paid';
      order.updatedAt = timestamp();
      return { order, delivery: await sender.send('orders/paid', orderPayload(info, order, state.customer(order.customerId), 'orders/paid'), options) };
    },
    requestCustomerData: (customerId, options) =>
      sender.send('customers/data_request', dataRequestPayload(info, state.customer(customerId), gdprOrders(customerId), state.id()), options),
    redactCustomer: (customerId, options) =>
      sender.send('customers/redact', customerRedactPayload(info, state.customer(customerId), gdprOrders(customerId)), options),
    redactShop: (options) => sender.send('shop/redact', shopRedactPayload(info), options),
  };
}
