// The Admin GraphQL operations Chaseline uses — `shop` (the store itself: a cheap read that
// proves the access token), `customer(id)`, `order(id)`, `tagsAdd`,
// `tagsRemove`, `orderUpdate`, `customerSmsMarketingConsentUpdate` (an opt-out written back), `metafieldsSet` (a chase's result) — checked against a small schema before anything runs (so a misspelt
// field is Shopify's `undefinedField` error, and a mutation never half-runs), executed
// against the store, and charged to Shopify's cost-based throttle.
// https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits
import { parseDocument, valueOf, GraphQLSyntaxError, type Field } from './graphql-parse.ts';
import { mergeTags, lineTotal, type ShopState, type SimCustomer, type SimOrder, type SmsMarketingConsent } from './store.ts';

/** Each type's fields: the field's object type, or null for a scalar (or list of scalars). */
const SCHEMA: Record<string, Record<string, string | null>> = {
  QueryRoot: { shop: 'Shop', customer: 'Customer', order: 'Order' },
  Shop: { id: null, name: null, myshopifyDomain: null, email: null, currencyCode: null },
  Mutation: {
    tagsAdd: 'TagsAddPayload',
    tagsRemove: 'TagsRemovePayload',
    orderUpdate: 'OrderUpdatePayload',
    customerSmsMarketingConsentUpdate: 'CustomerSmsMarketingConsentUpdatePayload',
    metafieldsSet: 'MetafieldsSetPayload',
  },
  MetafieldsSetPayload: { metafields: 'Metafield', userErrors: 'MetafieldsSetUserError' },
  Metafield: { id: null, namespace: null, key: null, type: null, value: null, createdAt: null, updatedAt: null },
  MetafieldsSetUserError: { field: null, message: null, code: null, elementIndex: null },
  Customer: {
    id: null,
    firstName: null,
    lastName: null,
    displayName: null,
    email: null,
    phone: null,
    tags: null,
    note: null,
    createdAt: null,
    updatedAt: null,
    smsMarketingConsent: 'CustomerSmsMarketingConsentState',
  },
  CustomerSmsMarketingConsentState: { marketingState: null, marketingOptInLevel: null, consentUpdatedAt: null, consentCollectedFrom: null },
  Order: {
    id: null,
    name: null,
    note: null,
    tags: null,
    email: null,
    phone: null,
    createdAt: null,
    updatedAt: null,
    displayFinancialStatus: null,
    customer: 'Customer',
    totalPriceSet: 'MoneyBag',
  },
  MoneyBag: { shopMoney: 'MoneyV2', presentmentMoney: 'MoneyV2' },
  MoneyV2: { amount: null, currencyCode: null },
  Node: { id: null },
  TagsAddPayload: { node: 'Node', userErrors: 'UserError' },
  TagsRemovePayload: { node: 'Node', userErrors: 'UserError' },
  CustomerSmsMarketingConsentUpdatePayload: { customer: 'Customer', userErrors: 'CustomerSmsMarketingConsentError' },
  CustomerSmsMarketingConsentError: { field: null, message: null, code: null },
  OrderUpdatePayload: { order: 'Order', userErrors: 'UserError' },
  UserError: { field: null, message: null },
};
// MetafieldsSetInput's fields, and the metafield types Chaseline writes (of Shopify's many) with what each value must look like.
const METAFIELD_INPUT = new Set(['ownerId', 'namespace', 'key', 'type', 'value', 'compareDigest']);
const METAFIELD_TYPES: Record<string, (v: string) => boolean> = {
  single_line_text_field: (v) => !/[\r\n]/.test(v),
  multi_line_text_field: () => true,
  number_integer: (v) => /^-?\d+$/.test(v),
  date_time: (v) => !Number.isNaN(Date.parse(v)),
  boolean: (v) => v === 'true' || v === 'false',
};
const ORDER_INPUT = new Set(['id', 'note', 'tags', 'email']);
// CustomerSmsMarketingState and CustomerMarketingOptInLevel, the input enums.
const SMS_STATES = new Set(['NOT_SUBSCRIBED', 'PENDING', 'SUBSCRIBED', 'UNSUBSCRIBED', 'REDACTED']);
const OPT_IN_LEVELS = new Set(['SINGLE_OPT_IN', 'CONFIRMED_OPT_IN', 'UNKNOWN']);
const invalidVariable = (type: string, path: string[], explanation: string) =>
  new RequestError([
    {
      message: `Variable $input of type ${type}! was provided invalid value for ${path.join('.')} (${explanation})`,
      extensions: { code: 'INVALID_VARIABLE', problems: [{ path, explanation }] },
    },
  ]);

export interface GraphQLError {
  message: string;
  locations?: { line: number; column: number }[];
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export interface ThrottleOptions {
  /** Bucket size in cost points. Default 2000 (Shopify's standard plan). */
  maximumAvailable?: number;
  /** Points restored per second. Default 100. */
  restoreRate?: number;
}

export interface GraphQLResult {
  data?: Record<string, unknown> | null;
  errors?: GraphQLError[];
  extensions?: {
    cost: {
      requestedQueryCost: number;
      actualQueryCost: number | null;
      throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
    };
  };
}

/** The leaky bucket: cost points drain per request and refill at `restoreRate` per second. */
export class CostBucket {
  readonly maximumAvailable: number;
  readonly restoreRate: number;
  private available: number;
  private at: number;
  constructor(
    options: ThrottleOptions,
    private readonly now: () => number,
  ) {
    this.maximumAvailable = options.maximumAvailable ?? 2000;
    this.restoreRate = options.restoreRate ?? 100;
    this.available = this.maximumAvailable;
    this.at = now();
  }

  currentlyAvailable(): number {
    const t = this.now();
    this.available = Math.min(this.maximumAvailable, this.available + ((t - this.at) / 1000) * this.restoreRate);
    this.at = t;
    return this.available;
  }

  take(points: number): boolean {
    if (this.currentlyAvailable() < points) return false;
    this.available -= points;
    return true;
  }

  status() {
    return { maximumAvailable: this.maximumAvailable, currentlyAvailable: Math.floor(this.currentlyAvailable()), restoreRate: this.restoreRate };
  }
}

const dateTime = (iso: string) => new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function customerNode(c: SimCustomer) {
  const consent = c.smsMarketingConsent;
  return {
    __typename: 'Customer',
    id: c.gid,
    firstName: c.firstName,
    lastName: c.lastName,
    displayName: `${c.firstName} ${c.lastName}`.trim(),
    email: c.email,
    phone: c.phone,
    tags: [...c.tags],
    note: c.note,
    createdAt: dateTime(c.createdAt),
    updatedAt: dateTime(c.updatedAt),
    smsMarketingConsent: consent && {
      __typename: 'CustomerSmsMarketingConsentState',
      marketingState: consent.state.toUpperCase(),
      marketingOptInLevel: consent.opt_in_level.toUpperCase(),
      consentUpdatedAt: dateTime(consent.consent_updated_at),
      consentCollectedFrom: consent.consent_collected_from,
    },
  };
}

function orderNode(o: SimOrder, state: ShopState) {
  const amount = { __typename: 'MoneyV2', amount: lineTotal(o.lineItems), currencyCode: o.currency };
  return {
    __typename: 'Order',
    id: o.gid,
    name: o.name,
    note: o.note,
    tags: [...o.tags],
    email: o.email,
    phone: o.phone,
    createdAt: dateTime(o.createdAt),
    updatedAt: dateTime(o.updatedAt),
    displayFinancialStatus: o.financialStatus.toUpperCase(),
    customer: customerNode(state.customer(o.customerId)),
    totalPriceSet: { __typename: 'MoneyBag', shopMoney: amount, presentmentMoney: amount },
  };
}

const userError = (field: string[], message: string) => ({ __typename: 'UserError', field, message });
/** Shopify takes a list or one comma-separated string, and splits on commas either way. */
const splitTags = (raw: unknown) =>
  (Array.isArray(raw) ? raw : [raw])
    .flatMap((t) => String(t ?? '').split(','))
    .map((t) => t.trim())
    .filter(Boolean);

class RequestError extends Error {
  constructor(readonly errors: GraphQLError[]) {
    super(errors[0]?.message);
  }
}

function validate(fields: Field[], type: string, path: string[]): void {
  const known = SCHEMA[type] ?? {};
  for (const f of fields) {
    const here = [...path, f.alias ?? f.name];
    const loc = [{ line: f.line, column: f.column }];
    if (f.name === '__typename') continue;
    if (!(f.name in known)) {
      throw new RequestError([
        {
          message: `Field '${f.name}' doesn't exist on type '${type}'`,
          locations: loc,
          path: here,
          extensions: { code: 'undefinedField', typeName: type, fieldName: f.name },
        },
      ]);
    }
    const child = known[f.name];
    if (child && !f.selections)
      throw new RequestError([
        {
          message: `Field must have selections (field '${f.name}' returns ${child} but has no selections. Did you mean '${f.name} { ... }'?)`,
          locations: loc,
          path: here,
          extensions: { code: 'selectionMismatch', nodeName: `field '${f.name}'`, typeName: child },
        },
      ]);
    if (!child && f.selections)
      throw new RequestError([
        {
          message: `Selections can't be made on scalars (field '${f.name}' returns a scalar)`,
          locations: loc,
          path: here,
          extensions: { code: 'selectionMismatch', nodeName: `field '${f.name}'` },
        },
      ]);
    if (child && f.selections) validate(f.selections, child, here);
  }
}

/** Shopify's calculated cost, simplified: an object is 1 point, a mutation 10, scalars free. */
function costOf(fields: Field[], type: string, mutation: boolean): number {
  return fields.reduce((sum, f) => {
    const child = SCHEMA[type]?.[f.name];
    if (!child || !f.selections) return sum;
    return sum + (mutation ? 10 : 1 + costOf(f.selections, child, false));
  }, 0);
}

/** Picks the selected fields (under their aliases) out of a resolved value. */
function project(value: unknown, fields: Field[]): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((v) => project(v, fields));
  const source = value as Record<string, unknown>;
  return Object.fromEntries(fields.map((f) => [f.alias ?? f.name, f.selections ? project(source[f.name], f.selections) : (source[f.name] ?? null)]));
}

export interface AdminHooks {
  /** A customer changed through the Admin API (Shopify then sends customers/update). */
  customerChanged(customer: SimCustomer): void;
  now(): string;
  /** The store itself, as the `shop` query answers it. */
  shop(): { id: string; name: string; myshopifyDomain: string; email: string; currencyCode: string };
}

function run(state: ShopState, hooks: AdminHooks, f: Field, variables: Record<string, unknown>): unknown {
  const arg = (name: string) => valueOf(f.args[name], variables);
  switch (f.name) {
    case 'shop':
      return { __typename: 'Shop', ...hooks.shop() };
    case 'customer': {
      const found = state.byGid(String(arg('id')));
      return found?.type === 'Customer' ? customerNode(found.record) : null;
    }
    case 'order': {
      const found = state.byGid(String(arg('id')));
      return found?.type === 'Order' ? orderNode(found.record, state) : null;
    }
    case 'tagsAdd': {
      const found = state.byGid(String(arg('id')));
      if (!found) return { __typename: 'TagsAddPayload', node: null, userErrors: [userError(['id'], 'Resource not found')] };
      found.record.tags = mergeTags(found.record.tags, splitTags(arg('tags')));
      found.record.updatedAt = hooks.now();
      if (found.type === 'Customer') hooks.customerChanged(found.record);
      return { __typename: 'TagsAddPayload', node: { __typename: found.type, id: found.record.gid }, userErrors: [] };
    }
    case 'tagsRemove': {
      const found = state.byGid(String(arg('id')));
      if (!found) return { __typename: 'TagsRemovePayload', node: null, userErrors: [userError(['id'], 'Resource not found')] };
      const gone = new Set(splitTags(arg('tags')).map((t) => t.trim().toLowerCase()));
      found.record.tags = found.record.tags.filter((t) => !gone.has(t.toLowerCase()));
      found.record.updatedAt = hooks.now();
      if (found.type === 'Customer') hooks.customerChanged(found.record);
      return { __typename: 'TagsRemovePayload', node: { __typename: found.type, id: found.record.gid }, userErrors: [] };
    }
    case 'customerSmsMarketingConsentUpdate': {
      const input = (arg('input') ?? {}) as { customerId?: unknown; smsMarketingConsent?: Record<string, unknown> };
      const consent = input.smsMarketingConsent ?? {};
      const type = 'CustomerSmsMarketingConsentUpdateInput';
      if (!SMS_STATES.has(String(consent.marketingState)))
        throw invalidVariable(
          type,
          ['smsMarketingConsent', 'marketingState'],
          `Expected "${String(consent.marketingState)}" to be one of: ${[...SMS_STATES].join(', ')}`,
        );
      if (consent.marketingOptInLevel !== undefined && !OPT_IN_LEVELS.has(String(consent.marketingOptInLevel)))
        throw invalidVariable(
          type,
          ['smsMarketingConsent', 'marketingOptInLevel'],
          `Expected "${String(consent.marketingOptInLevel)}" to be one of: ${[...OPT_IN_LEVELS].join(', ')}`,
        );
      const found = state.byGid(String(input.customerId));
      const fail = (field: string[], message: string, code: string) => ({
        __typename: 'CustomerSmsMarketingConsentUpdatePayload',
        customer: null,
        userErrors: [{ __typename: 'CustomerSmsMarketingConsentError', field, message, code }],
      });
      if (found?.type !== 'Customer') return fail(['input', 'customerId'], 'Customer not found', 'INVALID');
      const customer = found.record;
      // Shopify ties SMS consent to the customer's phone number; without one there is nothing to consent for.
      if (!customer.phone) return fail(['input', 'smsMarketingConsent'], 'A phone number is required to set SMS marketing consent', 'MISSING_ARGUMENT');
      const at = typeof consent.consentUpdatedAt === 'string' ? consent.consentUpdatedAt : hooks.now();
      customer.smsMarketingConsent = {
        state: String(consent.marketingState).toLowerCase() as SmsMarketingConsent['state'],
        opt_in_level: String(
          consent.marketingOptInLevel ?? customer.smsMarketingConsent?.opt_in_level ?? 'single_opt_in',
        ).toLowerCase() as SmsMarketingConsent['opt_in_level'],
        consent_updated_at: at,
        consent_collected_from: 'OTHER',
      };
      customer.updatedAt = hooks.now();
      hooks.customerChanged(customer);
      return { __typename: 'CustomerSmsMarketingConsentUpdatePayload', customer: customerNode(customer), userErrors: [] };
    }
    case 'metafieldsSet': {
      // https://shopify.dev/docs/api/admin-graphql/latest/mutations/metafieldsSet: 1 to 25
      // metafields, all set or none; a value not of its type is a user error naming its index.
      const inputs = arg('metafields');
      if (!Array.isArray(inputs)) throw invalidVariable('[MetafieldsSetInput!]', ['metafields'], 'Expected value to be a list');
      const fail = (index: number, field: string, message: string, code: string) => ({
        __typename: 'MetafieldsSetPayload',
        metafields: null,
        userErrors: [{ __typename: 'MetafieldsSetUserError', field: ['metafields', String(index), field], message, code, elementIndex: index }],
      });
      if (inputs.length < 1 || inputs.length > 25)
        return {
          __typename: 'MetafieldsSetPayload',
          metafields: null,
          userErrors: [
            {
              __typename: 'MetafieldsSetUserError',
              field: ['metafields'],
              message: 'Exceeded the maximum metafields input limit of 25.',
              code: 'LESS_THAN_OR_EQUAL_TO',
              elementIndex: null,
            },
          ],
        };
      const owners: SimCustomer[] = [];
      for (const [i, m] of (inputs as Record<string, unknown>[]).entries()) {
        const unknown = Object.keys(m).find((k) => !METAFIELD_INPUT.has(k));
        if (unknown) throw invalidVariable('[MetafieldsSetInput!]', [String(i), unknown], 'Field is not defined on MetafieldsSetInput');
        for (const required of ['ownerId', 'key', 'value'])
          if (typeof m[required] !== 'string') throw invalidVariable('[MetafieldsSetInput!]', [String(i), required], 'Expected value to not be null');
        const found = state.byGid(String(m.ownerId));
        if (found?.type !== 'Customer') return fail(i, 'ownerId', 'Owner does not exist.', 'INVALID');
        if (typeof m.namespace === 'string' && (m.namespace.length < 3 || m.namespace.length > 255))
          return fail(i, 'namespace', 'Namespace is too short (minimum is 3 characters)', 'TOO_SHORT');
        const check = METAFIELD_TYPES[String(m.type)];
        if (!check) return fail(i, 'type', `Type must be one of the metafield types (got ${String(m.type)})`, 'INVALID_TYPE');
        if (!check(String(m.value))) return fail(i, 'value', `Value must be a valid ${String(m.type)}.`, 'INVALID_VALUE');
        owners.push(found.record);
      }
      const set = (inputs as Record<string, string>[]).map((m, i) => {
        const customer = owners[i]!;
        const field = { namespace: m.namespace ?? 'app', key: m.key!, type: m.type!, value: m.value!, updatedAt: hooks.now() };
        customer.metafields = { ...customer.metafields, [`${field.namespace}.${field.key}`]: field };
        return { __typename: 'Metafield', id: `gid://shopify/Metafield/${customer.id}${i}`, ...field, createdAt: field.updatedAt };
      });
      return { __typename: 'MetafieldsSetPayload', metafields: set, userErrors: [] };
    }
    case 'orderUpdate': {
      const input = (arg('input') ?? {}) as Record<string, unknown>;
      const unknown = Object.keys(input).find((k) => !ORDER_INPUT.has(k));
      if (unknown) throw invalidVariable('OrderInput', [unknown], 'Field is not defined on OrderInput');
      const found = state.byGid(String(input.id));
      if (found?.type !== 'Order') return { __typename: 'OrderUpdatePayload', order: null, userErrors: [userError(['id'], 'Order does not exist')] };
      const order = found.record;
      if ('note' in input) order.note = input.note === null ? null : String(input.note);
      if ('email' in input) order.email = String(input.email);
      // OrderInput.tags replaces the order's tags (tagsAdd is the one that adds).
      if ('tags' in input) order.tags = mergeTags([], splitTags(input.tags));
      order.updatedAt = hooks.now();
      return { __typename: 'OrderUpdatePayload', order: orderNode(order, state), userErrors: [] };
    }
    default:
      throw new Error(`no resolver for ${f.name}`);
  }
}

/** Answers one POST body; `bucket` is charged only for an operation that runs. */
export function executeGraphQL(body: unknown, state: ShopState, bucket: CostBucket, hooks: AdminHooks): GraphQLResult {
  const { query, variables = {}, operationName } = (body ?? {}) as { query?: unknown; variables?: Record<string, unknown> | null; operationName?: string };
  try {
    if (typeof query !== 'string' || !query.trim()) throw new RequestError([{ message: 'No query string was present' }]);
    let operations;
    try {
      operations = parseDocument(query);
    } catch (err) {
      if (!(err instanceof GraphQLSyntaxError)) throw err;
      throw new RequestError([{ message: err.message, locations: [{ line: err.line, column: err.column }] }]);
    }
    const op = operationName ? operations.find((o) => o.name === operationName) : operations.length === 1 ? operations[0] : undefined;
    if (!op) throw new RequestError([{ message: operationName ? `No operation named "${operationName}"` : 'An operation name is required' }]);
    const root = op.type === 'mutation' ? 'Mutation' : 'QueryRoot';
    validate(op.selections, root, [`${op.type}${op.name ? ` ${op.name}` : ''}`]);

    const requested = costOf(op.selections, root, op.type === 'mutation');
    if (requested > bucket.maximumAvailable) {
      return {
        errors: [
          {
            message: `Query cost is ${requested}, which exceeds the single query max cost limit (${bucket.maximumAvailable}).`,
            extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost: bucket.maximumAvailable },
          },
        ],
      };
    }
    if (!bucket.take(requested)) {
      return {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: bucket.status() } },
      };
    }
    const data: Record<string, unknown> = {};
    for (const f of op.selections) {
      data[f.alias ?? f.name] = f.name === '__typename' ? root : project(run(state, hooks, f, variables ?? {}), f.selections ?? []);
    }
    return { data, extensions: { cost: { requestedQueryCost: requested, actualQueryCost: requested, throttleStatus: bucket.status() } } };
  } catch (err) {
    if (err instanceof RequestError) return { errors: err.errors };
    throw err;
  }
}
