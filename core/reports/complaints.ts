/**
 * What a complaint is, written once: a chase drew a complaint when the person complained on one
 * of its calls (the `complaint` intent: "再打我就投诉", "I'll report you"), or when its number
 * opted out, on any channel, within 48 hours after one of its attempts reached out. A chase
 * counts at most one complaint, whichever came first. Reports, script flags and experiments all
 * count the rows of `chase_complaints`.
 */
import type pg from 'pg';
import { countComplaints } from '../scripts/flags.ts';

type Tx = Pick<pg.PoolClient, 'query'>;

export const COMPLAINT_WINDOW_HOURS = 48;

export type ComplaintSource = 'intent' | 'opt-out';

/** Records that a chase drew a complaint; false when it already had one. */
export async function recordComplaint(tx: Tx, tenantId: string, chaseId: string, at: Date, source: ComplaintSource): Promise<boolean> {
  const { rowCount } = await tx.query(`insert into chase_complaints (tenant_id, chase_id, at, source) values ($1, $2, $3, $4) on conflict do nothing`, [
    tenantId,
    chaseId,
    at,
    source,
  ]);
  // The chase's script may now draw too many complaints (core/scripts/flags.ts).
  if (rowCount === 1) await countComplaints(tx, tenantId, [chaseId], at);
  return rowCount === 1;
}

/**
 * An opt-out of these numbers at `at`: every chase that made an attempt to one of them in the
 * 48 hours before drew a complaint. Returns the chases newly complained about.
 */
export async function recordOptOutComplaints(tx: Tx, tenantId: string, phoneHashes: Buffer[], at: Date): Promise<string[]> {
  if (!phoneHashes.length) return [];
  const { rows } = await tx.query<{ chase_id: string }>(
    `insert into chase_complaints (tenant_id, chase_id, at, source)
     select distinct $1::uuid, a.chase_id, $3::timestamptz, 'opt-out' from attempts a
      where a.tenant_id = $1 and a.phone_hash = any($2::bytea[]) and a.status <> 'not-placed'
        and a.created_at between $3::timestamptz - make_interval(hours => $4) and $3::timestamptz
     on conflict do nothing
     returning chase_id`,
    [tenantId, phoneHashes, at, COMPLAINT_WINDOW_HOURS],
  );
  const chaseIds = rows.map((r) => r.chase_id);
  await countComplaints(tx, tenantId, chaseIds, at);
  return chaseIds;
}
