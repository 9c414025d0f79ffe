// A stateful Salesforce org on one local origin, served the way the official client
// (@salesforce/core → jsforce) talks to a real one: REST query with cursors, sObject
// reads and writes, sObject Collections, Bulk API 2.0 query jobs, Bearer auth, the JWT
// bearer token endpoint, the daily API request allowance, and injected outages. See
// sim/README.md.
import { randomBytes } from 'node:crypto';
import { Org, type PublishedEvent, type SfRecord } from './store.ts';
import { SaveFailure } from './errors.ts';
import { createSfServer, pruneUsage, type LoggedRequest, type ServerState } from './server.ts';
import { restRoutes } from './rest.ts';
import { bulkRoutes } from './bulk.ts';
import { jsonDatetime } from './render.ts';
import { tokenEndpoint, type ConnectedApp } from './oauth.ts';
import type { Field, SObjectType } from './schema.ts';
import { listen } from '../listen.ts';

export type { SfRecord, PublishedEvent } from './store.ts';
export type { Field, Kind, SObjectType } from './schema.ts';
export type { LoggedRequest } from './server.ts';
export type { ConnectedApp } from './oauth.ts';
export { SaveFailure } from './errors.ts';

export interface SalesforceSimOptions {
  port?: number;
  /** Versions served under /services/data; default 58.0–64.0. */
  versions?: string[];
  /** Records per REST query batch (Salesforce: 2,000). */
  queryBatchSize?: number;
  /** API requests allowed in any rolling 24 hours (a Developer Edition org gets 15,000). */
  dailyApiLimit?: number;
  /** Real milliseconds a Bulk API 2.0 query job takes to complete. */
  bulkJobMs?: number;
  /** Records per Bulk API 2.0 results page when the client sends no maxRecords. */
  bulkPageSize?: number;
  /** The org's clock (epoch ms) for record stamps and the API usage window; default Date.now. */
  now?: () => number;
  accessToken?: string;
}

export interface SalesforceSim {
  /** The instanceUrl, also the login URL of the token endpoint (POST /services/oauth2/token). */
  url: string;
  /** A valid session's token; a new one after expireSessions(). */
  readonly accessToken: string;
  orgId: string;
  /** Copies of the records of a type, including soft-deleted ones (IsDeleted), datetimes as +0000 strings. */
  records(type: SObjectType): SfRecord[];
  /** Inserts records as the API would (same checks); returns their ids. */
  insert(type: SObjectType, records: Record<string, unknown>[]): string[];
  update(id: string, fields: Record<string, unknown>): void;
  /** Soft delete (the recycle bin); queryAll still sees the record. */
  remove(id: string): void;
  requests(): LoggedRequest[];
  /**
   * Deploys custom fields (…__c) to Contact, Lead or Task, as installing a package does; until
   * then a write naming them is refused with INVALID_FIELD. Activity fields go on Task.
   */
  addCustomFields(type: SObjectType, fields: Field[]): void;
  /** Deploys a platform event (…__e) with its fields: POST /sobjects/Name__e then publishes it. */
  addPlatformEvent(name: string, fields: Field[]): void;
  /** Copies of the platform event messages published so far, oldest first. */
  publishedEvents(): PublishedEvent[];
  /** API requests counted in the last 24 hours of the org's clock. */
  apiUsage(): { used: number; limit: number };
  /** Answers every API request with `status` for the next `ms` of real time. */
  failFor(ms: number, status?: number): void;
  /** Registers a connected app for the JWT bearer flow: its consumer key, certificate (or public key) and pre-authorised users. */
  registerConnectedApp(app: ConnectedApp): void;
  /** Ends every session (as a timeout or a revocation does): every token answers 401 INVALID_SESSION_ID from now on. */
  expireSessions(): void;
  close(): Promise<void>;
}

export async function startSalesforceSim(options: SalesforceSimOptions = {}): Promise<SalesforceSim> {
  const now = options.now ?? Date.now;
  const org = new Org(now);
  const newToken = () => `${org.orgId.slice(0, 15)}!AQ${randomBytes(48).toString('base64url')}`;
  const state: ServerState & { accessToken: string } = {
    accessToken: options.accessToken ?? newToken(),
    tokens: new Set(),
    versions: options.versions ?? ['58.0', '59.0', '60.0', '61.0', '62.0', '63.0', '64.0'],
    dailyLimit: options.dailyApiLimit ?? 100_000,
    now,
    usage: [],
    log: [],
  };
  state.tokens.add(state.accessToken);
  let url = '';
  const oauth = tokenEndpoint({
    url: () => url,
    orgId: org.orgId,
    userId: org.userId,
    issue: () => {
      const token = newToken();
      state.tokens.add(token);
      return token;
    },
  });
  state.oauth = oauth.handle;
  const routes = [
    ...restRoutes(org, { batchSize: options.queryBatchSize ?? 2000 }),
    ...bulkRoutes(org, { jobMs: options.bulkJobMs ?? 50, pageSize: options.bulkPageSize ?? 100_000 }),
    {
      method: 'GET',
      pattern: /^\/limits\/?$/,
      handler: () => ({ status: 200, json: { DailyApiRequests: { Max: state.dailyLimit, Remaining: Math.max(0, state.dailyLimit - state.usage.length) } } }),
    },
  ];
  const server = createSfServer(routes, state);
  const { port } = await listen(server, options.port ?? 0, '127.0.0.1');
  url = `http://127.0.0.1:${port}`;

  const saved = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      // Test data that Salesforce would refuse is a bug in the test: say why.
      if (err instanceof SaveFailure) throw new Error(`Salesforce sim refused the write: ${err.message}`);
      throw err;
    }
  };

  return {
    url,
    get accessToken() {
      return state.accessToken;
    },
    orgId: org.orgId,
    records: (type) =>
      org
        .list(type, true)
        .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^\d{4}-\d\d-\d\dT.*Z$/.test(v) ? jsonDatetime(v) : v]))),
    insert: (type, records) => saved(() => records.map((r) => org.insert(type, r).Id as string)),
    update: (id, fields) => void saved(() => org.update(id, fields)),
    remove: (id) => {
      if (!org.remove(id)) throw new Error(`Salesforce sim: no record ${id}`);
    },
    requests: () => state.log.slice(),
    addCustomFields: (type, fields) => org.schema.addFields(type, fields),
    addPlatformEvent: (name, fields) => org.schema.addEvent(name, fields),
    publishedEvents: () => structuredClone(org.published),
    apiUsage: () => {
      pruneUsage(state);
      return { used: state.usage.length, limit: state.dailyLimit };
    },
    failFor: (ms, status = 503) => {
      state.outage = { until: Date.now() + ms, status };
    },
    registerConnectedApp: (app) => oauth.register(app),
    expireSessions: () => {
      state.tokens.clear();
      state.accessToken = newToken();
      state.tokens.add(state.accessToken);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
