/** Test helpers for the file readers (not used by production code). */
import type { ImportRow } from '../../core/imports/rows.ts';

/** Bytes as an async source of `size`-byte chunks; `pulls.count` says how many were taken. */
export function chunked(bytes: Uint8Array, size: number, pulls = { count: 0 }): AsyncIterable<Uint8Array> {
  return (async function* () {
    for (let i = 0; i < bytes.length; i += size) {
      pulls.count++;
      yield bytes.subarray(i, i + size);
    }
  })();
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Rows as [row, fields, attributes] triples: compact to compare. */
export async function rowTriples(rows: AsyncIterable<ImportRow>): Promise<[number, ImportRow['fields'], ImportRow['attributes']][]> {
  return (await collect(rows)).map((r) => [r.row, r.fields, r.attributes]);
}
