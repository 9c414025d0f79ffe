/**
 * Write-back through sObject Collections, 200 records a request, allOrNone false so one bad
 * record does not sink its batch: calls and texts become Tasks (POST composite/sobjects),
 * voice opt-outs set DoNotCall on the Contact or Lead (PATCH composite/sobjects). Salesforce
 * has no standard SMS opt-out field, nor tags or orders: those are skipped.
 * With the Chaseline package installed (credentials `package: true`), a chase's result is kept
 * in the package's Contact and Lead fields (in the same PATCH) and announced by its
 * Chaseline_Chase_Ended__e platform event (POST /sobjects/Chaseline_Chase_Ended__e, one per
 * ended chase), and call Tasks carry its Activity fields; without it, chase results are skipped.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm
 * https://developer.salesforce.com/docs/atlas.en-us.platform_events.meta/platform_events/platform_events_publish_api.htm
 */
import { AppError } from '../../core/errors.ts';
import type { WriteBack, WriteBackResult } from '../../core/ports.ts';
import { callTask, chaseEndedEvent, personType, resultFields, saveError, smsTask, type SfRow } from './mapping.ts';
import { CHASE_ENDED_EVENT } from './package.ts';
import type { Session } from './session.ts';

/** Salesforce's limit for one sObject Collections request. */
export const COLLECTION_LIMIT = 200;

export interface WriteBackOptions {
  /** The Chaseline package is installed in the org (see schemas.ts). */
  package: boolean;
}

interface SaveResult {
  id?: string;
  success?: boolean;
  errors?: unknown[];
}

/** Records to save, each with the items (by index) its result answers. */
type Pending = Array<{ record: SfRow; items: number[] }>;

function* batches<T>(all: T[], size: number): Generator<T[]> {
  for (let i = 0; i < all.length; i += size) yield all.slice(i, i + size);
}

/** Saves the records; their items are answered, but for those still `awaiting` an event (a chase result whose record update went through). */
async function save(
  session: Session,
  method: 'POST' | 'PATCH',
  pending: Pending,
  results: WriteBackResult[],
  answered: boolean[],
  awaiting = new Map<number, SfRow>(),
): Promise<void> {
  const what = method === 'POST' ? 'writing Tasks to Salesforce' : 'updating Contacts and Leads in Salesforce';
  for (const batch of batches(pending, COLLECTION_LIMIT)) {
    const body = { allOrNone: false, records: batch.map((p) => p.record) };
    const saved = await session.run(what, (conn) =>
      method === 'POST' ? conn.requestPost<SaveResult[]>('/composite/sobjects', body) : conn.requestPatch<SaveResult[]>('/composite/sobjects', body),
    );
    if (!Array.isArray(saved) || saved.length !== batch.length)
      throw new AppError('UPSTREAM', `${what}: Salesforce answered ${Array.isArray(saved) ? saved.length : 'no'} results for ${batch.length} records`, {
        retryable: true,
      });
    batch.forEach((p, n) => {
      const r = saved[n]!;
      const result: WriteBackResult = r.success ? { status: 'done', ...(r.id ? { vendorId: r.id } : {}) } : { status: 'rejected', error: saveError(r.errors) };
      for (const item of p.items) {
        results[item] = result;
        answered[item] = !awaiting.has(item) || result.status === 'rejected';
      }
    });
  }
}

/**
 * Publishes the chase-ended events of the chase results whose record update went through. A
 * refused event (a field the org lacks) is that item's rejection; a failed request stops here,
 * the items not yet published being retried (their record update again, which is harmless).
 */
async function publish(session: Session, events: Map<number, SfRow>, results: WriteBackResult[], answered: boolean[]): Promise<void> {
  for (const [item, event] of events) {
    if (answered[item]) continue;
    try {
      const saved = await session.run(`publishing ${CHASE_ENDED_EVENT}`, (conn) => conn.requestPost<SaveResult>(`/sobjects/${CHASE_ENDED_EVENT}`, event));
      if (!saved?.success) results[item] = { status: 'rejected', error: saveError(saved?.errors) };
    } catch (err) {
      // Salesforce refused this message for good (INVALID_FIELD, NOT_FOUND: the package is not installed as configured).
      if (!(err instanceof AppError) || err.retryable || err.code !== 'VALIDATION') throw err;
      results[item] = { status: 'rejected', error: `${CHASE_ENDED_EVENT}: ${err.message}` };
    }
    answered[item] = true;
  }
}

export async function writeBack(session: Session, items: WriteBack[], options: WriteBackOptions = { package: false }): Promise<WriteBackResult[]> {
  const results: WriteBackResult[] = items.map(() => ({ status: 'skipped' }));
  const tasks: Pending = [];
  // One update per record, whatever opt-outs and chase results name it: Salesforce refuses an id twice in one request.
  const updates = new Map<string, { record: SfRow; items: number[] }>();
  /** The chase-ended event of each chase-result item, published once its record is updated. */
  const events = new Map<number, SfRow>();
  const update = (n: number, externalId: string, fields: SfRow, event?: SfRow): boolean => {
    const type = personType(externalId);
    if (!type) {
      results[n] = { status: 'rejected', error: 'not the id of a Salesforce Contact (003…) or Lead (00Q…)' };
      return false;
    }
    const entry = updates.get(externalId) ?? { record: { attributes: { type }, id: externalId }, items: [] };
    Object.assign(entry.record, fields);
    entry.items.push(n);
    updates.set(externalId, entry);
    if (event) events.set(n, event);
    return true;
  };
  const pending = items.map(() => false);
  items.forEach((item, n) => {
    if (item.kind === 'call') tasks.push({ record: callTask(item.call, options.package), items: [n] });
    else if (item.kind === 'sms') tasks.push({ record: smsTask(item.message), items: [n] });
    else if (item.kind === 'opt-out' && item.channel !== 'sms') pending[n] = update(n, item.externalId, { DoNotCall: true });
    else if (item.kind === 'chase-result' && options.package)
      pending[n] = update(n, item.externalId, resultFields(item.result), chaseEndedEvent(item.externalId, item.result));
    if (item.kind === 'call' || item.kind === 'sms') pending[n] = true;
  });
  // Items settled so far: a request failing after others went through says which (details.partial),
  // so the outbox retries only the rest and no Task is created twice. Updates go first: repeating them is harmless.
  const answered = pending.map((p) => !p);
  try {
    await save(session, 'PATCH', [...updates.values()], results, answered, events);
    await publish(session, events, results, answered);
    await save(session, 'POST', tasks, results, answered);
  } catch (err) {
    if (!(err instanceof AppError) || !answered.some((a, n) => a && results[n]!.status !== 'skipped')) throw err;
    throw new AppError(err.code, err.message, {
      cause: err.cause ?? err,
      retryable: err.retryable,
      details: { ...(err.details as object), partial: results.map((r, n) => (answered[n] ? r : null)) },
    });
  }
  return results;
}
