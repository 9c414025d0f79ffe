/**
 * A person asks what Chaseline holds on them (a store's customers/data_request): the contacts
 * that are theirs, their consent history and their chases (timeline and calls) are compiled
 * when the request arrives, kept encrypted, and listed for the tenant's admins, who hand them
 * over. Reading one is written to the audit log.
 */
import { randomUUID } from 'node:crypto';
import type { Actor, Deps } from '../deps.ts';
import { forbidden, notFound } from '../errors.ts';
import { audit } from './audit.ts';
import { getContact, type Contact } from '../contacts/contacts.ts';
import { getChase, listChases, type ChaseDetail } from '../chases/chases.ts';

export interface DataRequest {
  id: string;
  /** Who asked, e.g. shopify (the store forwarding its customer's request). */
  source: string;
  /** The sender's id of the request. */
  externalId: string | null;
  /** How many contacts were found to be theirs. */
  contacts: number;
  receivedAt: string;
}

export interface DataReport {
  contacts: (Contact & {
    consent: { channel: string; action: string; source: string; note: string | null; at: string }[];
    chases: ChaseDetail[];
  })[];
}

async function compile(deps: Deps, tenantId: string, contactIds: string[]): Promise<DataReport> {
  const contacts: DataReport['contacts'] = [];
  for (const id of contactIds) {
    const contact = await getContact(deps, tenantId, id);
    const { rows: consent } = await deps.db.query<{ channel: string; action: string; source: string; note: string | null; created_at: Date }>(
      `select e.channel, e.action, e.source, e.note, e.created_at from consent_events e
         join contacts c on c.tenant_id = e.tenant_id and c.phone_hash = e.phone_hash
        where c.tenant_id = $1 and c.id = $2 order by e.id`,
      [tenantId, id],
    );
    const chases: ChaseDetail[] = [];
    let cursor: string | undefined;
    do {
      const page = await listChases(deps, tenantId, { contactId: id, limit: 100, ...(cursor ? { cursor } : {}) });
      for (const chase of page.items) chases.push(await getChase(deps, tenantId, chase.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    contacts.push({
      ...contact,
      consent: consent.map((c) => ({ channel: c.channel, action: c.action, source: c.source, note: c.note, at: c.created_at.toISOString() })),
      chases,
    });
  }
  return { contacts };
}

/** Compiles and keeps what Chaseline holds on these contacts; a request the sender repeats is kept once. */
export async function recordDataRequest(
  deps: Deps,
  tenantId: string,
  input: { source: string; externalId: string | null; contactIds: string[] },
): Promise<void> {
  const report = await compile(deps, tenantId, input.contactIds);
  await deps.db.query(
    `insert into data_requests (tenant_id, id, source, external_id, contacts, report_enc) values ($1, $2, $3, $4, $5, $6)
     on conflict (tenant_id, source, external_id) where external_id is not null do nothing`,
    [tenantId, randomUUID(), input.source, input.externalId, input.contactIds.length, deps.pii.encrypt(JSON.stringify(report))],
  );
}

interface Row {
  id: string;
  source: string;
  external_id: string | null;
  contacts: number;
  received_at: Date;
  report_enc: string;
}

const toRequest = (r: Row): DataRequest => ({
  id: r.id,
  source: r.source,
  externalId: r.external_id,
  contacts: r.contacts,
  receivedAt: r.received_at.toISOString(),
});

export async function listDataRequests(deps: Deps, actor: Actor): Promise<DataRequest[]> {
  if (actor.role !== 'admin') throw forbidden('only admin keys may see data requests');
  const { rows } = await deps.db.query<Row>(`select * from data_requests where tenant_id = $1 order by received_at desc limit 500`, [actor.tenantId]);
  return rows.map(toRequest);
}

/** One request with what was found; audited (it is a person's data leaving Chaseline). */
export async function getDataRequest(deps: Deps, actor: Actor, id: string): Promise<DataRequest & { report: DataReport }> {
  if (actor.role !== 'admin') throw forbidden('only admin keys may read data requests');
  const { rows } = await deps.db.query<Row>(`select * from data_requests where tenant_id = $1 and id = $2`, [actor.tenantId, id]);
  if (!rows[0]) throw notFound('data request', 'id');
  await audit(deps.db, actor, 'data-request.read', { id, contacts: rows[0].contacts });
  return { ...toRequest(rows[0]), report: JSON.parse(deps.pii.decrypt(rows[0].report_enc)) as DataReport };
}
