/**
 * Outbound events: facts a developer can subscribe to (`POST /v1/event-subscriptions`). An
 * event is written in the transaction that made it happen, so it exists exactly when its
 * cause committed; delivery to subscribers happens later, from the outbox.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';

type Tx = Pick<pg.PoolClient, 'query'>;

export const outboundEventTypes = ['chase.completed', 'chase.opted_out', 'chase.failed', 'script.flagged', 'experiment.decided'] as const;
export type OutboundEventType = (typeof outboundEventTypes)[number];

/** Ids, names, counts and outcomes only: no phone number, name or email ever goes in an event. */
export type EventData = Record<string, string | number | boolean | null | string[] | Record<string, unknown>>;

export interface OutboundEvent {
  id: string;
  type: OutboundEventType;
  data: EventData;
  createdAt: Date;
}

/** Records that `type` happened, inside the caller's transaction; returns the event's id. */
export async function emitEvent(tx: Tx, tenantId: string, type: OutboundEventType, data: EventData): Promise<string> {
  const id = randomUUID();
  await tx.query(`insert into events (tenant_id, id, type, data) values ($1, $2, $3, $4)`, [tenantId, id, type, data]);
  return id;
}
