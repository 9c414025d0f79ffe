/**
 * The queue of one number: the chases waiting to call it, across campaigns. When a chase
 * steps, it plans the whole queue with itself in it (chases.slots.ts) under the number's
 * advisory lock, so two workers never plan one number at once, and writes the plan:
 *
 * - the queue is the number's live voice chases of active campaigns that are ready — due
 *   now, or already waiting in the queue (`in_phone_queue`). A chase scheduled later for a
 *   reason of its own (a delay, a retry, a callback) joins when it comes due;
 * - a chase whose slot moved (a higher-priority chase came in ahead of it, a slot became
 *   free) is rescheduled: its step is bumped and a job sent for the new one, so the job it
 *   had finds itself stale and does nothing — no chase is stepped twice or left without a
 *   job. A chase already due whose slot is now keeps its job, which is about to run;
 * - a chase left with no slot before its deadline ends as expired, as it would on its own step;
 * - each update re-checks the chase's step and status: a chase that moved on meanwhile
 *   (canceled, its campaign paused) is left as it is.
 *
 * Slots are a plan: the step that dials still checks the caps against the real attempts,
 * so a job that fires early (a call placed a little later than its slot) just waits again.
 */
import type pg from 'pg';
import { intersectWindows, type CallingWindow } from '../campaigns/calling-window.ts';
import { effectiveRules, RulesSchema, type Caps, type TenantChaseRules } from '../campaigns/rules.ts';
import type { PhoneAttempt } from './caps.ts';
import { planSlots, type Slot, type WaitingChase } from './slots.ts';
import { stepJob } from './transitions.ts';
import { emitChasesEnded } from '../events/chases.ts';
import { queues, type JobQueue } from '../jobs/queue.ts';
import { armWindowSql } from '../experiments/assign.ts';

type Tx = Pick<pg.PoolClient, 'query'>;

interface Member {
  id: string;
  step: number;
  priority: number;
  due_at: Date;
  deadline_at: Date;
  created_at: Date;
  in_phone_queue: boolean;
  rules: unknown;
  arm_window: CallingWindow | null;
}

export interface TurnInput {
  tenantId: string;
  /** The chase stepping now, locked by the caller. */
  chase: { id: string; step: number; priority: number; due_at: Date; deadline_at: Date; created_at: Date; in_phone_queue: boolean };
  phoneHash: Buffer;
  attempts: PhoneAttempt[];
  caps: Caps;
  window: CallingWindow;
  tenantRules: TenantChaseRules;
  timeZone: string;
  now: Date;
  /** No slot before this (a call to the number is on the line until then). */
  start: Date;
  /** Planned calls at least this far apart (default MIN_SLOT_SPACING_MS). */
  spacingMs?: number | undefined;
}

/**
 * Plans the number's queue with this chase in it and writes the plan.
 * @returns this chase's slot: `at <= now` means its turn is now; null `at`: none before its deadline
 */
export async function planPhoneQueue(tx: Tx, jobs: JobQueue, input: TurnInput): Promise<Slot> {
  const { tenantId, chase, now } = input;
  const { rows: members } = await tx.query<Member>(
    `select ch.id, ch.step, ch.priority, ch.due_at, ch.deadline_at, ch.created_at, ch.in_phone_queue, cp.rules, ${armWindowSql('ch')} as arm_window
       from chases ch join campaigns cp on cp.tenant_id = ch.tenant_id and cp.id = ch.campaign_id
      where ch.tenant_id = $1 and ch.phone_hash = $2 and ch.status = 'scheduled' and ch.id <> $3
        and ch.next_channel = 'voice' and cp.status = 'active' and (ch.in_phone_queue or ch.due_at <= $4)`,
    [tenantId, input.phoneHash, chase.id, now],
  );
  const waiting = (c: { id: string; priority: number; deadline_at: Date; created_at: Date }, rules: { caps: Caps; window: CallingWindow }): WaitingChase => ({
    id: c.id,
    priority: c.priority,
    deadlineAt: c.deadline_at.getTime(),
    createdAt: c.created_at.getTime(),
    caps: rules.caps,
    window: rules.window,
  });
  const queue = [
    waiting(chase, input),
    ...members.map((m) => {
      const rules = effectiveRules(RulesSchema.parse(m.rules), input.tenantRules);
      return waiting(m, { caps: rules.caps, window: m.arm_window ? intersectWindows(m.arm_window, rules.window) : rules.window });
    }),
  ];
  const slots = planSlots(input.attempts, queue, input.timeZone, now, input.start, input.spacingMs);
  for (const slot of slots) {
    const member = members.find((m) => m.id === slot.id);
    if (!member) continue;
    if (!slot.at) {
      await expire(tx, tenantId, member, slot);
      continue;
    }
    const due = slot.at.getTime() <= now.getTime() && member.due_at.getTime() <= now.getTime();
    if (due || !moved(member, slot.at)) continue;
    await queueAt(tx, jobs, tenantId, member, slot, input.timeZone, true);
  }
  const own = slots.find((s) => s.id === chase.id)!;
  // This chase's job has run: it needs a new one for its slot, even when the slot is the one
  // it had (its job fired early); the timeline hears of it only when the slot moved.
  if (own.at && own.at.getTime() > now.getTime()) await queueAt(tx, jobs, tenantId, chase, own, input.timeZone, moved(chase, own.at));
  return own;
}

const moved = (c: { in_phone_queue: boolean; due_at: Date }, at: Date) => !c.in_phone_queue || c.due_at.getTime() !== at.getTime();

/** Moves a waiting chase to its slot with a job for it; nothing if the chase moved on since it was read. */
async function queueAt(tx: Tx, jobs: JobQueue, tenantId: string, c: { id: string; step: number }, slot: Slot, timeZone: string, event: boolean): Promise<void> {
  const { rows } = await tx.query<{ id: string; step: number; priority: number; due_at: Date; deadline_at: Date }>(
    `update chases set step = step + 1, due_at = $4, in_phone_queue = true, updated_at = now()
      where tenant_id = $1 and id = $2 and step = $3 and status = 'scheduled'
      returning id, step, priority, due_at, deadline_at`,
    [tenantId, c.id, c.step, slot.at],
  );
  const row = rows[0];
  if (!row) return;
  if (event)
    await tx.query(`insert into chase_events (tenant_id, chase_id, type, detail) values ($1, $2, 'scheduled', $3)`, [
      tenantId,
      c.id,
      { at: slot.at!.toISOString(), channel: 'voice', reason: slot.reason, timeZone, queuePosition: slot.position },
    ]);
  const job = stepJob(tenantId, row);
  await jobs.send(tx, queues.chaseStep, job.data, job.options);
}

async function expire(tx: Tx, tenantId: string, c: Member, slot: Slot): Promise<void> {
  await tx.query(
    `with ended as (
       update chases set status = 'expired', in_phone_queue = false, updated_at = now()
        where tenant_id = $1 and id = $2 and step = $3 and status = 'scheduled' returning id)
     insert into chase_events (tenant_id, chase_id, type, detail) select $1, id, 'expired', $4 from ended`,
    [tenantId, c.id, c.step, { reason: `no time left before the deadline (${slot.reason})` }],
  );
  // Only a chase this statement ended is still expired here with no end event: the insert keeps the first.
  await emitChasesEnded(tx, tenantId, [c.id]);
}
