import { validation } from '../errors.ts';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Cursors are opaque to clients: the last key seen, base64url-encoded. */
export const encodeCursor = (lastKey: string): string => Buffer.from(`v1:${lastKey}`).toString('base64url');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const MAX_BIGINT = 9223372036854775807n;

/** A key of a `bigint` (bigserial) column: digits the database can compare, not just any number. */
export const bigintKey = (key: string): boolean => /^\d{1,19}$/.test(key) && BigInt(key) <= MAX_BIGINT;

/** The key a cursor holds, checked to be a position the query can start from (else 400 naming `cursor`). */
export function decodeCursor(cursor: string, shape: RegExp | ((key: string) => boolean) = UUID): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const key = text.startsWith('v1:') ? text.slice(3) : '';
  const valid = typeof shape === 'function' ? shape(key) : shape.test(key);
  if (!valid) throw validation('cursor is not one this API returned', 'cursor');
  return key;
}

/** Clamp for `limit` query parameters. */
export const MAX_PAGE = 500;

/** A page from rows fetched with `limit + 1`: the extra row only says that there is more. */
export function toPage<R, T extends { id: string }>(rows: R[], limit: number, map: (row: R) => T): Page<T> {
  const items = rows.slice(0, limit).map(map);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}
