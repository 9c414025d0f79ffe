// How records leave the org: REST JSON (datetimes as 2024-05-01T09:30:00.000+0000, each
// record with its attributes) and Bulk API 2.0 CSV (every value quoted, datetimes in Z
// form, null as an empty field).
import type { Field, SObjectType } from './schema.ts';
import type { SfRecord, Value } from './store.ts';

export const jsonDatetime = (iso: string) => iso.replace(/Z$/, '+0000');

export function toJson(type: SObjectType, rec: SfRecord, fields: Field[], version: string): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: { type, url: `/services/data/v${version}/sobjects/${type}/${String(rec.Id)}` } };
  for (const f of fields) {
    const v = rec[f.name] ?? null;
    out[f.name] = f.kind === 'datetime' && typeof v === 'string' ? jsonDatetime(v) : v;
  }
  return out;
}

function csvCell(v: Value): string {
  return v === null ? '' : `"${String(v).replaceAll('"', '""')}"`;
}

export function toCsv(fields: Field[], rows: SfRecord[], lineEnding = '\n', delimiter = ','): string {
  const lines = [fields.map((f) => csvCell(f.name)).join(delimiter)];
  for (const rec of rows) lines.push(fields.map((f) => csvCell(rec[f.name] ?? null)).join(delimiter));
  return lines.join(lineEnding) + lineEnding;
}
