/** The set-based write behind imports: one statement lands a whole batch of contacts. */
import type pg from 'pg';
import type { PhoneType } from '../phone/phone.ts';

export interface PreparedContact {
  /** Blind index of the E.164 number, hex. */
  phoneHash: string;
  phoneEnc: string;
  phoneType: PhoneType | null;
  phoneCountry: string | null;
  nameEnc: string | null;
  emailEnc: string | null;
  tags: string[];
  attributes: Record<string, string | number>;
  timeZone: string | null;
  country: string | null;
}

/**
 * Upserts contacts by phone blind index. Rows must have distinct numbers (Postgres cannot
 * update one row twice in a statement). Provided fields overwrite, blank ones keep what was
 * there, tags are added to the existing ones.
 * @returns how many rows were inserted (the rest updated existing contacts)
 */
export async function upsertContactBatch(db: Pick<pg.Pool, 'query'>, tenantId: string, rows: PreparedContact[]): Promise<number> {
  if (rows.length === 0) return 0;
  const payload = rows.map((r) => ({
    phone_enc: r.phoneEnc,
    phone_hash: r.phoneHash,
    phone_type: r.phoneType,
    phone_country: r.phoneCountry,
    name_enc: r.nameEnc,
    email_enc: r.emailEnc,
    tags: r.tags,
    attributes: r.attributes,
    time_zone: r.timeZone,
    country: r.country,
  }));
  const { rows: out } = await db.query<{ inserted: number }>(
    `with landed as (
       insert into contacts (tenant_id, id, phone_enc, phone_hash, phone_type, phone_country, name_enc, email_enc,
                             tags, attributes, time_zone, country)
       select $1, gen_random_uuid(), u.phone_enc, decode(u.phone_hash, 'hex'), u.phone_type, u.phone_country,
              u.name_enc, u.email_enc, array(select jsonb_array_elements_text(u.tags)), u.attributes, u.time_zone, u.country
         from jsonb_to_recordset($2::jsonb) as u(phone_enc text, phone_hash text, phone_type text, phone_country text,
              name_enc text, email_enc text, tags jsonb, attributes jsonb, time_zone text, country text)
       on conflict (tenant_id, phone_hash) do update set
         phone_enc = excluded.phone_enc, phone_type = excluded.phone_type, phone_country = excluded.phone_country,
         phone_invalid_reason = null,
         name_enc = coalesce(excluded.name_enc, contacts.name_enc),
         email_enc = coalesce(excluded.email_enc, contacts.email_enc),
         tags = contacts.tags || array(select t from unnest(excluded.tags) t where t <> all (contacts.tags)),
         attributes = contacts.attributes || excluded.attributes,
         time_zone = coalesce(excluded.time_zone, contacts.time_zone),
         country = coalesce(excluded.country, contacts.country),
         updated_at = now()
       returning (xmax = 0) as inserted)
     select count(*) filter (where inserted)::int as inserted from landed`,
    [tenantId, JSON.stringify(payload)],
  );
  return out[0]!.inserted;
}
