/**
 * Write-back through sObject Collections, 200 records a request, allOrNone false so one bad
 * record does not sink its batch: calls and texts become Tasks (POST composite/sobjects),
 * voice opt-outs set DoNotCall on the Contact or Lead (PATCH composite/sobjects). Salesforce
 * has no standard SMS opt-out field, nor tags or orders: those are skipped.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm
 */
import { AppError } from '../../core/errors.ts';
import type { WriteBack, WriteBackResult } from '../../core/ports.ts';
import { callTask, personType, saveError, smsTask, type SfRow } from './mapping.ts';
import type { Session } from './session.ts';

/** Salesforce's limit for one sObject Collections request. */
export const COLLECTION_LIMIT = 200;

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

async function save(session: Session, method: 'POST' | 'PATCH', pending: Pending, results: WriteBackResult[], answered: boolean[]): Promise<void> {
  const what = method === 'POST' ? 'writing Tasks to Salesforce' : 'setting DoNotCall in Salesforce';
  for (const batch of batches(pending, COLLECTION_LIMIT)) {
    const body = { allOrNone: false, records: batch.map((p) => p.record) };
    const saved = await session.run(what, (conn) =>
      method === 'POST' ? conn.requestPost<SaveResult[]>('/composite/sobjects', body) : conn.requestPatch<SaveResult[]>('/composite/sobjects', body),
    );
    if (!Array.isArray(saved) || saved.length !== batch.length) throw new AppError('UPSTREAM', `${what}: Salesforce answered ${Array.isArray(saved) ? saved.length : 'no'} results for ${batch.length} records`, { retryable: true });
    batch.forEach((p, n) => {
      const r = saved[n]!;
      const result: WriteBackResult = r.success ? { status: 'done', ...(r.id ? { vendorId: r.id } : {}) } : { status: 'rejected', error: saveError(r.errors) };
      for (const item of p.items) {
        results[item] = result;
        answered[item] = true;
      }
    });
  }
}

export async function writeBack(session: Session, items: WriteBack[]): Promise<WriteBackResult[]> {
  const results: WriteBackResult[] = items.map(() => ({ status: 'skipped' }));
  const tasks: Pending = [];
  // One update per record, however many opt-outs name it: Salesforce refuses an id twice in one request.
  const optOuts = new Map<string, { record: SfRow; items: number[] }>();
  items.forEach((item, n) => {
    if (item.kind === 'call') tasks.push({ record: callTask(item.call), items: [n] });
    else if (item.kind === 'sms') tasks.push({ record: smsTask(item.message), items: [n] });
    else if (item.kind === 'opt-out' && item.channel !== 'sms') {
      const type = personType(item.externalId);
      if (!type) results[n] = { status: 'rejected', error: 'not the id of a Salesforce Contact (003…) or Lead (00Q…)' };
      else if (optOuts.has(item.externalId)) optOuts.get(item.externalId)!.items.push(n);
      else optOuts.set(item.externalId, { record: { attributes: { type }, id: item.externalId, DoNotCall: true }, items: [n] });
    }
  });
  // Items settled so far: a request failing after others went through says which (details.partial),
  // so the outbox retries only the rest and no Task is created twice. Opt-outs go first: repeating them is harmless.
  const answered = items.map((item) => !(item.kind === 'call' || item.kind === 'sms' || (item.kind === 'opt-out' && item.channel !== 'sms' && personType(item.externalId))));
  try {
    await save(session, 'PATCH', [...optOuts.values()], results, answered);
    await save(session, 'POST', tasks, results, answered);
  } catch (err) {
    if (!(err instanceof AppError) || !answered.some((a, n) => a && results[n]!.status !== 'skipped')) throw err;
    throw new AppError(err.code, err.message, { cause: err.cause ?? err, retryable: err.retryable, details: { ...(err.details as object), partial: results.map((r, n) => (answered[n] ? r : null)) } });
  }
  return results;
}
