// startShopifySim(): a local, stateful Shopify store for one app. It sends the store's
// webhooks (abandoned checkouts, orders, customers, the GDPR topics) signed as Shopify
// signs them, and answers the Admin GraphQL calls Chaseline makes, on 127.0.0.1.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { CostBucket, executeGraphQL, type ThrottleOptions, type GraphQLResult } from './graphql.ts';
import { ShopState, type SimCheckout, type SimCustomer, type SimOrder } from './store.ts';
import { createStoreActions, type StoreActions } from './actions.ts';
import { WebhookSender, type WebhookDelivery, type SendOptions } from './webhooks.ts';
import { loadSamples, loadUninstalledSample, type SentTopic, type Topic } from './vendor.ts';
import { OAuthServer, type SessionTokenOptions } from './oauth.ts';
import { listen } from '../listen.ts';
import { readBody, sendJson as send } from '../http.ts';

export type { SimCheckout, SimCustomer, SimOrder, SimLineItem, SmsMarketingConsent, SmsConsentState, FinancialStatus } from './store.ts';
export type { WebhookDelivery, DeliveryAttempt, SendOptions } from './webhooks.ts';
export type { GraphQLResult, GraphQLError, ThrottleOptions } from './graphql.ts';
export type { CustomerInput, CheckoutInput, CheckoutChanges, OrderInput, CustomerChanges, StoreActions } from './actions.ts';
export type { Topic } from './vendor.ts';
export { shopifyHmac } from './webhooks.ts';
export { oauthHmac, type SessionTokenOptions } from './oauth.ts';
export { TOPICS, loadSchemas, loadSamples } from './vendor.ts';

export interface ShopifySimOptions {
  /** The shop's myshopify domain. Default `demo.myshopify.com`. */
  shop?: string;
  /** Numeric shop id, as the GDPR topics carry it. Default 548380009 (the samples' shop). */
  shopId?: number;
  /** The store's name (the `shop { name }` query). Default: the domain's first label. */
  shopName?: string;
  /** The Admin API access token the app holds. Default: `shpat_` + 32 hex. */
  accessToken?: string;
  /** The app's client id (API key), as OAuth and session tokens name it. Default: 32 hex. */
  apiKey?: string;
  /** The app's API secret (client secret) webhooks are signed with. Default: 32 hex. */
  apiSecret?: string;
  /** Where every topic is POSTed (unless `subscriptions` names a URL for it). */
  webhookUrl?: string;
  /** Per-topic subscription URLs, over `webhookUrl`. */
  subscriptions?: Partial<Record<Topic, string>>;
  /** X-Shopify-API-Version of webhooks. Default: the current quarter's version (e.g. 2026-10). */
  apiVersion?: string;
  /** Admin GraphQL cost bucket. Default 2000 points, 100 restored per second. */
  throttle?: ThrottleOptions;
  /** The store's clock. Default `() => new Date()`. */
  now?: () => Date;
  port?: number;
  host?: string;
  /** The contract's folder (schemas/ and metadatas/); default sim/contracts/shopify. */
  contractDir?: string;
}

export interface GraphQLRequestRecord {
  apiVersion: string;
  body: unknown;
  status: number;
  response: GraphQLResult | { errors: string };
}

export interface ShopifySim extends StoreActions {
  /** http://127.0.0.1:port — stands for https://{shop}. */
  url: string;
  shop: string;
  shopId: number;
  accessToken: string;
  apiKey: string;
  apiSecret: string;
  apiVersion: string;
  /** The `host` parameter Shopify gives an embedded app: base64 of the shop's admin address. */
  host: string;
  /** The scopes the app was granted at its last install ('' before any). */
  grantedScope(): string;
  /** A session token for the embedded app, as App Bridge's `shopify.idToken()` gives it. */
  sessionToken(options?: SessionTokenOptions): string;
  /** The store's Flow runs the app's action: a signed POST to its runtime URL. */
  runFlowAction(input: {
    url: string;
    handle: string;
    title: string;
    properties: Record<string, unknown>;
    secret?: string;
    actionRunId?: string;
  }): Promise<{ status: number; body: string; actionRunId: string }>;
  /** The merchant uninstalls the app: every token it held dies, and app/uninstalled is sent. */
  uninstall(options?: SendOptions): Promise<WebhookDelivery>;
  /** Snapshots of the store's records. */
  customers(): SimCustomer[];
  checkouts(): SimCheckout[];
  orders(): SimOrder[];
  /** Every webhook sent, with each delivery attempt. */
  deliveries(): WebhookDelivery[];
  /** Shopify's retry of a sent webhook: same X-Shopify-Webhook-Id, event id and body. */
  redeliver(webhookId: string, options?: SendOptions): Promise<WebhookDelivery>;
  /** Points future webhooks (all topics, or one) at a URL. */
  subscribe(url: string, topic?: SentTopic): void;
  graphqlRequests(): GraphQLRequestRecord[];
  /** An outage: every Admin API request, before auth, gets `status` for the next `ms` of real time. */
  failFor(ms: number, status?: number): void;
  /** Resolves once the webhooks that Admin API changes triggered have been delivered. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** The API version of the current quarter, as Shopify names them (2026-01, -04, -07, -10). */
export function currentApiVersion(date = new Date()): string {
  const month = Math.floor(date.getUTCMonth() / 3) * 3 + 1;
  return `${date.getUTCFullYear()}-${String(month).padStart(2, '0')}`;
}

const GRAPHQL_PATH = /^\/admin\/api\/(\d{4}-\d{2}|unstable)\/graphql\.json$/;

const sameSecret = (given: string | undefined, expected: string) => {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

export async function startShopifySim(options: ShopifySimOptions = {}): Promise<ShopifySim> {
  const shop = options.shop ?? 'demo.myshopify.com';
  const shopId = options.shopId ?? 548380009;
  const accessToken = options.accessToken ?? `shpat_${randomBytes(16).toString('hex')}`;
  const apiSecret = options.apiSecret ?? randomBytes(16).toString('hex');
  const apiKey = options.apiKey ?? randomBytes(16).toString('hex');
  const now = options.now ?? (() => new Date());
  const apiVersion = options.apiVersion ?? currentApiVersion(now());
  const samples = loadSamples(options.contractDir);
  const subscriptions = new Map<SentTopic | '*', string>(Object.entries(options.subscriptions ?? {}) as [Topic, string][]);
  if (options.webhookUrl) subscriptions.set('*', options.webhookUrl);

  const state = new ShopState();
  const oauth = new OAuthServer({ shop, shopId, apiKey, apiSecret, now });
  // The token handed in is the one a custom app holds from the start; an uninstall ends it too.
  oauth.tokens.add(accessToken);
  const sender = new WebhookSender({ shop, apiSecret, apiVersion, now, urlFor: (t) => subscriptions.get(t) ?? subscriptions.get('*') });
  const actions = createStoreActions({ state, sender, info: { shop, shopId, samples }, now });
  const bucket = new CostBucket(options.throttle ?? {}, () => now().getTime());
  const graphqlRequests: GraphQLRequestRecord[] = [];
  const pending = new Set<Promise<unknown>>();
  let outage: { until: number; status: number } | undefined;
  const hooks = {
    now: () => actions.timestamp(),
    shop: () => ({
      id: `gid://shopify/Shop/${shopId}`,
      name: options.shopName ?? shop.split('.')[0]!,
      myshopifyDomain: shop,
      email: `owner@${shop}`,
      currencyCode: 'USD',
    }),
    // Shopify sends customers/update after an Admin API change too (e.g. tags), asynchronously.
    customerChanged: (c: SimCustomer) => {
      const p = actions.sendCustomerUpdate(c).finally(() => pending.delete(p));
      pending.add(p);
    },
  };

  const server = createServer((req, res) => {
    void (async () => {
      const requestUrl = new URL(req.url ?? '/', 'http://sim');
      const path = requestUrl.pathname;
      const match = GRAPHQL_PATH.exec(path);
      try {
        if (await oauth.handle(req, res, requestUrl, () => readBody(req))) return;
        if (!match || req.method !== 'POST') return send(res, 404, { errors: 'Not Found' });
        const body = await readBody(req);
        if (outage && Date.now() < outage.until) {
          const response = { errors: outage.status === 503 ? 'Service Unavailable' : 'Internal Server Error' };
          graphqlRequests.push({ apiVersion: match[1]!, body, status: outage.status, response });
          return send(res, outage.status, response);
        }
        const given = req.headers['x-shopify-access-token'] as string | undefined;
        if (![...oauth.tokens].some((t) => sameSecret(given, t))) {
          const response = { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' };
          graphqlRequests.push({ apiVersion: match[1]!, body, status: 401, response });
          return send(res, 401, response);
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          const response = { errors: [{ message: 'Invalid JSON in request body' }] };
          graphqlRequests.push({ apiVersion: match[1]!, body, status: 400, response });
          return send(res, 400, response);
        }
        const response = executeGraphQL(parsed, state, bucket, hooks);
        graphqlRequests.push({ apiVersion: match[1]!, body: parsed, status: 200, response });
        send(res, 200, response);
      } catch (err) {
        // A simulator bug must be loud, never a silent success.
        send(res, 500, { errors: [{ message: `Simulator error: ${err instanceof Error ? err.message : String(err)}` }] });
      }
    })();
  });
  const { address, port } = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');

  return {
    ...actions,
    url: `http://${address}:${port}`,
    shop,
    shopId,
    accessToken,
    apiKey,
    apiSecret,
    apiVersion,
    host: oauth.host(),
    grantedScope: () => oauth.scope,
    sessionToken: (opts) => oauth.sessionToken(opts),
    runFlowAction: (input) => oauth.runFlowAction(input),
    uninstall: async (opts) => {
      oauth.tokens.clear();
      const sample = loadUninstalledSample(options.contractDir);
      return sender.send(
        'app/uninstalled',
        { ...sample, id: shopId, name: options.shopName ?? shop.split('.')[0]!, myshopify_domain: shop, domain: shop },
        opts,
      );
    },
    customers: () => [...state.customers.values()].map((c) => structuredClone(c)),
    checkouts: () => [...state.checkouts.values()].map((c) => structuredClone(c)),
    orders: () => [...state.orders.values()].map((o) => structuredClone(o)),
    deliveries: () => [...sender.deliveries],
    redeliver: (webhookId, opts) => sender.redeliver(webhookId, opts),
    subscribe: (url, topic) => void subscriptions.set(topic ?? '*', url),
    graphqlRequests: () => [...graphqlRequests],
    failFor: (ms, status = 503) => {
      outage = { until: Date.now() + ms, status };
    },
    settled: async () => {
      while (pending.size) await Promise.allSettled([...pending]);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
