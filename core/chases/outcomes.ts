/**
 * What the carrier tells us about a call — from a status callback or from the reaper asking —
 * applied to its attempt and carried on to the chase. Idempotent and order-proof: a status
 * never moves an attempt backwards, and an ended attempt stays ended.
 */
import type pg from 'pg';
import { withTransaction } from '../db/pool.ts';
import { campaignFromJson, type CampaignJson } from '../campaigns/campaigns.ts';
import { insertEvent } from './store.ts';
import { type WorkerDeps } from '../deps.ts';
import { finishChase, scheduleChase } from './transitions.ts';
import { writeBackCall } from '../outbox/activities.ts';
import { recordLineResult } from '../lines/health.ts';
import { type LineResult } from '../lines/stores.ts';
import { settleUnconfirmedOptOut, UNCONFIRMED_OPT_OUT } from '../dialog/optout.ts';
import { recordCallEnded, recordConversion } from '../optimiser/stats.ts';
import { finalCallStates, type CallProgress, type MachineVerdict } from '../ports.ts';
import { firstDeliverySql } from '../inbound/deliveries.ts';
import { queues, type JobQueue } from '../jobs/queue.ts';
import type { Deps } from '../deps.ts';
import { isMachine, machineAnswers } from '../carrier.ts';

/** A call status report, as the status webhook queues it and the reaper learns it from the carrier. */
export type CallReport = CallProgress;

const ENDED = new Set([...finalCallStates, 'not-placed']);

/** Outcomes the dialog sets while the call is on; the call's end does not overwrite them. */
const DIALOG_OUTCOMES = ['refused', 'callback', 'interested', 'opted-out', 'wrong-number', 'transferred', UNCONFIRMED_OPT_OUT];

/** Attempt outcomes that complete the chase, and the chase outcome each gives. */
const COMPLETED_BY: Record<string, string> = {
  answered: 'answered',
  interested: 'interested',
  refused: 'not-interested',
  'wrong-number': 'wrong-number',
  transferred: 'transferred',
  'opted-out': 'opted-out',
};

/** The attempt's outcome once the call is over. */
function outcomeOf(status: string, answeredBy: string | null | undefined): string {
  if (status === 'completed') return isMachine(answeredBy) ? 'machine' : 'answered';
  if (status === 'canceled') return 'no-answer';
  return status; // busy, no-answer, failed
}

/** Whether chase $10's contact is linked with an enabled connector (then the call is written back). */
const LINKED_SQL = `exists (select 1 from chases ch join contact_crm_refs r on r.tenant_id = ch.tenant_id and r.contact_id = ch.contact_id
                             join connectors k on k.tenant_id = r.tenant_id and k.type = r.system and k.enabled
                     where ch.tenant_id = $9 and ch.id = $10)`;

/** The live statuses in the order a call goes through them. */
const PROGRESS = ['dialing', 'queued', 'ringing', 'in-progress'];

export async function applyCallReport(deps: WorkerDeps, report: CallReport): Promise<void> {
  if (!finalCallStates.has(report.status)) {
    await applyCallProgress(deps, report);
    return;
  }
  // Set when this report ended a call on a pool line: the line's health counts it.
  let lineResult: { tenantId: string; lineId: string; result: LineResult } | null = null;
  await withTransaction(deps.db, async (tx) => {
    // The attempt and its chase, both locked (in that order, as everywhere), with the campaign.
    const { rows } = await tx.query<
      { tenant_id: string; chase_id: string; status: string; sid: string | null; channel: string; answered_by: string | null; line_id: string | null } & {
        chase: ChaseState;
      }
    >(
      `select a.tenant_id, a.chase_id, a.status, a.sid, a.channel, a.answered_by, a.line_id,
              json_build_object('status', ch.status, 'call_attempts', ch.call_attempts, 'campaign', to_jsonb(cp)) as chase
         from attempts a
         join chases ch on ch.tenant_id = a.tenant_id and ch.id = a.chase_id
         join campaigns cp on cp.tenant_id = ch.tenant_id and cp.id = ch.campaign_id
        where a.id = $1 for update of a, ch`,
      [report.attemptId],
    );
    const attempt = rows[0];
    if (!attempt || attempt.channel !== 'voice') {
      deps.log?.warn({ attemptId: report.attemptId }, 'call status for an unknown attempt');
      return;
    }
    if (attempt.sid && attempt.sid !== report.callId) {
      deps.log?.warn({ attemptId: report.attemptId }, 'call status for another call of this attempt: ignored');
      return;
    }
    const { tenant_id: tenantId, chase_id: chaseId } = attempt;
    if (ENDED.has(attempt.status)) {
      if (!attempt.sid) await tx.query(`update attempts set sid = $2 where id = $1`, [report.attemptId, report.callId]);
      return;
    }
    const now = deps.clock.now();
    // With asynchronous detection the machine verdict came in its own callback, before this one.
    const answeredBy = report.answeredBy ?? attempt.answered_by;
    // In one statement: the attempt ends; the carrier's outcome (answered, machine, no-answer,
    // busy, failed) goes on the timeline unless already there (the dialog put its own outcomes,
    // refused, callback…, there when they were said); and whether the contact is linked with a
    // CRM or store that hears about the call.
    const { rows: updated } = await tx.query<{ outcome: string | null; linked: boolean }>(
      `with ended as (
         update attempts set status = $2, sid = $3, answered_by = coalesce($4, answered_by), duration_seconds = coalesce($5, duration_seconds),
                outcome = case when outcome = any($8) then outcome else $6 end, ended_at = $7
          where id = $1 returning outcome),
       event as (
         insert into chase_events (tenant_id, chase_id, type, attempt_id, detail)
         select $9, $10, v.type, $1, v.detail
           from (values (1, 'ringing', null::jsonb), (2, $6, $11::jsonb)) v(n, type, detail)
          where (v.n = 2 or $2 in ('completed', 'no-answer'))
            and not exists (select 1 from chase_events where tenant_id = $9 and chase_id = $10 and attempt_id = $1 and type = v.type)
          order by v.n)
       select outcome, ${LINKED_SQL} as linked from ended`,
      [
        report.attemptId,
        report.status,
        report.callId,
        report.answeredBy ?? null,
        report.durationSeconds ?? null,
        outcomeOf(report.status, answeredBy),
        now,
        DIALOG_OUTCOMES,
        tenantId,
        chaseId,
        { durationSeconds: report.durationSeconds ?? null },
      ],
    );
    // What the person said on the call (refused, asked for a callback…) outlives the call's own end.
    let outcome = updated[0]?.outcome ?? outcomeOf(report.status, answeredBy);
    let chase = attempt.chase;
    if (outcome === UNCONFIRMED_OPT_OUT) {
      // Asked "do you want us to stop?" and gone before answering: taken as a yes, whose opt-out ends the chase.
      const settled = await settleUnconfirmedOptOut(deps, tx, tenantId, report.attemptId);
      outcome = settled ? 'opted-out' : 'answered';
      if (settled) chase = { ...chase, status: 'opted-out' };
    }
    if (attempt.line_id) lineResult = { tenantId, lineId: attempt.line_id, result: lineResultOf(report.status, answeredBy) };
    if (updated[0]?.linked) await writeBackCall(tx, deps, tenantId, report.attemptId);
    await advanceChase(deps, tx, tenantId, chaseId, chase, outcome, now);
    // The optimiser learns last, so its shared counters are locked for the shortest time.
    await recordCallEnded(tx, tenantId, report.attemptId, report.status === 'completed' && !isMachine(answeredBy));
    if (chase.status === 'dialing' && outcome === 'interested') await recordConversion(tx, tenantId, chaseId, 'interested', now);
  });
  const ended = lineResult as { tenantId: string; lineId: string; result: LineResult } | null;
  if (ended && deps.lines) await recordLineResult(deps, deps.lines.health, ended.tenantId, ended.lineId, ended.result, deps.clock.now());
}

/**
 * A call moving on while it is live (queued, ringing, picked up), in one statement: the
 * attempt's status only moves forward, and each move adds its timeline event (ringing,
 * answered or machine). A status that comes late or twice changes nothing but a missing sid.
 * The carrier's reports run as separate jobs, in any order: a call picked up (or, below, rung
 * out) had rung, so its ringing event is added with the first report that shows it, once.
 */
async function applyCallProgress(deps: WorkerDeps, report: CallReport): Promise<void> {
  const status = report.status;
  const rank = PROGRESS.indexOf(status);
  // The attempt is locked by a statement of its own: the next one then reads the timeline as it is
  // once the lock is ours (a statement waiting on a lock keeps the snapshot it started with, and
  // would not see the ringing event a concurrent report just added).
  const rows = await withTransaction(deps.db, async (tx) => {
    await tx.query(`select 1 from attempts where id = $1 for update`, [report.attemptId]);
    return (
      await tx.query<{ channel: string; sid: string | null }>(
        `with old as (
         select id, channel, sid, answered_by,
                channel = 'voice' and (sid is null or sid = $3) and array_position($6::text[], status) - 1 < $5 as moves
           from attempts where id = $1 for update),
       moved as (
         update attempts a set status = case when old.moves then $2 else a.status end, sid = $3,
                answered_by = case when old.moves then coalesce($4, a.answered_by) else a.answered_by end
           from old
          where a.id = old.id and old.channel = 'voice' and (old.moves or old.sid is null)
         returning a.tenant_id, a.chase_id, a.answered_by, old.moves),
       event as (
         insert into chase_events (tenant_id, chase_id, type, attempt_id)
         select m.tenant_id, m.chase_id, v.type, $1
           from moved m
           cross join lateral (values (1, 'ringing'),
                                      (2, case when m.answered_by = any($7) then 'machine' else 'answered' end)) v(n, type)
          where m.moves and (v.n = 1 and $2 in ('ringing', 'in-progress') and not exists (select 1 from chase_events e where e.tenant_id = m.tenant_id and e.chase_id = m.chase_id and e.attempt_id = $1 and e.type = 'ringing')
                 or v.n = 2 and $2 = 'in-progress')
          order by v.n)
       select channel, sid from old`,
        [report.attemptId, status, report.callId, report.answeredBy ?? null, rank, PROGRESS, machineAnswers],
      )
    ).rows;
  });
  const attempt = rows[0];
  if (!attempt || attempt.channel !== 'voice') deps.log?.warn({ attemptId: report.attemptId }, 'call status for an unknown attempt');
  else if (attempt.sid && attempt.sid !== report.callId)
    deps.log?.warn({ attemptId: report.attemptId }, 'call status for another call of this attempt: ignored');
}

/** How a call's end counts for its line: only `failed` is the line's fault; busy and no-answer are the callee's. */
function lineResultOf(status: string, answeredBy: string | null | undefined): LineResult {
  if (status === 'completed') return isMachine(answeredBy) ? 'machine' : 'answered';
  if (status === 'busy' || status === 'failed') return status;
  return 'no-answer';
}

interface ChaseState {
  status: string;
  call_attempts: number;
  campaign: CampaignJson;
}

/** After a call ended: done if someone answered; otherwise call again, text, or stop, as the campaign says. */
async function advanceChase(
  deps: WorkerDeps,
  tx: pg.PoolClient,
  tenantId: string,
  chaseId: string,
  chase: ChaseState,
  outcome: string,
  now: Date,
): Promise<void> {
  // Canceled, opted out or expired while the call was on: the attempt is recorded, the chase stays ended.
  if (chase.status !== 'dialing') return;
  const done = COMPLETED_BY[outcome];
  if (done) {
    await finishChase(tx, tenantId, chaseId, 'completed', done);
    return;
  }
  const campaign = campaignFromJson(chase.campaign);
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
      a.tenant_id,
      a.chase_id,
      a.channel === 'voice' ? 1 : 0,
      lastError,
    ]);
    if ((errors[0]?.n ?? 0) >= MAX_UNPLACED) {
      await finishChase(tx, a.tenant_id, a.chase_id, 'failed', 'carrier-error', { error: lastError, unplacedAttempts: errors[0]!.n }, lastError);
      return;
    }
    await insertEvent(tx, a.tenant_id, a.chase_id, 'failed', { error: lastError, retrying: true }, attemptId);
    await scheduleChase(tx, deps.jobs, a.tenant_id, a.chase_id, now, a.channel, { reason: 'the attempt never reached the carrier' });
  });
}

/**
 * The answering-machine detection's verdict on a call, recorded once per call (a carrier
 * sending it again changes nothing); a machine also queues the job that leaves the voicemail.
 */
export async function applyMachineVerdict(deps: Deps & { jobs: JobQueue }, verdict: MachineVerdict): Promise<void> {
  const record = `with fresh as (${firstDeliverySql({ tenant: '(select tenant_id from attempts where id = $2)', source: 'machine-verdict', deliveryId: '$1' })})
                  update attempts set answered_by = $3 where id = $2 and channel = 'voice' and exists (select 1 from fresh)`;
  const params = [`${verdict.callId}:amd`, verdict.attemptId, verdict.answeredBy];
  if (!isMachine(verdict.answeredBy)) {
    await deps.db.query(record, params);
    return;
  }
  await withTransaction(deps.db, async (tx) => {
    const { rows } = await tx.query(`${record} returning 1`, params);
    if (rows.length) await deps.jobs.send(tx, queues.callMachine, { attemptId: verdict.attemptId, callSid: verdict.callId });
  });
}
