/**
 * HubSpot connector on @hubspot/api-client: contacts pulled incrementally by
 * `lastmodifieddate` through search (moving the window past search's 10,000-result cap);
 * calls, texts, opt-outs and tags written back (writeback.ts); every request paced under
 * HubSpot's ten-second, search and daily limits by buckets all workers share (limits.ts).
 */
import { createHash } from 'node:crypto';
import { Client } from '@hubspot/api-client';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { memoryTokenBucket, type TokenBucket } from '../../core/common/token-bucket.ts';
import type { CrmConnector, CrmContact, CrmCursor } from '../../core/ports.ts';
import { request } from './errors.ts';
import { hubspotPacer } from './limits.ts';
import { contactFromHubspot, type HubspotObject } from './mapping.ts';
import { hubspotCredentials, type HubspotCredentials } from './schemas.ts';
import { hubspotWriteBack } from './writeback.ts';

/** Search pages are at most 200 records, and search stops at the 10,000th result. */
const PAGE = 200;
const SEARCH_CAP = 10_000;

/** The newest lastmodifieddate reached, and the contacts already read at exactly that time. */
const pullCursor = z.object({ since: z.string().nullable().default(null), seenAtSince: z.array(z.string()).default([]) });

export interface HubspotConnectorOptions {
  /** Shared by every worker (Redis) so together they stay under HubSpot's limits; memory by default. */
  limiter?: TokenBucket;
  /** The account the limits count for (the portal), part of the limiter's keys; default the credentials' portalId, else a digest of the token. */
  account?: string;
}

// Without a shared (Redis) limiter, every connector in this process shares one: limits count per account, not per connector object.
const processLimiter = memoryTokenBucket();

export function createHubspotConnector(credentials: HubspotCredentials, options: HubspotConnectorOptions = {}): CrmConnector {
  const c = hubspotCredentials.parse(credentials);
  const limiter = options.limiter ?? processLimiter;
  const account = options.account || c.portalId || createHash('sha256').update(c.accessToken).digest('hex').slice(0, 16);
  const pace = hubspotPacer({ limiter, account, dailyLimit: c.dailyLimit });
  // Retries are the job queue's: the client's own are process-wide settings and off by default.
  const client = new Client({ accessToken: c.accessToken, ...(c.apiBaseUrl ? { basePath: c.apiBaseUrl.replace(/\/$/, '') } : {}) });
  const properties = ['firstname', 'lastname', 'phone', 'mobilephone', 'country', 'lastmodifieddate', c.tagsProperty, c.doNotCallProperty];

  async function* pullContacts(start: CrmCursor | null): AsyncIterable<{ contacts: CrmContact[]; cursor: CrmCursor }> {
    let cursor = pullCursor.parse(start ?? {});
    // A window is one search, paged with `after`: its filter stays put while paging.
    let windowSince = cursor.since;
    let after: string | undefined;
    for (;;) {
      await pace('search');
      const page = await request('searching contacts', () =>
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
      const contacts = (page.results as HubspotObject[])
        .map((o) => contactFromHubspot(o, c))
        .filter((x) => !(x.updatedAt === cursor.since && seen.has(x.externalId)));
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
        if (cursor.since === windowSince)
          throw new AppError('UPSTREAM', `more than ${SEARCH_CAP} contacts share one modification time: the window cannot move`, { retryable: false });
        windowSince = cursor.since;
        after = undefined;
      } else {
        after = next;
      }
    }
  }

  return {
    pullContacts,
    writeBack: hubspotWriteBack({ client, pace, props: c }),
  };
}
