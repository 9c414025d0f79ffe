/**
 * HubSpot connector on @hubspot/api-client: contacts pulled incrementally by
 * `lastmodifieddate` through search (moving the window past search's 10,000-result cap),
 * calls written back as calls engagements associated to their contacts, 100 a request.
 */
import { Client } from '@hubspot/api-client';
import { AppError } from '../../core/errors.ts';
import { memoryTokenBucket, type TokenBucket } from '../../core/lines.cps.ts';
import type { CallActivity, CrmConnector, CrmContact, CrmCursor } from '../../core/ports.ts';
import { CALL_TO_CONTACT, callProperties, contactFromHubspot, type HubspotObject } from './mapping.ts';
import { hubspotCredentials, type HubspotCredentials } from './schemas.ts';

/** Search pages are at most 200 records, and search stops at the 10,000th result. */
const PAGE = 200;
const SEARCH_CAP = 10_000;
/** Batch create takes at most 100 inputs. */
const BATCH = 100;
/**
 * HubSpot's limits, kept under: search allows 5 requests a second per account, everything
 * else 100 (or 190) per 10 seconds. https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details
 */
const SEARCH_PER_SECOND = 4;
const CALLS_PER_SECOND = 9;

export interface HubspotConnectorOptions {
  /** Shared by every worker (Redis) so together they stay under HubSpot's limits; memory by default. */
  limiter?: TokenBucket;
  /** The account the limits count for (the portal), part of the limiter's keys. */
  account?: string;
}

/** HubSpot's errors as ours: 429 says which limit (policyName), so the caller can back off per limit. */
function upstream(err: unknown, what: string): AppError {
  const e = err as { code?: unknown; body?: { policyName?: string; category?: string } };
  const status = typeof e.code === 'number' ? e.code : undefined;
  const details = { ...(status === undefined ? {} : { httpStatus: status }), ...(e.body?.policyName ? { policyName: e.body.policyName } : {}) };
  if (status === 429) return new AppError('RATE_LIMITED', `${what}: HubSpot rate limit ${e.body?.policyName ?? ''}`.trim(), { cause: err, details });
  if (status === 401 || status === 403) return new AppError('UPSTREAM', `${what}: HubSpot refused the credentials (HTTP ${status})`, { cause: err, retryable: false, details });
  if (status && status >= 400 && status < 500) return new AppError('VALIDATION', `${what}: HubSpot answered HTTP ${status} ${e.body?.category ?? ''}`.trim(), { cause: err, retryable: false, details });
  return new AppError('UPSTREAM', `${what}: ${status ? `HTTP ${status}` : 'no answer from HubSpot'}`, { cause: err, retryable: true, details });
}

const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (err) {
    throw upstream(err, what);
  }
};

// Without a shared (Redis) limiter, every connector in this process shares one: limits count per account, not per connector object.
const processLimiter = memoryTokenBucket();

export function createHubspotConnector(credentials: HubspotCredentials, options: HubspotConnectorOptions = {}): CrmConnector {
  const c = hubspotCredentials.parse(credentials);
  const limiter = options.limiter ?? processLimiter;
  const account = options.account ?? 'default';
  /** Waits for a token of HubSpot's limit before a request. */
  const pace = async (limit: 'search' | 'calls') => {
    for (;;) {
      const wait = await limiter.take(`hubspot:${account}:${limit}`, limit === 'search' ? SEARCH_PER_SECOND : CALLS_PER_SECOND, 1);
      if (!wait) return;
      await new Promise((r) => setTimeout(r, wait));
    }
  };
  // Retries are the job queue's: the client's own are process-wide settings and off by default.
  const client = new Client({ accessToken: c.accessToken, ...(c.apiBaseUrl ? { basePath: c.apiBaseUrl.replace(/\/$/, '') } : {}) });
  const properties = ['firstname', 'lastname', 'phone', 'mobilephone', 'country', 'lastmodifieddate', c.tagsProperty, c.doNotCallProperty];

  async function* pullContacts(start: CrmCursor): AsyncIterable<{ contacts: CrmContact[]; cursor: CrmCursor }> {
    let cursor = start;
    // A window is one search, paged with `after`: its filter stays put while paging.
    let windowSince = start.since;
    let after: string | undefined;
    for (;;) {
      await pace('search');
      const page = await call('searching contacts', () =>
        client.crm.contacts.searchApi.doSearch({
          filterGroups: windowSince ? [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE' as never, value: windowSince }] }] : [],
          // The SDK types sorts as strings; HubSpot takes (and the SDK sends) this object form.
          sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' } as never],
          properties,
          limit: PAGE,
          ...(after ? { after } : {}),
        }),
      );
      const seen = new Set(cursor.seenAtSince);
      const contacts = (page.results as HubspotObject[]).map((o) => contactFromHubspot(o, c)).filter((x) => !(x.updatedAt === cursor.since && seen.has(x.externalId)));
      const last = contacts.at(-1);
      if (last) {
        // Records changed at exactly the newest time reached are remembered, so a window
        // starting there (GTE) does not hand them out twice.
        const atLast = contacts.filter((x) => x.updatedAt === last.updatedAt).map((x) => x.externalId);
        cursor = { since: last.updatedAt, seenAtSince: last.updatedAt === cursor.since ? [...cursor.seenAtSince, ...atLast] : atLast };
      }
      if (contacts.length) yield { contacts, cursor };
      const next = page.paging?.next?.after;
      if (!next) return;
      if (Number(next) + PAGE > SEARCH_CAP) {
        // The next page would pass search's cap: start a new window at the newest change reached.
        if (cursor.since === windowSince) throw new AppError('UPSTREAM', `more than ${SEARCH_CAP} contacts share one modification time: the window cannot move`, { retryable: false });
        windowSince = cursor.since;
        after = undefined;
      } else {
        after = next;
      }
    }
  }

  return {
    pullContacts,
    async logCalls(calls: CallActivity[]) {
      const ids: string[] = [];
      for (let i = 0; i < calls.length; i += BATCH) {
        const inputs = calls.slice(i, i + BATCH).map((a) => ({
          properties: callProperties(a),
          associations: [{ to: { id: a.externalContactId }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: CALL_TO_CONTACT }] }],
        }));
        await pace('calls');
        const created = await call('logging calls', () => client.crm.objects.calls.batchApi.create({ inputs }));
        ids.push(...created.results.map((r) => r.id));
      }
      return ids;
    },
  };
}
