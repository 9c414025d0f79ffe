/** Checking and encrypting import rows: the CPU-heavy part of an import (phone parsing, AES-GCM, HMAC). */
import type { ContactField, ImportRow } from './rows.ts';
import type { Pii } from '../privacy/pii.ts';
import { normalizePhone, phoneProblem } from '../phone/phone.ts';
import { canonicalCountry, canonicalTimeZone, isEmail, splitTags } from '../contacts/fields.ts';
import type { PreparedContact } from './store.ts';
import { canonicalAttributes } from '../contacts/attributes.ts';
import { displayText, textProblem, type TextProblem } from '../common/text.ts';

export type Prepared =
  | { ok: true; row: number; contact: PreparedContact }
  /** A bad cell: of a contact field, or (`column`) of a column kept as an attribute. */
  | { ok: false; row: number; field?: ContactField; column?: string; reason: string };

const unstorable: Record<Exclude<TextProblem, 'depth'>, string> = {
  nul: 'contains the NUL character (\\u0000), which cannot be stored',
  surrogate: 'contains an unpaired UTF-16 surrogate, which is not valid Unicode',
};

/** The first cell of a row holding text the database cannot store (core/common/text.ts), as a rejection. */
function badCell(row: ImportRow): Prepared | null {
  for (const [field, value] of Object.entries(row.fields) as [ContactField, string][]) {
    const problem = textProblem(value);
    if (problem) return { ok: false, row: row.row, field, reason: `${field} ${unstorable[problem]}` };
  }
  for (const [header, value] of Object.entries(row.attributes)) {
    const problem = textProblem(header) ?? textProblem(value);
    if (problem)
      return {
        ok: false,
        row: row.row,
        column: displayText(header),
        reason: `${textProblem(header) ? 'the column header' : 'the cell'} ${unstorable[problem]}`,
      };
  }
  return null;
}

type Checked = Prepared | { ok: 'checked'; source: ImportRow; e164: string; contact: Omit<PreparedContact, 'phoneHash' | 'phoneEnc' | 'nameEnc' | 'emailEnc'> };

/** Validates and normalises one row; no cryptography yet. */
function check(row: ImportRow, region: string): Checked {
  const bad = badCell(row);
  if (bad) return bad;
  const f = row.fields;
  const phone = normalizePhone(f.phone, region);
  if (!phone.valid) return { ok: false, row: row.row, field: 'phone', reason: phoneProblem(phone) };
  if (f.email !== undefined && !isEmail(f.email)) return { ok: false, row: row.row, field: 'email', reason: 'email is not a valid address' };
  const timeZone = f.timeZone === undefined ? null : canonicalTimeZone(f.timeZone);
  if (f.timeZone !== undefined && !timeZone) return { ok: false, row: row.row, field: 'timeZone', reason: 'not an IANA time zone' };
  const country = f.country === undefined ? null : canonicalCountry(f.country);
  if (f.country !== undefined && !country) return { ok: false, row: row.row, field: 'country', reason: 'not an ISO 3166-1 country code' };
  const attributes = canonicalAttributes(row.attributes);
  if (f.externalId !== undefined) attributes.externalId = f.externalId;
  return {
    ok: 'checked',
    source: row,
    e164: phone.e164!,
    contact: {
      phoneType: phone.type,
      phoneCountry: phone.country,
      tags: f.tags === undefined ? [] : splitTags(f.tags),
      attributes,
      timeZone,
      country: country ?? phone.country,
    },
  };
}

/**
 * Checks and encrypts a chunk of rows one step at a time across the chunk — every phone,
 * then every ciphertext, then every blind index — rather than row by row: each hot loop
 * stays hot, which measured a third faster for the same work.
 */
export function prepareRows(pii: Pii, rows: ImportRow[], region: string): Prepared[] {
  const checked = rows.map((row) => check(row, region));
  const good = checked.filter((c) => c.ok === 'checked');
  const phoneEnc = good.map((c) => pii.encrypt(c.e164));
  const phoneHash = good.map((c) => pii.phoneIndex(c.e164).toString('hex'));
  const nameEnc = good.map((c) => pii.encryptOptional(c.source.fields.name));
  const emailEnc = good.map((c) => pii.encryptOptional(c.source.fields.email));
  let i = 0;
  return checked.map((c) => {
    if (c.ok !== 'checked') return c;
    const n = i++;
    const contact = { ...c.contact, phoneEnc: phoneEnc[n]!, phoneHash: phoneHash[n]!, nameEnc: nameEnc[n]!, emailEnc: emailEnc[n]! };
    return { ok: true, row: c.source.row, contact };
  });
}

/** Later rows win over earlier ones with the same number; tags and attributes accumulate. */
export function merge(earlier: PreparedContact, later: PreparedContact): PreparedContact {
  return {
    ...later,
    nameEnc: later.nameEnc ?? earlier.nameEnc,
    emailEnc: later.emailEnc ?? earlier.emailEnc,
    tags: [...new Set([...earlier.tags, ...later.tags])],
    attributes: { ...earlier.attributes, ...later.attributes },
    timeZone: later.timeZone ?? earlier.timeZone,
  };
}
