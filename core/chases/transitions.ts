/**
 * The moves of a chase's state machine that touch its row, its timeline and its job
 * together, always inside the caller's transaction. Every (re)schedule bumps `step` and
 * sends a job for that step, so an older job that still runs finds itself stale.
 */
import type pg from 'pg';
import { jobPriority } from '../campaigns/rules.ts';
import { insertEvent, LIVE, type ChaseStatus, type EventType } from './store.ts';
import { queues, type JobQueue } from '../jobs/queue.ts';
import { emitChasesEnded } from '../events/chases.ts';

type Tx = Pick<pg.PoolClient, 'query'>;

export interface StepJob {
  tenantId: string;
  chaseId: string;
  step: number;
}

export const stepJob = (tenantId: string, r: { id: string; step: number; priority: number; due_at: Date; deadline_at: Date }) => ({
  data: { tenantId, chaseId: r.id, step: r.step } satisfies StepJob,
  options: { startAfter: r.due_at, priority: jobPriority(r.priority, r.due_at, r.deadline_at) },
});

/**
 * Puts a live chase back on the queue for `at`, on `channel`, for a reason of its own (a
 * delay, a retry, a callback): it leaves its number's queue of waiting chases, if it was in it.
 */
export async function scheduleChase(
  tx: Tx,
  jobs: JobQueue,
  tenantId: string,
  chaseId: string,
  at: Date,
  channel: 'voice' | 'sms',
  detail: Record<string, unknown> = {},
): Promise<void> {
  const { rows } = await tx.query<{ id: string; step: number; priority: number; due_at: Date; deadline_at: Date }>(
    `update chases set status = 'scheduled', step = step + 1, due_at = $3, next_channel = $4, in_phone_queue = false, updated_at = now()
      where tenant_id = $1 and id = $2 returning id, step, priority, due_at, deadline_at`,
    [tenantId, chaseId, at, channel],
  );
  const row = rows[0]!;
  await insertEvent(tx, tenantId, chaseId, 'scheduled', { at: at.toISOString(), channel, ...detail });
  const job = stepJob(tenantId, row);
  await jobs.send(tx, queues.chaseStep, job.data, job.options);
}

/** Sends the first job of chases just inserted (set-based starts). */
export async function enqueueNewChases(
  tx: Tx,
  jobs: JobQueue,
  tenantId: string,
  rows: { id: string; step: number; priority: number; due_at: Date; deadline_at: Date }[],
): Promise<void> {
  await jobs.sendMany(
    tx,
    queues.chaseStep,
    rows.map((r) => stepJob(tenantId, r)),
  );
}

const eventFor = (status: ChaseStatus): EventType => (status === 'failed' ? 'failed' : (status as EventType));

/** Ends one chase. */
export async function finishChase(
  tx: Tx,
  tenantId: string,
  chaseId: string,
  status: Exclude<ChaseStatus, 'scheduled' | 'dialing'>,
  outcome: string | null,
  detail: Record<string, unknown> | null = null,
  error: string | null = null,
): Promise<void> {
  await tx.query(
    `with ended as (
       update chases set status = $3, outcome = coalesce($4, outcome), last_error = coalesce($5, last_error), updated_at = now()
        where tenant_id = $1 and id = $2)
     insert into chase_events (tenant_id, chase_id, type, detail) values ($1, $2, $6, $7)`,
    [tenantId, chaseId, status, outcome, error, eventFor(status), { ...(outcome ? { outcome } : {}), ...detail }],
  );
  await emitChasesEnded(tx, tenantId, [chaseId]);
}

/**
 * Ends every live chase matching the filter, set-based, with one timeline event each.
 * A chase whose call is on the line right now ends too; its call's callbacks still land on
 * the attempt. @returns how many ended
 */
export async function endChases(
  tx: Tx,
  tenantId: string,
  filter: { campaignId?: string; phoneHashes?: Buffer[]; chaseIds?: string[] },
  status: 'canceled' | 'opted-out' | 'expired',
  detail: Record<string, unknown>,
): Promise<number> {
  const { rows } = await tx.query<{ id: string }>(
    `update chases set status = $2, updated_at = now()
      where tenant_id = $1 and status = any($3)
        and ($4::uuid is null or campaign_id = $4)
        and ($5::bytea[] is null or phone_hash = any($5))
        and ($6::uuid[] is null or id = any($6))
      returning id`,
    [tenantId, status, LIVE, filter.campaignId ?? null, filter.phoneHashes ?? null, filter.chaseIds ?? null],
  );
  if (rows.length) {
    await tx.query(`insert into chase_events (tenant_id, chase_id, type, detail) select $1, id, $2, $3 from unnest($4::uuid[]) as t (id)`, [
      tenantId,
      eventFor(status),
      detail,
      rows.map((r) => r.id),
    ]);
    await emitChasesEnded(
      tx,
      tenantId,
      rows.map((r) => r.id),
    );
  }
  return rows.length;
}

/** Gives every scheduled chase of a campaign a fresh job: due when it was due, or now if that has passed. */
export async function rescheduleLive(tx: Tx, jobs: JobQueue, tenantId: string, campaignId: string, now: Date): Promise<void> {
  const { rows } = await tx.query<{ id: string; step: number; priority: number; due_at: Date; deadline_at: Date }>(
    `update chases set step = step + 1, due_at = greatest(due_at, $3), updated_at = now()
      where tenant_id = $1 and campaign_id = $2 and status = 'scheduled'
      returning id, step, priority, due_at, deadline_at`,
    [tenantId, campaignId, now],
  );
  if (!rows.length) return;
  await tx.query(
    `insert into chase_events (tenant_id, chase_id, type, detail)
     select $1, id, 'scheduled', jsonb_build_object('at', due, 'reason', 'campaign resumed') from unnest($2::uuid[], $3::timestamptz[]) as t (id, due)`,
    [tenantId, rows.map((r) => r.id), rows.map((r) => r.due_at)],
  );
  await enqueueNewChases(tx, jobs, tenantId, rows);
}
