/**
 * Contacts: upsert by id, by CRM reference or by phone; read; list with a cursor.
 * Numbers are normalised to E.164 with the tenant's default region and found again through
 * their blind index.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { AppError, notFound, validation } from '../errors.ts';
import type { Deps } from '../deps.ts';
import { normalizePhone, phoneProblem, type PhoneResult, type RawPhone } from '../phone/phone.ts';
import { canonicalCountry, canonicalTimeZone, isEmail } from './fields.ts';
import { CONTACT_SELECT, selectContact, toContact, type Contact, type ContactRow, type CrmRef } from './store.ts';
import { getTenant, tenantPhone } from '../tenants/tenants.ts';
import { withTransaction } from '../db/pool.ts';
import { decodeCursor, toPage, type Page } from '../common/pagination.ts';

export type { Contact, CrmRef } from './store.ts';

export interface ContactInput {
  id?: string;
  name?: string;
  /** As the caller or source wrote it; normalised here (normalizePhone). */
  phone?: RawPhone | string;
  email?: string;
  tags?: string[];
  attributes?: Record<string, unknown>;
  timeZone?: string;
  country?: string;
  crm?: CrmRef;
  /**
   * When the source changed this version (a CRM's modification stamp). Last writer wins: a
   * version older than the one the contact holds changes nothing. Default: now.
   */
  changedAt?: Date;
}

/**
 * Where a contact comes from. A CRM-synced contact with a bad number is kept (flagged, never
 * dialled) so it still maps to its CRM record; from anywhere else a bad number is rejected.
 */
export type ContactSource = 'api' | 'import' | 'crm';

export interface UpsertResult {
  contact: Contact;
  created: boolean;
}

function checkFields(input: ContactInput) {
  const email = input.email?.trim() || null;
  if (email !== null && !isEmail(email)) throw validation('email is not a valid address', 'email');
  let timeZone: string | null = null;
  if (input.timeZone) {
    timeZone = canonicalTimeZone(input.timeZone);
    if (!timeZone) throw validation(`"${input.timeZone}" is not an IANA time zone`, 'timeZone');
  }
  let country: string | null = null;
  if (input.country) {
    country = canonicalCountry(input.country);
    if (!country) throw validation(`"${input.country}" is not an ISO 3166-1 country code`, 'country');
  }
  return { email, timeZone, country };
}

export async function upsertContact(deps: Deps, tenantId: string, input: ContactInput, source: ContactSource): Promise<UpsertResult> {
  const tenant = await getTenant(deps, tenantId);
  const phone: PhoneResult = normalizePhone(input.phone, tenant.defaultRegion);
  if (!phone.valid && source !== 'crm') {
    throw validation(phoneProblem(phone), 'phone');
  }
  if (!phone.valid && !input.crm) throw validation('a contact with an invalid phone needs a crm reference', 'crm');
  const { email, timeZone, country } = checkFields(input);
  const phoneHash = phone.e164 ? deps.pii.phoneIndex(phone.e164) : null;

  // In the column order of the statements below ($3 … $14).
  const values = [
    deps.pii.encryptOptional(phone.e164 ?? phone.input),
    phoneHash,
    phone.type,
    phone.country,
    phone.valid ? null : phone.reason,
    deps.pii.encryptOptional(input.name?.trim()),
    deps.pii.encryptOptional(email),
    input.tags === undefined ? null : [...new Set(input.tags.map((t) => t.trim()).filter(Boolean))],
    input.attributes ?? {},
    timeZone,
    country ?? phone.country,
    input.changedAt ?? null,
  ];

  return withTransaction(deps.db, async (tx) => {
    const targetId = await findTarget(tx, tenantId, input, phoneHash);
    let id: string;
    let created: boolean;
    try {
      if (targetId) {
        await tx.query(
          `update contacts set phone_enc = $3, phone_hash = $4, phone_type = $5, phone_country = $6,
                  phone_invalid_reason = $7, name_enc = coalesce($8, name_enc), email_enc = coalesce($9, email_enc),
                  tags = coalesce($10::text[], tags), attributes = attributes || $11::jsonb, time_zone = coalesce($12, time_zone),
                  country = coalesce($13, country), changed_at = coalesce($14, now()), updated_at = now()
            where tenant_id = $1 and id = $2 and (changed_at is null or $14::timestamptz is null or changed_at <= $14)`,
          [tenantId, targetId, ...values],
        );
        id = targetId;
        created = false;
      } else {
        const { rows } = await tx.query<{ id: string; inserted: boolean }>(
          `insert into contacts (tenant_id, id, phone_enc, phone_hash, phone_type, phone_country, phone_invalid_reason,
                                 name_enc, email_enc, tags, attributes, time_zone, country, changed_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, coalesce($10::text[], '{}'), $11, $12, $13, coalesce($14::timestamptz, now()))
           on conflict (tenant_id, phone_hash) do update set
             name_enc = coalesce(excluded.name_enc, contacts.name_enc), email_enc = coalesce(excluded.email_enc, contacts.email_enc),
             tags = coalesce($10::text[], contacts.tags), attributes = contacts.attributes || excluded.attributes,
             time_zone = coalesce(excluded.time_zone, contacts.time_zone), country = coalesce(excluded.country, contacts.country),
             changed_at = excluded.changed_at, updated_at = now()
           where contacts.changed_at is null or $14::timestamptz is null or contacts.changed_at <= $14
           returning id, (xmax = 0) as inserted`,
          [tenantId, randomUUID(), ...values],
        );
        if (rows[0]) {
          id = rows[0].id;
          created = rows[0].inserted;
        } else {
          // A newer version of this number's contact is already here: it stays as it is.
          const { rows: held } = await tx.query<{ id: string }>(`select id from contacts where tenant_id = $1 and phone_hash = $2`, [tenantId, phoneHash]);
          id = held[0]!.id;
          created = false;
        }
      }
    } catch (err) {
      if ((err as { code?: string }).code === '23505') {
        throw new AppError('CONFLICT', 'another contact already has this phone number', { field: 'phone' });
      }
      throw err;
    }
    if (input.crm) {
      await tx.query(
        `insert into contact_crm_refs (tenant_id, system, external_id, contact_id) values ($1, $2, $3, $4)
         on conflict do nothing`,
        [tenantId, input.crm.system, input.crm.externalId, id],
      );
    }
    const contact = await selectContact(tx, deps.pii, tenantId, id);
    return { contact: contact!, created };
  });
}

/** The contact an upsert updates: by id, else by CRM reference, else by phone. */
async function findTarget(tx: pg.PoolClient, tenantId: string, input: ContactInput, phoneHash: Buffer | null): Promise<string | null> {
  if (input.id) {
    const { rows } = await tx.query(`select id from contacts where tenant_id = $1 and id = $2 for update`, [tenantId, input.id]);
    if (!rows[0]) throw notFound('contact', 'id');
    return input.id;
  }
  if (input.crm) {
    const { rows } = await tx.query<{ contact_id: string }>(
      `select contact_id from contact_crm_refs where tenant_id = $1 and system = $2 and external_id = $3`,
      [tenantId, input.crm.system, input.crm.externalId],
    );
    if (rows[0]) return rows[0].contact_id;
  }
  if (phoneHash) {
    const { rows } = await tx.query(`select id from contacts where tenant_id = $1 and phone_hash = $2 for update`, [tenantId, phoneHash]);
    if (rows[0]) return rows[0].id as string;
  }
  return null;
}

export async function getContact(deps: Deps, tenantId: string, id: string): Promise<Contact> {
  const contact = await selectContact(deps.db, deps.pii, tenantId, id);
  if (!contact) throw notFound('contact', 'id');
  return contact;
}

export interface ContactFilter {
  tag?: string;
  phone?: string;
  crmSystem?: string;
  externalId?: string;
}

export async function listContacts(deps: Deps, tenantId: string, options: { cursor?: string; limit: number; filter?: ContactFilter }): Promise<Page<Contact>> {
  const where = ['c.tenant_id = $1'];
  const params: unknown[] = [tenantId];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  if (after) add('c.id > ?', after);
  const filter = options.filter ?? {};
  if (filter.tag) add('c.tags @> array[?]::text[]', filter.tag);
  if (filter.phone) {
    add('c.phone_hash = ?', deps.pii.phoneIndex(await tenantPhone(deps, tenantId, filter.phone)));
  }
  if (filter.externalId) {
    params.push(filter.externalId);
    const system = filter.crmSystem ? (params.push(filter.crmSystem), ` and r.system = $${params.length}`) : '';
    where.push(`exists (select 1 from contact_crm_refs r where r.tenant_id = c.tenant_id and r.contact_id = c.id
                   and r.external_id = $${params.length - (system ? 1 : 0)}${system})`);
  }
  params.push(options.limit + 1);
  const { rows } = await deps.db.query<ContactRow>(`${CONTACT_SELECT} where ${where.join(' and ')} order by c.id limit $${params.length}`, params);
  return toPage(rows, options.limit, (r) => toContact(r, deps.pii));
}
