/** Checking and encrypting one import row: the CPU-heavy part of an import (phone parsing, AES-GCM, HMAC). */
import type { ContactField, ImportRow } from './import.rows.ts';
import type { Pii } from './pii.ts';
import { normalizePhone } from './phone.ts';
import { canonicalCountry, canonicalTimeZone, isEmail, splitTags } from './contacts.fields.ts';
import type { PreparedContact } from './imports.store.ts';

export type Prepared =
  | { ok: true; row: number; contact: PreparedContact }
  | { ok: false; row: number; field: ContactField; reason: string };

export function prepareRow(pii: Pii, row: ImportRow, region: string): Prepared {
  const f = row.fields;
  const reject = (field: ContactField, reason: string): Prepared => ({ ok: false, row: row.row, field, reason });
  const phone = normalizePhone(f.phone, region);
  if (!phone.valid) return reject('phone', `phone: ${phone.reason}`);
  if (f.email !== undefined && !isEmail(f.email)) return reject('email', 'email is not a valid address');
  const timeZone = f.timeZone === undefined ? null : canonicalTimeZone(f.timeZone);
  if (f.timeZone !== undefined && !timeZone) return reject('timeZone', 'not an IANA time zone');
  const country = f.country === undefined ? null : canonicalCountry(f.country);
  if (f.country !== undefined && !country) return reject('country', 'not an ISO 3166-1 country code');
  const attributes: Record<string, string> = { ...row.attributes };
  if (f.externalId !== undefined) attributes.externalId = f.externalId;
  const e164 = phone.e164!;
  return {
    ok: true,
    row: row.row,
    contact: {
      phoneHash: pii.phoneIndex(e164).toString('hex'),
      phoneEnc: pii.encrypt(e164),
      phoneType: phone.type,
      phoneCountry: phone.country,
      nameEnc: pii.encryptOptional(f.name),
      emailEnc: pii.encryptOptional(f.email),
      tags: f.tags === undefined ? [] : splitTags(f.tags),
      attributes,
      timeZone,
      country: country ?? phone.country,
    },
  };
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
