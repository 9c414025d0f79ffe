/**
 * The Admin GraphQL API through the official client (@shopify/admin-api-client), paced by
 * Shopify's cost-based throttle: every answer says how many cost points the app's bucket
 * holds and how fast it refills, so a request that would overdraw it waits first, and a
 * THROTTLED answer waits for the points it asked for and tries again.
 * https://shopify.dev/docs/api/usage/limits
 */
import { createAdminApiClient, type ClientResponse } from '@shopify/admin-api-client';
import { AppError } from '../../core/errors.ts';
import type { ShopifyCredentials } from './schemas.ts';

/** The Admin API version Chaseline speaks; Shopify supports a version for a year, so bump it yearly at least. */
export const SHOPIFY_API_VERSION = '2026-10';
const TIMEOUT_MS = 30_000;
/** THROTTLED (or HTTP 429) answers taken within one call before the batch goes back as RATE_LIMITED. */
const THROTTLE_RETRIES = 4;
/** Added to a computed wait: the bucket we know of was read a little before it reached us. */
const MARGIN_MS = 50;

export interface AdminOptions {
  /** The longest one wait for the bucket may be; a longer one gives the batch back as RATE_LIMITED. Default 10 s. */
  maxWaitMs?: number;
}

type ResponseErrors = NonNullable<ClientResponse['errors']>;
type Cost = NonNullable<ClientResponse['extensions']>['cost'];

export interface AdminApi {
  /** Runs one operation; its `data`, or an AppError for a request that failed as a whole. */
  request<T>(query: string, variables: Record<string, unknown>): Promise<T>;
}

const rateLimited = (waitMs: number) => new AppError('RATE_LIMITED', "Shopify: the app's API cost bucket is empty", { details: { retryAfterMs: waitMs } });

/** A failed request as our error: unreachable or 5xx retry later, refused credentials and our own bad queries do not. */
function failure(errors: ResponseErrors): AppError {
  const code = errors.graphQLErrors?.map((e) => e.extensions?.code).find((c): c is string => typeof c === 'string');
  const status = errors.networkStatusCode;
  if (errors.graphQLErrors?.length) {
    const retryable = code === 'INTERNAL_SERVER_ERROR';
    return new AppError('UPSTREAM', `Shopify refused the operation (${code ?? 'GraphQL error'})`, {
      retryable,
      cause: errors,
      details: { graphqlCode: code ?? null },
    });
  }
  if (status === undefined) return new AppError('UPSTREAM', 'Shopify could not be reached', { retryable: true, cause: errors });
  if (status === 401 || status === 403)
    return new AppError('UPSTREAM', `Shopify refused the access token (HTTP ${status})`, { retryable: false, details: { httpStatus: status } });
  return new AppError('UPSTREAM', `Shopify answered HTTP ${status}`, { retryable: status >= 500, details: { httpStatus: status } });
}

export function createAdminApi(c: ShopifyCredentials, options: AdminOptions = {}): AdminApi {
  const maxWaitMs = options.maxWaitMs ?? 10_000;
  const base = c.apiBaseUrl?.replace(/\/$/, '');
  // Retries are ours (throttle) and the outbox's (outages): the client's own stay off.
  const client = createAdminApiClient({
    storeDomain: c.shop,
    apiVersion: SHOPIFY_API_VERSION,
    accessToken: c.accessToken,
    // The client always builds https://{shop}/admin/api/…; apiBaseUrl stands in for that origin.
    customFetchApi: (url, init) =>
      fetch(base ? url.replace(`https://${c.shop}`, base) : url, { ...init, signal: init?.signal ?? AbortSignal.timeout(TIMEOUT_MS) }),
  });

  // The bucket as last reported, and each operation's requested cost as last seen.
  let bucket: { available: number; restoreRate: number; maximum: number; at: number } | undefined;
  const costs = new Map<string, number>();
  const remember = (query: string, cost: Cost) => {
    const s = cost?.throttleStatus;
    if (typeof s?.currentlyAvailable === 'number' && typeof s.restoreRate === 'number' && s.restoreRate > 0) {
      bucket = { available: s.currentlyAvailable, restoreRate: s.restoreRate, maximum: s.maximumAvailable ?? Infinity, at: Date.now() };
    }
    if (typeof cost?.requestedQueryCost === 'number') costs.set(query, cost.requestedQueryCost);
  };
  /** How long until the bucket holds `points`: 0 when it does, or when nothing is known yet. */
  const waitFor = (points: number) => {
    if (!bucket) return 0;
    const now = Math.min(bucket.maximum, bucket.available + ((Date.now() - bucket.at) / 1000) * bucket.restoreRate);
    return now >= points ? 0 : Math.ceil(((points - now) / bucket.restoreRate) * 1000) + MARGIN_MS;
  };
  const wait = async (ms: number) => {
    if (ms > maxWaitMs) throw rateLimited(ms);
    await new Promise((r) => setTimeout(r, ms));
  };
  // Shopify's cost of a mutation is 10; a small query's is 1 or 2. Only until we have seen it.
  const guess = (query: string) => (/^\s*mutation\b/.test(query) ? 10 : 2);

  return {
    async request<T>(query: string, variables: Record<string, unknown>): Promise<T> {
      for (let attempt = 0; ; attempt++) {
        const pace = waitFor(costs.get(query) ?? guess(query));
        if (pace > 0) await wait(pace);
        const res = await client.request(query, { variables });
        remember(query, res.extensions?.cost);
        const errors = res.errors;
        if (!errors) return res.data as T;
        const throttled = errors.networkStatusCode === 429 || errors.graphQLErrors?.some((e) => e.extensions?.code === 'THROTTLED');
        if (!throttled) throw failure(errors);
        if (attempt >= THROTTLE_RETRIES) throw rateLimited(waitFor(costs.get(query) ?? guess(query)));
        // A THROTTLED answer carries the bucket: the pacing above waits for it on the next turn.
        if (!res.extensions?.cost?.throttleStatus) {
          const retryAfter = Number(errors.response?.headers.get('Retry-After'));
          await wait(retryAfter > 0 ? retryAfter * 1000 : 1000);
        }
      }
    },
  };
}
