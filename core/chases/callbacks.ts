/**
 * Chases a vendor's automation waits on, and what a CRM record page shows of its contact's
 * chasing. A workflow step in a CRM (a custom "Start Chaseline chase" action) blocks its enrollment
 * until the chase ends; its callback id is kept here so the end of the chase completes it
 * (core/events/results.ts), and so the vendor's retries of the same request find the chase
 * they already started instead of starting another.
 */
import type { Deps } from '../deps.ts';
import { getChase, listChases, type ChaseDetail } from './chases.ts';
import type { Chase } from './store.ts';

/** Remembers that `callbackId` waits on `chaseId`; false when the callback was already remembered (a retry). */
export async function rememberCallback(deps: Deps, tenantId: string, system: string, callbackId: string, chaseId: string): Promise<boolean> {
  const { rowCount } = await deps.db.query(
    `insert into chase_callbacks (tenant_id, system, callback_id, chase_id) values ($1, $2, $3, $4) on conflict do nothing`,
    [tenantId, system, callbackId, chaseId],
  );
  return (rowCount ?? 0) > 0;
}

/** The chase a callback already waits on, if any. */
export async function callbackChase(deps: Deps, tenantId: string, system: string, callbackId: string): Promise<ChaseDetail | null> {
  const { rows } = await deps.db.query<{ chase_id: string }>(`select chase_id from chase_callbacks where tenant_id = $1 and system = $2 and callback_id = $3`, [
    tenantId,
    system,
    callbackId,
  ]);
  return rows[0] ? getChase(deps, tenantId, rows[0].chase_id) : null;
}

export interface RecordChases {
  /** The record's chases, newest first (at most `limit`), with their campaign's name. */
  chases: (Chase & { campaignName: string })[];
  /** The newest chase with its timeline; null when the record has none (or Chaseline does not know it). */
  latest: ChaseDetail | null;
}

/** A CRM record's chases as its record page shows them; a record Chaseline does not know has none. */
export async function chasesOfRecord(deps: Deps, tenantId: string, system: string, externalId: string, limit = 10): Promise<RecordChases> {
  const { rows } = await deps.db.query<{ contact_id: string }>(
    `select contact_id from contact_crm_refs where tenant_id = $1 and system = $2 and external_id = $3`,
    [tenantId, system, externalId],
  );
  if (!rows[0]) return { chases: [], latest: null };
  const page = await listChases(deps, tenantId, { contactId: rows[0].contact_id, limit: 500 });
  const newest = page.items.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, limit);
  const { rows: names } = await deps.db.query<{ id: string; name: string }>(`select id, name from campaigns where tenant_id = $1 and id = any($2::uuid[])`, [
    tenantId,
    [...new Set(newest.map((c) => c.campaignId))],
  ]);
  const nameOf = new Map(names.map((n) => [n.id, n.name]));
  return {
    chases: newest.map((c) => ({ ...c, campaignName: nameOf.get(c.campaignId) ?? '' })),
    latest: newest[0] ? await getChase(deps, tenantId, newest[0].id) : null,
  };
}
