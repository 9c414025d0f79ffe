/**
 * Erasing a person on request (a store's customers/redact, a shop's shop/redact): their
 * personal data goes — number, name, email, attributes, CRM links, chase contexts, tracked
 * links — while the anonymised aggregates stay (chases, attempts and their outcomes, revenue)
 * so reports still add up. The opt-out ledger stays too: honouring "never contact me" needs
 * the number, which is the legal basis for keeping it.
 */
import type pg from 'pg';
import type { Deps } from '../deps.ts';
import { withTransaction } from '../db/pool.ts';
import { endChases } from '../chases/transitions.ts';

export const ERASED_REASON = 'erased on request';

export async function eraseContacts(deps: Deps, tenantId: string, contactIds: string[]): Promise<number> {
  if (!contactIds.length) return 0;
  return withTransaction(deps.db, async (tx) => eraseIn(tx, tenantId, contactIds));
}

async function eraseIn(tx: pg.PoolClient, tenantId: string, contactIds: string[]): Promise<number> {
  const { rows: chases } = await tx.query<{ id: string }>(`select id from chases where tenant_id = $1 and contact_id = any($2)`, [tenantId, contactIds]);
  const chaseIds = chases.map((c) => c.id);
  await endChases(tx, tenantId, { chaseIds }, 'canceled', { reason: 'the person asked to be forgotten' });
  await tx.query(`update chases set context_enc = null where tenant_id = $1 and id = any($2)`, [tenantId, chaseIds]);
  await tx.query(`delete from links where tenant_id = $1 and chase_id = any($2)`, [tenantId, chaseIds]);
  await tx.query(`delete from contact_crm_refs where tenant_id = $1 and contact_id = any($2)`, [tenantId, contactIds]);
  // Write-backs not yet sent about them would name them to a vendor after they asked to be forgotten.
  await tx.query(`delete from outbox where tenant_id = $1 and contact_id = any($2) and status in ('pending', 'dead')`, [tenantId, contactIds]);
  const { rowCount } = await tx.query(
    `update contacts set phone_enc = null, phone_hash = null, phone_type = null, phone_country = null, name_enc = null, email_enc = null,
            tags = '{}', attributes = '{}', time_zone = null, country = null, phone_invalid_reason = $3, updated_at = now()
      where tenant_id = $1 and id = any($2)`,
    [tenantId, contactIds, ERASED_REASON],
  );
  return rowCount ?? 0;
}
