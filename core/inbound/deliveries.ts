/**
 * The one answer to "have we seen this delivery?" for every vendor's webhooks: a sender repeats
 * what it thinks failed (a status callback, a store's or a CRM's retry, an Outbound Message until
 * it is acknowledged), and a repeat is acted on once. This module owns `inbound_deliveries`
 * (migrations/014, 030); nothing else writes it.
 *
 * Record the delivery in the transaction that acts on it: a failure rolls the record back with
 * the work, and the sender's retry is acted on. A concurrent repeat waits on the first one's row
 * and is a duplicate once that commits. Where the work is not one transaction, `forgetDelivery`
 * undoes the record when it fails.
 */
import type { Queryable } from '../jobs/queue.ts';

/** The tenant of a delivery whose tenant is not known when it is recorded (found from what it says, after). */
export const NO_TENANT = '00000000-0000-0000-0000-000000000000';

/** How long a delivery is remembered: past every vendor's retry window (HubSpot's 3 days is the longest). */
export const DELIVERY_RETENTION_MS = 7 * 24 * 60 * 60_000;

export interface Delivery {
  /** null when not known yet (kept under NO_TENANT). */
  tenantId: string | null;
  /** Who sent it and what kind of delivery it is, e.g. a connector id or `<connector>-<callback>`. */
  source: string;
  /** The sender's own id of the delivery: a retry repeats it. */
  deliveryId: string;
}

const INSERT = `insert into inbound_deliveries (tenant_id, source, delivery_id) values ($1, $2, $3) on conflict do nothing`;

/** Records the delivery; false when it was seen before. */
export async function firstDelivery(db: Queryable, d: Delivery): Promise<boolean> {
  const { rowCount } = await db.query(INSERT, [d.tenantId ?? NO_TENANT, d.source, d.deliveryId]);
  return Boolean(rowCount);
}

/** Records a batch of one tenant's deliveries from one source; the ids not seen before. */
export async function freshDeliveries(db: Queryable, d: { tenantId: string; source: string; deliveryIds: string[] }): Promise<Set<string>> {
  if (!d.deliveryIds.length) return new Set();
  const { rows } = await db.query<{ delivery_id: string }>(
    `insert into inbound_deliveries (tenant_id, source, delivery_id)
     select $1, $2, u.id from unnest($3::text[]) as u(id)
     on conflict do nothing
     returning delivery_id`,
    [d.tenantId, d.source, [...new Set(d.deliveryIds)]],
  );
  return new Set(rows.map((r) => r.delivery_id));
}

/** Forgets a delivery whose handling failed after it was recorded outside the handling's transaction: its retry is acted on. */
export async function forgetDelivery(db: Queryable, d: Delivery): Promise<void> {
  await db.query(`delete from inbound_deliveries where tenant_id = $1 and source = $2 and delivery_id = $3`, [d.tenantId ?? NO_TENANT, d.source, d.deliveryId]);
}

/**
 * The statement that records a delivery, for a caller that conditions the rest of one statement
 * on it (`with fresh as (…) … where exists (select 1 from fresh)`), so a hot callback is one round
 * trip. `tenant` and `deliveryId` are SQL expressions over the caller's parameters (`$2`, or a
 * scalar subquery: a null tenant is kept under NO_TENANT); `source` is a constant name.
 */
export function firstDeliverySql(d: { tenant: string; source: string; deliveryId: string }): string {
  if (!/^[a-z][a-z0-9-]*$/.test(d.source)) throw new Error(`a delivery source is a plain name: ${d.source}`);
  return `insert into inbound_deliveries (tenant_id, source, delivery_id)
          select coalesce(${d.tenant}, '${NO_TENANT}'::uuid), '${d.source}', ${d.deliveryId}
          on conflict do nothing returning 1`;
}

/**
 * Deletes deliveries older than the retention (from the reap job), a batch at a time so a
 * large backlog never holds one long statement; how many went. Measured by the database's
 * clock, the one `received_at` was written by.
 */
export async function pruneDeliveries(db: Queryable, options: { retentionMs?: number; batch?: number } = {}): Promise<number> {
  const batch = options.batch ?? 10_000;
  let total = 0;
  for (;;) {
    const { rowCount } = await db.query(
      `delete from inbound_deliveries where ctid = any(array(
         select ctid from inbound_deliveries where received_at < now() - make_interval(secs => $1::float8 / 1000) limit $2))`,
      [options.retentionMs ?? DELIVERY_RETENTION_MS, batch],
    );
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < batch) return total;
  }
}
