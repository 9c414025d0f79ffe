/**
 * Chaseline as a Shopify app, through the official @shopify/shopify-api: OAuth install (offline
 * token), session tokens of the embedded page, and Flow action signatures. The library builds
 * every store request as https://{shop}/…; with SHOPIFY_API_BASE_URL set, those go there instead
 * (the simulator in tests), through the runtime adapter's fetch, the one hook the library reads.
 * https://github.com/Shopify/shopify-app-js/tree/main/packages/apps/shopify-api
 */
import '@shopify/shopify-api/adapters/node';
import { LogSeverity, shopifyApi, type ApiVersion, type Shopify } from '@shopify/shopify-api';
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime';
import { SHOPIFY_API_VERSION } from '../admin.ts';

/**
 * What the app asks a store for: its customers (phone, tags, SMS consent, the chase-result
 * metafields) and its orders (abandoned checkouts and orders come with them; the recovered
 * order's note). A write scope includes its read scope, so Shopify (and the library) name only
 * these. plugins/shopify/shopify.app.toml asks for the same (a test holds them equal).
 * https://shopify.dev/docs/api/usage/access-scopes
 */
export const APP_SCOPES = ['write_customers', 'write_orders'] as const;

export interface ShopifyAppConfig {
  /** SHOPIFY_API_KEY: the app's client id. */
  apiKey: string;
  /** SHOPIFY_API_SECRET: its client secret; signs OAuth, session tokens, webhooks and Flow calls. */
  apiSecret: string;
  /** Where Shopify reaches Chaseline (PUBLIC_BASE_URL): the OAuth redirect is built on it. */
  appUrl: string;
  /** SHOPIFY_API_BASE_URL: a Shopify-compatible endpoint standing for https://{shop}. */
  apiBaseUrl?: string;
}

type Log = { warn(o: object, msg: string): void; error(o: object, msg: string): void };

const TIMEOUT_MS = 30_000;

/**
 * The library's fetch, rewriting https://{shop} to `base` when one is set. The adapter's fetch is
 * one per process (the library keeps it in a module variable), as SHOPIFY_API_BASE_URL is.
 */
function useBaseUrl(base: string | undefined) {
  const origin = base?.replace(/\/$/, '');
  setAbstractFetchFunc((input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    const to = origin ? url.replace(/^https:\/\/[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com/, origin) : url;
    return fetch(to, { ...init, signal: init?.signal ?? AbortSignal.timeout(TIMEOUT_MS) });
  });
}

export function createShopifyApp(config: ShopifyAppConfig, log: Log): Shopify {
  useBaseUrl(config.apiBaseUrl);
  const url = new URL(config.appUrl);
  return shopifyApi({
    apiKey: config.apiKey,
    apiSecretKey: config.apiSecret,
    scopes: [...APP_SCOPES],
    hostName: url.host,
    hostScheme: url.protocol === 'http:' ? 'http' : 'https',
    // The connector's version; the library's list of versions may lag Shopify's, the API does not.
    apiVersion: SHOPIFY_API_VERSION as ApiVersion,
    isEmbeddedApp: true,
    // Its messages name shops, never tokens at these levels; ours go to pino, not the console.
    logger: {
      level: LogSeverity.Warning,
      log: async (severity, message) => {
        if (severity === LogSeverity.Error) log.error({ source: 'shopify-api' }, message);
        else log.warn({ source: 'shopify-api' }, message);
      },
    },
  });
}
