/**
 * What the carrier tells us about a call — from a status callback or from the reaper asking —
 * applied to its attempt and carried on to the chase. Idempotent and order-proof: a status
 * never moves an attempt backwards, and an ended attempt stays ended.
 */
import type pg from 'pg';
import { withTransaction } from './db/pool.ts';
import { getCampaign } from './campaigns.ts';
import { insertEvent, type EventType, type WorkerDeps } from './chases.store.ts';
import { finishChase, scheduleChase } from './chases.transitions.ts';
import { writeBackCall } from './outbox.activities.ts';
import { recordLineResult, type LineResult } from './lines.health.ts';

export interface CallReport {
  attemptId: string;
  callSid: string;
  /** Twilio CallStatus. */
  status: string;
  answeredBy?: string | null;
  durationSeconds?: number | null;
}

const RANK: Record<string, number> = { dialing: 0, queued: 1, initiated: 1, ringing: 2, 'in-progress': 3 };
const FINAL = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);
const ENDED = new Set([...FINAL, 'not-placed']);

/** Outcomes the dialog sets while the call is on; the call's end does not overwrite them. */
const DIALOG_OUTCOMES = ['refused', 'callback', 'interested', 'opted-out', 'wrong-number', 'transferred'];

/** Attempt outcomes that complete the chase, and the chase outcome each gives. */
const COMPLETED_BY: Record<string, string> = {
  answered: 'answered',
  interested: 'interested',
  refused: 'not-interested',
  'wrong-number': 'wrong-number',
  transferred: 'transferred',
  'opted-out': 'opted-out',
};

const isMachine = (answeredBy: string | null | undefined) => Boolean(answeredBy && (answeredBy.startsWith('machine') || answeredBy === 'fax'));

/** The attempt's outcome once the call is over. */
function outcomeOf(status: string, answeredBy: string | null | undefined): string {
  if (status === 'completed') return isMachine(answeredBy) ? 'machine' : 'answered';
  if (status === 'canceled') return 'no-answer';
  return status; // busy, no-answer, failed
}

async function hasEvent(tx: pg.PoolClient, tenantId: string, chaseId: string, attemptId: string, type: EventType): Promise<boolean> {
  const { rowCount } = await tx.query(`select 1 from chase_events where tenant_id = $1 and chase_id = $2 and attempt_id = $3 and type = $4`, [
    tenantId, chaseId, attemptId, type,
  ]);
  return Boolean(rowCount);
}

export async function applyCallReport(deps: WorkerDeps, report: CallReport): Promise<void> {
  // Set when this report ended a call on a pool line: the line's health counts it.
  let lineResult: { tenantId: string; lineId: string; result: LineResult } | null = null;
  await withTransaction(deps.db, async (tx) => {
    const { rows } = await tx.query<{ tenant_id: string; chase_id: string; campaign_id: string; status: string; sid: string | null; channel: string; answered_by: string | null; line_id: string | null }>(
      `select tenant_id, chase_id, campaign_id, status, sid, channel, answered_by, line_id from attempts where id = $1 for update`,
      [report.attemptId],
    );
    const attempt = rows[0];
    if (!attempt || attempt.channel !== 'voice') {
      deps.log?.warn({ attemptId: report.attemptId }, 'call status for an unknown attempt');
      return;
    }
    if (attempt.sid && attempt.sid !== report.callSid) {
      deps.log?.warn({ attemptId: report.attemptId }, 'call status for another call of this attempt: ignored');
      return;
    }
    const { tenant_id: tenantId, chase_id: chaseId } = attempt;
    if (ENDED.has(attempt.status)) {
      if (!attempt.sid) await tx.query(`update attempts set sid = $2 where id = $1`, [report.attemptId, report.callSid]);
      return;
    }
    const final = FINAL.has(report.status);
    if (!final && (RANK[report.status] ?? 0) <= (RANK[attempt.status] ?? 0)) {
      if (!attempt.sid) await tx.query(`update attempts set sid = $2 where id = $1`, [report.attemptId, report.callSid]);
      return;
    }
    const now = deps.clock.now();
    // With asynchronous detection the machine verdict came in its own callback, before this one.
    const answeredBy = report.answeredBy ?? attempt.answered_by;
    const { rows: updated } = await tx.query<{ outcome: string | null }>(
      `update attempts set status = $2, sid = $3, answered_by = coalesce($4, answered_by), duration_seconds = coalesce($5, duration_seconds),
              outcome = case when outcome = any($9) then outcome else coalesce($6, outcome) end, ended_at = case when $7 then $8::timestamptz else ended_at end
        where id = $1 returning outcome`,
      [
        report.attemptId, report.status === 'initiated' ? 'queued' : report.status, report.callSid, report.answeredBy ?? null, report.durationSeconds ?? null,
        final ? outcomeOf(report.status, answeredBy) : null, final, now, DIALOG_OUTCOMES,
      ],
    );
    // What the person said on the call (refused, asked for a callback…) outlives the call's own end.
    const outcome = final ? (updated[0]?.outcome ?? null) : null;
    if (final && attempt.line_id) lineResult = { tenantId, lineId: attempt.line_id, result: lineResultOf(report.status, answeredBy) };

    if (report.status === 'ringing') await insertEvent(tx, tenantId, chaseId, 'ringing', null, report.attemptId);
    if (report.status === 'in-progress') {
      await insertEvent(tx, tenantId, chaseId, isMachine(answeredBy) ? 'machine' : 'answered', null, report.attemptId);
    }
    if (!outcome) return;
    // The carrier's outcomes (answered, machine, no-answer, busy, failed) are timeline event types
    // too; the dialog's (refused, callback…) were put on the timeline when they were said.
    const type = outcomeOf(report.status, answeredBy) as EventType;
    if (!(await hasEvent(tx, tenantId, chaseId, report.attemptId, type))) {
      await insertEvent(tx, tenantId, chaseId, type, { durationSeconds: report.durationSeconds ?? null }, report.attemptId);
    }
    await writeBackCall(tx, deps, tenantId, report.attemptId);
    await advanceChase(deps, tx, tenantId, chaseId, outcome, now);
  });
  const ended = lineResult as { tenantId: string; lineId: string; result: LineResult } | null;
  if (ended && deps.lines) await recordLineResult(deps, deps.lines.health, ended.tenantId, ended.lineId, ended.result, deps.clock.now());
}

/** How a call's end counts for its line: only `failed` is the line's fault; busy and no-answer are the callee's. */
function lineResultOf(status: string, answeredBy: string | null | undefined): LineResult {
  if (status === 'completed') return isMachine(answeredBy) ? 'machine' : 'answered';
  if (status === 'busy' || status === 'failed') return status;
  return 'no-answer';
}

/** After a call ended: done if someone answered; otherwise call again, text, or stop, as the campaign says. */
async function advanceChase(deps: WorkerDeps, tx: pg.PoolClient, tenantId: string, chaseId: string, outcome: string, now: Date): Promise<void> {
  const { rows } = await tx.query<{ status: string; campaign_id: string; call_attempts: number }>(
    `select status, campaign_id, call_attempts from chases where tenant_id = $1 and id = $2 for update`,
    [tenantId, chaseId],
  );
  const chase = rows[0];
  // Canceled, opted out or expired while the call was on: the attempt is recorded, the chase stays ended.
  if (chase?.status !== 'dialing') return;
  const done = COMPLETED_BY[outcome];
  if (done) {
    await finishChase(tx, tenantId, chaseId, 'completed', done);
    return;
  }
  const campaign = await getCampaign(tx, tenantId, chase.campaign_id);
  const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
  if (outcome === 'callback') {
    // The person asked to be called later: the step still applies their calling window and the caps.
    await scheduleChase(tx, deps.jobs, tenantId, chaseId, at(campaign.call.callbackAfterMinutes), 'voice', { reason: 'the person asked to be called back' });
    return;
  }
  if (chase.call_attempts < campaign.rules.maxCallAttempts) {
    await scheduleChase(tx, deps.jobs, tenantId, chaseId, at(campaign.rules.retryAfterMinutes), 'voice', { reason: outcome });
  } else if (campaign.channel.policy === 'voice-then-sms') {
    await scheduleChase(tx, deps.jobs, tenantId, chaseId, at(campaign.channel.smsAfterMinutes), 'sms', { reason: outcome });
  } else {
    await finishChase(tx, tenantId, chaseId, 'completed', 'unreached', { lastOutcome: outcome });
  }
}

/** After this many attempts the carrier never got, the chase ends as failed instead of trying again. */
const MAX_UNPLACED = 5;

/**
 * Gives up an attempt the carrier never got (the reaper asked and found no call): it does not
 * count against caps, and the chase tries again now.
 */
export async function giveUpAttempt(deps: WorkerDeps, attemptId: string, reason: string): Promise<void> {
  await withTransaction(deps.db, async (tx) => {
    const { rows } = await tx.query<{ tenant_id: string; chase_id: string; channel: 'voice' | 'sms'; status: string; sid: string | null }>(
      `select tenant_id, chase_id, channel, status, sid from attempts where id = $1 for update`,
      [attemptId],
    );
    const a = rows[0];
    if (!a || a.sid || !['dialing', 'queued'].includes(a.status)) return;
    const now = deps.clock.now();
    await tx.query(`update attempts set status = 'not-placed', error = coalesce(error, $2), ended_at = $3 where id = $1`, [attemptId, reason, now]);
    const { rows: chases } = await tx.query<{ status: string; next_channel: 'voice' | 'sms' }>(
      `select status, next_channel from chases where tenant_id = $1 and id = $2 for update`,
      [a.tenant_id, a.chase_id],
    );
    if (chases[0]?.status !== 'dialing') return;
    const { rows: errors } = await tx.query<{ n: number; error: string | null }>(
      `select count(*)::int as n, (array_agg(error order by created_at desc))[1] as error from attempts
        where tenant_id = $1 and chase_id = $2 and status = 'not-placed'`,
      [a.tenant_id, a.chase_id],
    );
    const lastError = errors[0]?.error ?? reason;
    await tx.query(`update chases set call_attempts = call_attempts - $3, last_error = $4 where tenant_id = $1 and id = $2`, [
      a.tenant_id, a.chase_id, a.channel === 'voice' ? 1 : 0, lastError,
    ]);
    if ((errors[0]?.n ?? 0) >= MAX_UNPLACED) {
      await finishChase(tx, a.tenant_id, a.chase_id, 'failed', 'carrier-error', { error: lastError, unplacedAttempts: errors[0]!.n }, lastError);
      return;
    }
    await insertEvent(tx, a.tenant_id, a.chase_id, 'failed', { error: lastError, retrying: true }, attemptId);
    await scheduleChase(tx, deps.jobs, a.tenant_id, a.chase_id, now, a.channel, { reason: 'the attempt never reached the carrier' });
  });
}
