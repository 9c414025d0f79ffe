/**
 * A subscription's delivery log (what was sent, how it went) and replay: one delivery, or
 * every event of the subscription's types since a time, sent again with fresh attempts.
 */
import type { Deps } from '../deps.ts';
import { notFound, validation } from '../errors.ts';
import { queues } from '../jobs/queue.ts';
import { chaseEngine } from '../deps.ts';
import { bigintKey, decodeCursor, encodeCursor, type Page } from '../common/pagination.ts';
import type { EventDeliveryJob } from './deliver.ts';
import type { OutboundEventType } from './emit.ts';
import { getSubscription } from './subscriptions.ts';

export const deliveryStatuses = ['pending', 'delivered', 'dead'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

export interface Delivery {
  id: string;
  eventId: string;
  eventType: OutboundEventType;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAt: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
}

interface Row {
  id: string;
  event_id: string;
  type: OutboundEventType;
  status: DeliveryStatus;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  next_at: Date;
  created_at: Date;
  last_attempt_at: Date | null;
  delivered_at: Date | null;
}

const toDelivery = (r: Row): Delivery => ({
  id: r.id,
  eventId: r.event_id,
  eventType: r.type,
  status: r.status,
  attempts: r.attempts,
  lastStatusCode: r.last_status,
  lastError: r.last_error,
  nextAt: r.status === 'pending' ? r.next_at.toISOString() : null,
  createdAt: r.created_at.toISOString(),
  lastAttemptAt: r.last_attempt_at?.toISOString() ?? null,
  deliveredAt: r.delivered_at?.toISOString() ?? null,
});

const SELECT = `select d.id::text as id, d.event_id, e.type, d.status, d.attempts, d.last_status, d.last_error, d.next_at, d.created_at, d.last_attempt_at, d.delivered_at
  from event_deliveries d join events e on e.tenant_id = d.tenant_id and e.id = d.event_id`;

/** Newest first. */
export async function listDeliveries(
  deps: Deps,
  tenantId: string,
  subscriptionId: string,
  q: { status?: DeliveryStatus; cursor?: string; limit: number },
): Promise<Page<Delivery>> {
  await getSubscription(deps, tenantId, subscriptionId);
  const before = q.cursor ? decodeCursor(q.cursor, bigintKey) : null;
  const { rows } = await deps.db.query<Row>(
    `${SELECT} where d.tenant_id = $1 and d.subscription_id = $2 and ($3::text is null or d.status = $3) and ($4::bigint is null or d.id < $4)
      order by d.id desc limit $5`,
    [tenantId, subscriptionId, q.status ?? null, before, q.limit + 1],
  );
  const items = rows.slice(0, q.limit).map(toDelivery);
  return { items, nextCursor: rows.length > q.limit ? encodeCursor(items.at(-1)!.id) : null };
}

const wake = (deps: Deps, job: EventDeliveryJob) => chaseEngine(deps).jobs.send(deps.db, queues.eventDelivery, job);

/** Wakes a subscription's sender (it was enabled again: what is pending goes now). */
export async function wakeDeliveries(deps: Deps, tenantId: string, subscriptionId: string): Promise<void> {
  if (deps.jobs) await wake(deps, { tenantId, subscriptionId });
}

/** Sends one delivery again (whatever became of it), with its attempts reset. */
export async function replayDelivery(deps: Deps, tenantId: string, subscriptionId: string, deliveryId: string): Promise<Delivery> {
  if (!bigintKey(deliveryId)) throw notFound('delivery', 'deliveryId');
  const { rowCount } = await deps.db.query(
    `update event_deliveries set status = 'pending', attempts = 0, next_at = now(), delivered_at = null
      where tenant_id = $1 and subscription_id = $2 and id = $3`,
    [tenantId, subscriptionId, deliveryId],
  );
  if (!rowCount) throw notFound('delivery', 'deliveryId');
  await wake(deps, { tenantId, subscriptionId });
  const { rows } = await deps.db.query<Row>(`${SELECT} where d.tenant_id = $1 and d.id = $2`, [tenantId, deliveryId]);
  return toDelivery(rows[0]!);
}

/** Queues every event of the subscription's types since `since` again (those never sent to it too). @returns how many */
export async function replaySince(deps: Deps, tenantId: string, subscriptionId: string, since: Date): Promise<number> {
  const sub = await getSubscription(deps, tenantId, subscriptionId);
  if (since.getTime() > Date.now()) throw validation('since must not be in the future', 'since');
  const { rowCount } = await deps.db.query(
    `insert into event_deliveries (tenant_id, subscription_id, event_id)
     select tenant_id, $2, id from events where tenant_id = $1 and created_at >= $3 and type = any($4) and dispatched_at is not null
     on conflict (tenant_id, subscription_id, event_id) do update set status = 'pending', attempts = 0, next_at = now(), delivered_at = null`,
    [tenantId, subscriptionId, since, sub.types],
  );
  if (rowCount) await wake(deps, { tenantId, subscriptionId });
  return rowCount ?? 0;
}
