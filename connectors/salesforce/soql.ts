/**
 * The incremental pull's SOQL and cursor, pure. Salesforce stamps SystemModstamp to the
 * second, so many records share one: each object's position is the last (SystemModstamp, Id)
 * read, and the next query starts strictly after it — a keyset that neither skips nor repeats
 * a record across pages or runs.
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
  id: z.string().regex(/^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$/),
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
      locator: z.string().regex(/^[\w+/=-]+$/).nullable(),
      max: position.nullable(),
    })
    .optional(),
});
export type PullCursor = z.infer<typeof pullCursor>;

export function readCursor(cursor: CrmCursor | null): PullCursor {
  const parsed = pullCursor.safeParse(cursor ?? {});
  if (!parsed.success) throw new AppError('VALIDATION', `the saved Salesforce sync cursor is not one this connector wrote: ${parsed.error.issues[0]?.path.join('.') ?? ''}`, { retryable: false });
  return parsed.data;
}

export const positionOf = (r: SfRow): Position => ({ since: isoStamp(r.SystemModstamp), id: String(r.Id) });

/** The later of two positions, by stamp and then id (ISO stamps of one form order as text). */
export function later(a: Position | null, b: Position | null): Position | null {
  if (!a || !b) return a ?? b;
  return b.since > a.since || (b.since === a.since && b.id > a.id) ? b : a;
}

/**
 * The records of `object` changed after `from` (all of them without one), leads not yet
 * converted; ordered by SystemModstamp, Id for REST paging. Bulk API 2.0 jobs go unordered:
 * ORDER BY turns off their chunking and makes large jobs time out.
 */
export function changesSoql(object: PersonObject, from: Position | null, ordered = true): string {
  const where = [
    ...(object === 'Lead' ? ['IsConverted = false'] : []),
    ...(from ? [`(SystemModstamp > ${from.since} OR (SystemModstamp = ${from.since} AND Id > '${from.id}'))`] : []),
  ];
  return `SELECT ${FIELDS.join(', ')} FROM ${object}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}${ordered ? ' ORDER BY SystemModstamp, Id' : ''}`;
}
