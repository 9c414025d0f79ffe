/** SQL and row mapping for the contacts table; PII is decrypted only here, on the way out. */
import type pg from 'pg';
import type { Pii } from '../privacy/pii.ts';
import type { PhoneType } from '../phone/phone.ts';

export interface CrmRef {
  system: string;
  externalId: string;
}

export interface Contact {
  id: string;
  name: string | null;
  /** E.164 when valid; for a CRM-synced contact with a bad number, the number as the CRM had it. */
  phone: string | null;
  phoneValid: boolean;
  phoneType: PhoneType | null;
  phoneCountry: string | null;
  phoneInvalidReason: string | null;
  email: string | null;
  tags: string[];
  attributes: Record<string, unknown>;
  timeZone: string | null;
  country: string | null;
  crm: CrmRef[];
  optedOut: { voice: boolean; sms: boolean };
  /** False when the number is invalid or every channel is opted out. */
  dialable: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ContactRow {
  id: string;
  phone_enc: string | null;
  phone_hash: Buffer | null;
  phone_type: PhoneType | null;
  phone_country: string | null;
  phone_invalid_reason: string | null;
  name_enc: string | null;
  email_enc: string | null;
  tags: string[];
  attributes: Record<string, unknown>;
  time_zone: string | null;
  country: string | null;
  created_at: Date;
  updated_at: Date;
  crm: CrmRef[] | null;
  opted_out_voice: boolean;
  opted_out_sms: boolean;
}

/** Selects contacts `c` with their CRM refs and current opt-out state. */
export const CONTACT_SELECT = `
  select c.id, c.phone_enc, c.phone_hash, c.phone_type, c.phone_country, c.phone_invalid_reason,
         c.name_enc, c.email_enc, c.tags, c.attributes, c.time_zone, c.country, c.created_at, c.updated_at,
         (select json_agg(json_build_object('system', r.system, 'externalId', r.external_id) order by r.system, r.external_id)
            from contact_crm_refs r where r.tenant_id = c.tenant_id and r.contact_id = c.id) as crm,
         exists (select 1 from consent_events e where e.tenant_id = c.tenant_id and e.phone_hash = c.phone_hash
                   and e.channel in ('voice', 'all')) as opted_out_voice,
         exists (select 1 from consent_events e where e.tenant_id = c.tenant_id and e.phone_hash = c.phone_hash
                   and e.channel in ('sms', 'all')) as opted_out_sms
    from contacts c`;

export function toContact(row: ContactRow, pii: Pii): Contact {
  const phoneValid = row.phone_hash !== null;
  const optedOut = { voice: row.opted_out_voice, sms: row.opted_out_sms };
  return {
    id: row.id,
    name: pii.decryptOptional(row.name_enc),
    phone: pii.decryptOptional(row.phone_enc),
    phoneValid,
    phoneType: row.phone_type,
    phoneCountry: row.phone_country,
    phoneInvalidReason: row.phone_invalid_reason,
    email: pii.decryptOptional(row.email_enc),
    tags: row.tags,
    attributes: row.attributes,
    timeZone: row.time_zone,
    country: row.country,
    crm: row.crm ?? [],
    optedOut,
    // A number can parse (phoneValid) and still be refused by the carrier's lookup (the reason).
    dialable: phoneValid && row.phone_invalid_reason === null && !(optedOut.voice && optedOut.sms),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function selectContact(db: Pick<pg.Pool, 'query'>, pii: Pii, tenantId: string, id: string): Promise<Contact | null> {
  const { rows } = await db.query<ContactRow>(`${CONTACT_SELECT} where c.tenant_id = $1 and c.id = $2`, [tenantId, id]);
  return rows[0] ? toContact(rows[0], pii) : null;
}
