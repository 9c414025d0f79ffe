/**
 * Salesforce connector on @salesforce/core: Contacts and unconverted Leads pulled
 * incrementally by (SystemModstamp, Id) through REST query and queryMore (2,000 a page), a
 * pull of more than `bulkThreshold` records (a first sync, a mass update) through a Bulk API
 * 2.0 query job instead; calls and texts written back as Tasks, voice opt-outs as DoNotCall,
 * through sObject Collections (200 a request).
 */
import { AppError } from '../../core/errors.ts';
import type { CrmConnector, CrmContact, CrmCursor } from '../../core/ports.ts';
import { createQueryJob, resultsPage, waitForJob, type BulkOptions } from './bulk.ts';
import { contactFromSalesforce, type SfRow } from './mapping.ts';
import { salesforceCredentials, type SalesforceCredentials } from './schemas.ts';
import { createSession } from './session.ts';
import { advance, changesSoql, OBJECTS, readCursor, unseen, type PersonObject, type PullCursor } from './soql.ts';
import { writeBack } from './writeback.ts';

export interface SalesforceConnectorOptions extends Partial<BulkOptions> {
  /** A pull whose first query matches more records than this reads the rest through Bulk API 2.0; default 10,000. */
  bulkThreshold?: number;
}

interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: SfRow[];
}
type Page = { contacts: CrmContact[]; cursor: CrmCursor };

export function createSalesforceConnector(credentials: SalesforceCredentials, options: SalesforceConnectorOptions = {}): CrmConnector {
  const config = salesforceCredentials.parse(credentials);
  const session = createSession(config);
  const threshold = options.bulkThreshold ?? 10_000;
  const bulk: BulkOptions = { pollMs: options.pollMs ?? 2000, timeoutMs: options.timeoutMs ?? 30 * 60_000, pageSize: options.pageSize ?? 50_000 };

  async function* pullContacts(start: CrmCursor | null): AsyncIterable<Page> {
    const cursor = readCursor(start);
    // The cursor is saved as handed out: every page gets its own copy.
    const page = (rows: SfRow[]): Page => ({ contacts: rows.map(contactFromSalesforce), cursor: structuredClone(cursor) });

    /** Reads the bulk job the cursor names, once it has run, from its next page on; its object's position moves past it once all is read. */
    async function* readJob(job: NonNullable<PullCursor['bulk']>): AsyncIterable<Page> {
      do {
        const { rows, next } = await resultsPage(session, job.jobId, job.locator, bulk.pageSize);
        const fresh = unseen(job.from, rows);
        // Unordered (see changesSoql): the position moves to the newest records of the whole job, once it is all read.
        job.max = advance(job.max ?? job.from, fresh);
        job.locator = next;
        if (next === null) {
          cursor[job.object] = job.max;
          delete cursor.bulk;
        }
        yield page(fresh);
      } while (job.locator !== null);
    }

    async function* pullObject(object: PersonObject): AsyncIterable<Page> {
      const from = cursor[object];
      let result = await session.run(`querying ${object}s`, (conn) => conn.query(changesSoql(object, from)) as unknown as PromiseLike<QueryPage>);
      // The records read before at the position's stamp come again (and are dropped): they do not make a pull large.
      const large = !result.done && result.totalSize - (from?.ids.length ?? 0) > threshold;
      for (;;) {
        const fresh = unseen(from, result.records);
        if (fresh.length) {
          cursor[object] = advance(cursor[object], fresh);
          yield page(fresh);
        }
        if (result.done || !result.nextRecordsUrl) return;
        if (large) break;
        const next = result.nextRecordsUrl;
        result = await session.run(`querying ${object}s`, (conn) => conn.queryMore(next) as unknown as PromiseLike<QueryPage>);
      }
      // Past the threshold, the rest comes from one Bulk API 2.0 job. It is in the cursor from
      // its creation on, so a pull that stops while it runs picks it up instead of starting another.
      const jobId = await createQueryJob(session, changesSoql(object, cursor[object], false));
      cursor.bulk = { object, jobId, locator: null, max: null, from: cursor[object] };
      yield page([]);
      await waitForJob(session, jobId, bulk);
      yield* readJob(cursor.bulk);
    }

    if (cursor.bulk) {
      const gone = await waitForJob(session, cursor.bulk.jobId, bulk).then(
        () => false,
        (err: unknown) => {
          if (err instanceof AppError && (err.details?.errorCode === 'NOT_FOUND' || err.details?.jobState)) return true;
          throw err;
        },
      );
      // A job Salesforce no longer has (deleted, expired) or that failed: its object is read again from its position.
      if (gone) delete cursor.bulk;
      else yield* readJob(cursor.bulk);
    }
    for (const object of OBJECTS) yield* pullObject(object);
  }

  return {
    pullContacts,
    writeBack: (items) => writeBack(session, items, { package: config.package }),
  };
}
