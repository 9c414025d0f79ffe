/**
 * Contact export as CSV, for admin keys only; every export is written to the audit log,
 * including one that fails half-way.
 */
import type { Actor, Deps } from '../deps.ts';
import { forbidden } from '../errors.ts';
import { audit } from './audit.ts';
import { CONTACT_SELECT, toContact, type Contact, type ContactRow } from '../contacts/store.ts';

const COLUMNS: [string, (c: Contact) => unknown][] = [
  ['id', (c) => c.id],
  ['name', (c) => c.name],
  ['phone', (c) => c.phone],
  ['email', (c) => c.email],
  ['tags', (c) => c.tags.join(';')],
  ['time_zone', (c) => c.timeZone],
  ['country', (c) => c.country],
  ['phone_type', (c) => c.phoneType],
  ['phone_valid', (c) => c.phoneValid],
  ['phone_invalid_reason', (c) => c.phoneInvalidReason],
  ['opted_out_voice', (c) => c.optedOut.voice],
  ['opted_out_sms', (c) => c.optedOut.sms],
  ['attributes', (c) => (Object.keys(c.attributes).length ? JSON.stringify(c.attributes) : '')],
  ['created_at', (c) => c.createdAt],
  ['updated_at', (c) => c.updatedAt],
];

/** RFC 4180 quoting, plus a leading apostrophe on text a spreadsheet would run as a formula. */
export function csvCell(value: unknown, guardFormula = true): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (guardFormula && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const PAGE = 1000;

/** Streams the tenant's contacts as CSV (UTF-8 with BOM, so Excel reads CJK text) to `write`. */
export async function exportContacts(deps: Deps, actor: Actor, write: (chunk: string) => Promise<void> | void) {
  if (actor.role !== 'admin') throw forbidden('only admin keys may export contacts');
  let rowsWritten = 0;
  let completed = false;
  try {
    await write(`\uFEFF${COLUMNS.map(([name]) => name).join(',')}\r\n`);
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const { rows } = await deps.db.query<ContactRow>(`${CONTACT_SELECT} where c.tenant_id = $1 and c.id > $2 order by c.id limit $3`, [
        actor.tenantId,
        after,
        PAGE,
      ]);
      if (rows.length === 0) break;
      const lines = rows.map((row) => {
        const c = toContact(row, deps.pii);
        // A valid phone is "+8613…" by design: guarding it would corrupt the number. A CRM
        // number kept as typed is arbitrary text and is guarded like any other.
        return COLUMNS.map(([name, get]) => csvCell(get(c), name !== 'phone' || !c.phoneValid)).join(',');
      });
      await write(`${lines.join('\r\n')}\r\n`);
      rowsWritten += rows.length;
      after = rows.at(-1)!.id;
    }
    completed = true;
  } finally {
    await audit(deps.db, actor, 'contacts.export', {
      format: 'csv',
      columns: COLUMNS.map(([name]) => name),
      rows: rowsWritten,
      completed,
    });
  }
}
