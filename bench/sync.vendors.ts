/**
 * The CRM side of bench/sync.bench.ts: each vendor's simulator filled with contacts, the
 * connector the worker would build for it, how the simulator's requests are told apart, and
 * the fewest requests the vendor's batch sizes allow for what the benchmark asks.
 */
import { createHubspotConnector } from '../connectors/hubspot/index.ts';
import { createSalesforceConnector } from '../connectors/salesforce/index.ts';
import type { TokenBucket } from '../core/common/token-bucket.ts';
import type { CrmConnector, WriteBack } from '../core/ports.ts';
import { startHubspotSim } from '../sim/hubspot/index.ts';
import { startSalesforceSim } from '../sim/salesforce/index.ts';

/** One request the simulator received: what it was for, and its status. */
export interface SimRequest {
  kind: string;
  status: number;
}

/** The fewest requests an operation can take, and how that number is reached. */
export interface Minimum {
  requests: number;
  how: string;
}

export interface Vendor {
  type: 'hubspot' | 'salesforce';
  label: string;
  credentials: object;
  /** The connector as the worker builds it for a tenant (the registry passes the tenant as the account). */
  connector(account: string): CrmConnector;
  requests(): SimRequest[];
  /** The CRM ids of every person record, in creation order. */
  ids(): string[];
  /** Changes every 100th record (Contacts and Leads alike) as a user in the CRM would; returns how many. */
  changeOnePercent(): number;
  pullMinimum(): Minimum;
  incrementalMinimum(changed: number): Minimum;
  /** The write-back runs for this vendor, each with its items and minimum. */
  writeBacks(): { what: string; items: WriteBack[]; minimum: Minimum }[];
  close(): Promise<void>;
}

const ceil = Math.ceil;
const fmt = (n: number) => n.toLocaleString('en-US');
const pad8 = (i: number) => String(i).padStart(8, '0');
/** Chinese mobiles written two ways, as CRMs hold them (the tenant's region is CN). */
const mobile = (prefix: string, i: number) => (i % 2 ? `+86 ${prefix} ${pad8(i).slice(0, 4)} ${pad8(i).slice(4)}` : `${prefix}${pad8(i)}`);

/** A limiter that never waits: the connector's own pacing turned off (HubSpot's limits are constants inside it). */
export const unlimited: TokenBucket = { take: async () => 0 };

const callItem = (externalContactId: string, i: number): WriteBack => ({
  kind: 'call',
  call: {
    externalContactId,
    at: new Date(Date.UTC(2026, 10, 25, 10, 0, i % 60)),
    title: 'Chaseline call: cart reminder',
    body: 'Answered; asked for the link, sent by SMS.',
    outcome: i % 4 ? 'answered' : 'no-answer',
    durationSeconds: i % 4 ? 37 + (i % 50) : null,
    from: '+862161234567',
    to: `+86138${pad8(i)}`,
    callSid: `CA${pad8(i)}${'0'.repeat(24)}`,
  },
});

// ---------------------------------------------------------------------------------------
// HubSpot

/** HubSpot's search page size and its result cap (connectors/hubspot/index.ts). */
const HUBSPOT_PAGE = 200;
const HUBSPOT_BATCH = 100;

export interface HubspotRun {
  contacts: number;
  /** true: the simulator enforces HubSpot's limits and the connector paces itself (production); false: both off. */
  paced: boolean;
  /**
   * 'spread': one contact a second (a CRM filled over time); 'imported': created in one go
   * by the simulator, hundreds sharing a lastmodifieddate millisecond (a bulk import).
   */
  times?: 'spread' | 'imported';
  label: string;
}

export async function hubspotVendor(run: HubspotRun): Promise<Vendor> {
  const sim = await startHubspotSim({ contactProperties: ['chaseline_tags', 'chaseline_do_not_call'], rateLimits: run.paced ? undefined : false });
  const props = (i: number): Record<string, string> => ({
    firstname: `Ann${i}`,
    lastname: 'Lee',
    phone: mobile('138', i),
    ...(i % 3 === 0 ? { chaseline_tags: 'vip;cart' } : {}),
    ...(i % 100 === 7 ? { chaseline_do_not_call: 'true' } : {}),
  });
  if (run.times === 'imported') {
    sim.seedContacts(run.contacts, props);
  } else {
    const start = Date.now() - 3_600_000 - run.contacts * 1000;
    sim.setContacts(Array.from({ length: run.contacts }, (_, i) => ({ properties: props(i), updatedAt: new Date(start + i * 1000) })));
  }
  const credentials = { accessToken: sim.accessToken, apiBaseUrl: sim.url };
  const ids = () => sim.contacts().map((c) => c.id);
  return {
    type: 'hubspot',
    label: run.label,
    credentials,
    connector: (account) => createHubspotConnector(credentials, { account, ...(run.paced ? {} : { limiter: unlimited }) }),
    requests: () =>
      sim.requests().map((r) => {
        const path = r.path.replace('/crm/v3/objects/', '');
        const windowStart = path === 'contacts/search' && !(r.body as { after?: string } | undefined)?.after;
        return { kind: windowStart ? 'search (window start)' : path === 'contacts/search' ? 'search (next page)' : `${r.method} ${path}`, status: r.status };
      }),
    ids,
    changeOnePercent() {
      const changed = ids().filter((_, i) => i % 100 === 0);
      for (const id of changed) sim.upsertContact({ lastname: 'Lee-Smith' }, id);
      return changed.length;
    },
    pullMinimum: () => ({ requests: ceil(run.contacts / HUBSPOT_PAGE), how: `${fmt(run.contacts)} / ${HUBSPOT_PAGE} a search page` }),
    incrementalMinimum: (changed) => ({ requests: Math.max(1, ceil(changed / HUBSPOT_PAGE)), how: `${fmt(changed)} changed / ${HUBSPOT_PAGE}` }),
    writeBacks() {
      const all = ids();
      return [
        {
          what: `${fmt(all.length)} calls (engagements)`,
          items: all.map(callItem),
          minimum: { requests: ceil(all.length / HUBSPOT_BATCH), how: `${fmt(all.length)} / ${HUBSPOT_BATCH} a batch create` },
        },
        {
          what: `${fmt(all.length)} tags (one per contact)`,
          items: all.map((externalId): WriteBack => ({ kind: 'tags', externalId, add: ['called'] })),
          minimum: { requests: 2 * ceil(all.length / HUBSPOT_BATCH), how: `${fmt(all.length)} / ${HUBSPOT_BATCH} batch reads + the same in batch updates` },
        },
      ];
    },
    close: () => sim.close(),
  };
}

// ---------------------------------------------------------------------------------------
// Salesforce

const SF_QUERY_BATCH = 2000;
const SF_COLLECTION = 200;
const SF_BULK_PAGE = 50_000;

export interface SalesforceRun {
  contacts: number;
  leads: number;
  /** The connector's bulkThreshold: a first query matching more records reads the rest through Bulk API 2.0. */
  bulkThreshold: number;
  label: string;
}

export async function salesforceVendor(run: SalesforceRun): Promise<Vendor> {
  // The org's clock, an hour back: records are stamped (to the second) well before the
  // first sync, and a change made after it is stamped a minute later.
  let clock = Date.now() - 3_600_000;
  const sim = await startSalesforceSim({ now: () => clock });
  const person = (prefix: string) => (i: number) => ({
    FirstName: `Ann${i}`,
    LastName: 'Lee',
    ...(i % 3 ? { MobilePhone: mobile(prefix, i) } : { Phone: mobile(prefix, i) }),
    DoNotCall: i % 100 === 7,
  });
  const contactIds = sim.insert(
    'Contact',
    Array.from({ length: run.contacts }, (_, i) => person('139')(i)),
  );
  const leadIds = sim.insert(
    'Lead',
    Array.from({ length: run.leads }, (_, i) => ({ ...person('137')(i), Company: 'Acme' })),
  );
  const credentials = { auth: { accessToken: sim.accessToken, instanceUrl: sim.url } };
  const viaBulk = (n: number) => n > SF_QUERY_BATCH && n > run.bulkThreshold;
  /** An object is asked once even when nothing matches. */
  const restMinimum = (n: number) => Math.max(1, ceil(n / SF_QUERY_BATCH));
  /** Bulk API 2.0: one job created, looked at once (done by then), its results in pages. */
  const bulkMinimum = (n: number) => 2 + ceil(n / SF_BULK_PAGE);
  const objectMinimum = (object: string, n: number) =>
    viaBulk(n)
      ? { requests: bulkMinimum(n), how: `${object}s by Bulk API 2.0: create + 1 poll + ${ceil(n / SF_BULK_PAGE)} results page(s) of ${fmt(SF_BULK_PAGE)}` }
      : { requests: restMinimum(n), how: `${fmt(n)} ${object}s / ${fmt(SF_QUERY_BATCH)} a query batch` };
  return {
    type: 'salesforce',
    label: run.label,
    credentials,
    connector: () => createSalesforceConnector(credentials, { bulkThreshold: run.bulkThreshold }),
    requests: () =>
      sim.requests().map((r) => {
        const path = r.url.replace(/^\/services\/data\/v[\d.]+/, '').replace(/\?.*/, '');
        const kind =
          path === '/query'
            ? 'query'
            : path.startsWith('/query/')
              ? 'queryMore'
              : path === '/jobs/query' && r.method === 'POST'
                ? 'bulk job create'
                : /^\/jobs\/query\/\w+$/.test(path)
                  ? 'bulk job poll'
                  : path.endsWith('/results')
                    ? 'bulk results page'
                    : `${r.method} ${path}`;
        return { kind, status: r.status };
      }),
    ids: () => [...contactIds, ...leadIds],
    changeOnePercent() {
      clock += 60_000;
      const changed = [...contactIds.filter((_, i) => i % 100 === 0), ...leadIds.filter((_, i) => i % 100 === 0)];
      for (const id of changed) sim.update(id, { LastName: 'Lee-Smith' });
      return changed.length;
    },
    pullMinimum() {
      const parts = [objectMinimum('Contact', run.contacts), objectMinimum('Lead', run.leads)];
      return { requests: parts[0]!.requests + parts[1]!.requests, how: parts.map((p) => p.how).join(' + ') };
    },
    incrementalMinimum(changed) {
      const contacts = ceil(run.contacts / 100);
      return {
        requests: restMinimum(contacts) + restMinimum(changed - contacts),
        how: `${fmt(contacts)} Contacts + ${fmt(changed - contacts)} Leads, 1 query each`,
      };
    },
    writeBacks() {
      const all = [...contactIds, ...leadIds];
      return [
        {
          what: `${fmt(all.length)} calls (Tasks)`,
          items: all.map(callItem),
          minimum: { requests: ceil(all.length / SF_COLLECTION), how: `${fmt(all.length)} / ${SF_COLLECTION} an sObject Collections request` },
        },
      ];
    },
    close: () => sim.close(),
  };
}
