/**
 * A page of a CRM's contacts stored in one transaction and a handful of set-based statements
 * (a first sync of 100,000 is 500 pages, not 800,000 round trips). Each record lands on the
 * contact linked to it, else the contact with its number, else a new one; last writer wins by
 * the CRM's change time; a bad number is kept flagged (the record still maps to its contact);
 * do-not-call becomes a sticky voice opt-out. The same rules as upsertContact, for many.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Deps } from '../deps.ts';
import { withTransaction } from '../db/pool.ts';
import { normalizePhone } from '../phone/phone.ts';
import { getTenant } from '../tenants/tenants.ts';
import { recordOptOuts } from '../consent/consent.ts';
import type { CrmContact } from '../ports.ts';
import { cleanVendorText } from '../common/text.ts';

interface Prepared {
  contact: CrmContact;
  e164: string | null;
  hash: string | null;
  row: {
    id: string;
    phone_enc: string | null;
    phone_hash: string | null;
    phone_type: string | null;
    phone_country: string | null;
    phone_invalid_reason: string | null;
    name_enc: string | null;
    tags: string[] | null;
    changed_at: string;
    /** The number is another contact's: this one keeps its own. */
    keep_phone: boolean;
  };
}

/** @returns how many records were stored (all of them: bad numbers are kept flagged) */
export async function storeCrmContacts(deps: Deps, tenantId: string, system: string, pulled: CrmContact[]): Promise<number> {
  if (!pulled.length) return 0;
  // The CRM's own data, NUL or broken surrogates included, is kept (cleaned) rather than failing the whole page.
  const contacts = cleanVendorText(pulled);
  const tenant = await getTenant(deps, tenantId);
  const prepared = contacts.map((c): Omit<Prepared, 'row'> & { phone: ReturnType<typeof normalizePhone> } => {
    const phone = normalizePhone(c.phone, tenant.defaultRegion);
    return { contact: c, phone, e164: phone.e164, hash: phone.e164 ? deps.pii.phoneIndex(phone.e164).toString('hex') : null };
  });
  return withTransaction(deps.db, async (tx) => {
    const linked = await byExternalId(
      tx,
      tenantId,
      system,
      contacts.map((c) => c.externalId),
    );
    const byPhone = await byHash(
      tx,
      tenantId,
      prepared.flatMap((p) => (p.hash ? [p.hash] : [])),
    );
    // One row per contact: records naming the same one (a number twice in the page) keep the newest.
    const targets = new Map<string, Prepared & { isNew: boolean }>();
    const refs: { external_id: string; contact_id: string }[] = [];
    for (const p of prepared) {
      const existing = linked.get(p.contact.externalId) ?? (p.hash ? byPhone.get(p.hash) : undefined);
      const id = existing ?? randomUUID();
      refs.push({ external_id: p.contact.externalId, contact_id: id });
      const held = targets.get(id);
      if (held && held.contact.updatedAt > p.contact.updatedAt) continue;
      const owner = p.hash ? byPhone.get(p.hash) : undefined;
      const keepPhone = owner !== undefined && owner !== id;
      // The number is this contact's from now on: a later record with it lands here too.
      if (p.hash && !keepPhone) byPhone.set(p.hash, id);
      targets.set(id, {
        ...p,
        isNew: !existing,
        row: {
          id,
          phone_enc: deps.pii.encryptOptional(p.e164 ?? p.phone.input),
          phone_hash: p.hash,
          phone_type: p.phone.type,
          phone_country: p.phone.country,
          phone_invalid_reason: p.phone.valid ? null : p.phone.reason,
          name_enc: deps.pii.encryptOptional(p.contact.name?.trim()),
          tags: p.contact.tags.length ? [...new Set(p.contact.tags.map((t) => t.trim()).filter(Boolean))] : null,
          changed_at: p.contact.updatedAt,
          keep_phone: keepPhone,
        },
      });
    }
    const all = [...targets.values()];
    await insertNew(
      tx,
      tenantId,
      all.filter((t) => t.isNew).map((t) => t.row),
    );
    await updateExisting(
      tx,
      tenantId,
      all.filter((t) => !t.isNew).map((t) => t.row),
    );
    await tx.query(
      `insert into contact_crm_refs (tenant_id, system, external_id, contact_id)
       select $1, $2, u.external_id, u.contact_id from jsonb_to_recordset($3::jsonb) as u(external_id text, contact_id uuid)
       on conflict do nothing`,
      [tenantId, system, JSON.stringify(refs)],
    );
    // The CRM says not to call: a sticky voice opt-out, not written back to where it came from.
    const doNotCall = prepared.filter((p) => p.contact.doNotCall && p.e164);
    if (doNotCall.length) {
      await recordOptOuts(
        deps,
        tenantId,
        doNotCall.map((p) => ({
          phoneHash: Buffer.from(p.hash!, 'hex'),
          phoneEnc: deps.pii.encrypt(p.e164!),
          channel: 'voice' as const,
          source: 'crm' as const,
          note: `do-not-call in ${system}`,
          origin: system,
        })),
        tx,
      );
    }
    return contacts.length;
  });
}

async function byExternalId(tx: pg.PoolClient, tenantId: string, system: string, ids: string[]): Promise<Map<string, string>> {
  const { rows } = await tx.query<{ external_id: string; contact_id: string }>(
    `select external_id, contact_id from contact_crm_refs where tenant_id = $1 and system = $2 and external_id = any($3)`,
    [tenantId, system, ids],
  );
  return new Map(rows.map((r) => [r.external_id, r.contact_id]));
}

/** The contacts holding these numbers, locked: the page decides what becomes of them. */
async function byHash(tx: pg.PoolClient, tenantId: string, hashes: string[]): Promise<Map<string, string>> {
  const { rows } = await tx.query<{ id: string; hash: string }>(
    `select id, encode(phone_hash, 'hex') as hash from contacts where tenant_id = $1 and phone_hash = any($2::bytea[]) order by id for update`,
    [tenantId, hashes.map((h) => Buffer.from(h, 'hex'))],
  );
  return new Map(rows.map((r) => [r.hash, r.id]));
}

const RECORD = `u(id uuid, phone_enc text, phone_hash text, phone_type text, phone_country text, phone_invalid_reason text,
                  name_enc text, tags jsonb, changed_at timestamptz, keep_phone boolean)`;

async function insertNew(tx: pg.PoolClient, tenantId: string, rows: Prepared['row'][]): Promise<void> {
  if (!rows.length) return;
  await tx.query(
    `insert into contacts (tenant_id, id, phone_enc, phone_hash, phone_type, phone_country, phone_invalid_reason, name_enc, tags, attributes, country, changed_at)
     select $1, u.id, u.phone_enc, decode(u.phone_hash, 'hex'), u.phone_type, u.phone_country, u.phone_invalid_reason, u.name_enc,
            coalesce(array(select jsonb_array_elements_text(u.tags)), '{}'), '{}', u.phone_country, u.changed_at
       from jsonb_to_recordset($2::jsonb) as ${RECORD}`,
    [tenantId, JSON.stringify(rows)],
  );
}

/** Last writer wins: a version older than what the contact holds changes nothing. */
async function updateExisting(tx: pg.PoolClient, tenantId: string, rows: Prepared['row'][]): Promise<void> {
  if (!rows.length) return;
  await tx.query(
    `update contacts c set
        phone_enc = case when u.keep_phone then c.phone_enc else u.phone_enc end,
        phone_hash = case when u.keep_phone then c.phone_hash else decode(u.phone_hash, 'hex') end,
        phone_type = case when u.keep_phone then c.phone_type else u.phone_type end,
        phone_country = case when u.keep_phone then c.phone_country else u.phone_country end,
        phone_invalid_reason = case when u.keep_phone then c.phone_invalid_reason else u.phone_invalid_reason end,
        name_enc = coalesce(u.name_enc, c.name_enc),
        tags = case when u.tags is null then c.tags else array(select jsonb_array_elements_text(u.tags)) end,
        country = coalesce(u.phone_country, c.country),
        changed_at = u.changed_at, updated_at = now()
       from jsonb_to_recordset($2::jsonb) as ${RECORD}
      where c.tenant_id = $1 and c.id = u.id and (c.changed_at is null or c.changed_at <= u.changed_at)`,
    [tenantId, JSON.stringify(rows)],
  );
}
