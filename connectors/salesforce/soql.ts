/**
 * The incremental pull's SOQL and cursor, pure. Salesforce stamps SystemModstamp to the
 * second, so many records share one, and a record can still be stamped with the newest second
 * after a query read it: each object's position is the newest stamp read and the ids read at
 * exactly that stamp. The next query starts at that stamp (>=) and drops those ids, so nothing
 * is skipped — not even a record stamped in that second later, whatever its id — and nothing
 * is handed out twice.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_orderby.htm
 */
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import type { CrmCursor } from '../../core/ports.ts';
import { isoStamp, type SfRow } from './mapping.ts';

export const OBJECTS = ['Contact', 'Lead'] as const;
export type PersonObject = (typeof OBJECTS)[number];

const FIELDS = ['Id', 'FirstName', 'LastName', 'Phone', 'MobilePhone', 'DoNotCall', 'SystemModstamp'];

// Both end up inside SOQL: only an ISO datetime and a record id pass.
const position = z.object({
  since: z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,3})?Z$/),
  /** The records already read at exactly `since`. */
  ids: z.array(z.string().regex(/^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$/)),
});
export type Position = z.infer<typeof position>;

const pullCursor = z.object({
  Contact: position.nullable().default(null),
  Lead: position.nullable().default(null),
  /** A Bulk API 2.0 query job being read: its next results page, and the furthest record read from it so far. */
  bulk: z
    .object({
      object: z.enum(OBJECTS),
      jobId: z.string().regex(/^750[0-9A-Za-z]{12}(?:[0-9A-Za-z]{3})?$/),
      locator: z
        .string()
        .regex(/^[\w+/=-]+$/)
        .nullable(),
      /** Where the object's position moves once the whole job is read; `from`, the position the job's query started at. */
      max: position.nullable(),
      from: position.nullable().default(null),
    })
    .optional(),
});
export type PullCursor = z.infer<typeof pullCursor>;

export function readCursor(cursor: CrmCursor | null): PullCursor {
  const parsed = pullCursor.safeParse(cursor ?? {});
  if (!parsed.success)
    throw new AppError('VALIDATION', `the saved Salesforce sync cursor is not one this connector wrote: ${parsed.error.issues[0]?.path.join('.') ?? ''}`, {
      retryable: false,
    });
  return parsed.data;
}

/** The position after reading `rows` (in any order) from `from`: the newest stamp, and every id read at it. */
export function advance(from: Position | null, rows: SfRow[]): Position | null {
  let since = from?.since ?? null;
  const ids = new Set(from?.ids ?? []);
  for (const r of rows) {
    const stamp = isoStamp(r.SystemModstamp);
    // ISO stamps of one form order as text.
    if (since === null || stamp > since) {
      since = stamp;
      ids.clear();
    }
    if (stamp === since) ids.add(String(r.Id));
  }
  return since === null ? null : { since, ids: [...ids] };
}

/** Drops the records a query from `from` hands out again: those already read at its stamp. */
export function unseen(from: Position | null, rows: SfRow[]): SfRow[] {
  if (!from?.ids.length) return rows;
  const seen = new Set(from.ids);
  return rows.filter((r) => !(seen.has(String(r.Id)) && isoStamp(r.SystemModstamp) === from.since));
}

/**
 * The records of `object` changed after `from` (all of them without one), leads not yet
 * converted; ordered by SystemModstamp, Id for REST paging. Bulk API 2.0 jobs go unordered:
 * ORDER BY turns off their chunking and makes large jobs time out.
 */
export function changesSoql(object: PersonObject, from: Position | null, ordered = true): string {
  const where = [...(object === 'Lead' ? ['IsConverted = false'] : []), ...(from ? [`SystemModstamp >= ${from.since}`] : [])];
  return `SELECT ${FIELDS.join(', ')} FROM ${object}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}${ordered ? ' ORDER BY SystemModstamp, Id' : ''}`;
}
