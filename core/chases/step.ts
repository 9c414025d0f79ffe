/**
 * One step of a chase, run by a chase-step job: decide, reserve, act.
 *
 * Decide and reserve happen in one transaction under the phone's advisory lock: the chase
 * is still at this step, the campaign still active, the deadline not passed, the number not
 * opted out, the recipient's calling window open and the caps free. Then the attempt row is
 * committed, and only then is the carrier asked. A worker killed after the commit leaves the
 * attempt in `dialing`; the reaper finds out from the carrier what happened. Nothing here
 * ever asks the carrier twice for one attempt.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { AppError, loggable, notFound } from '../errors.ts';
import { withTransaction } from '../db/pool.ts';
import { effectiveRules, pickLine, renderText, scriptNamed, TenantChaseRulesSchema, type Script } from '../campaigns/rules.ts';
import { allPromptTexts } from '../dialog/calls.ts';
import { speechRequest } from '../dialog/voice.ts';
import { ensureAudio } from '../dialog/media.ts';
import { trackLinks } from '../links/links.ts';
import { screenNumber, type NumberChecksSetting } from '../contacts/number-quality.ts';
import { lineRoute } from '../lines/lines.ts';
import { chooseLine, linePolicyTier } from '../lines/select.ts';
import { campaignFromJson, type Campaign, type CampaignJson } from '../campaigns/campaigns.ts';
import { intersectWindows, nextCallableTime, type CallingWindow } from '../campaigns/calling-window.ts';
import { armWindowSql } from '../experiments/assign.ts';
import { timeZoneForPhone } from '../phone/timezone.ts';
import { callInFlight, capsBlockUntil, phoneLockSql, readPhoneState } from './caps.ts';
import { CHASE_COLUMNS, decodeContext, insertEvent, type ChaseRow } from './store.ts';
import { type WorkerDeps } from '../deps.ts';
import { finishChase, scheduleChase, type StepJob } from './transitions.ts';
import { planPhoneQueue } from './queue.ts';
import { policyChannels } from './chases.ts';
import { writeBackSms } from '../outbox/activities.ts';
import type { LineRoute } from '../ports.ts';

type Tx = pg.PoolClient;

/** How long to wait when another call to the same number is on the line. */
const BUSY_LINE_RETRY_MS = 5 * 60_000;

/** The chase's columns, qualified for the join below. */
const STEP_COLUMNS = CHASE_COLUMNS.replace(/(\w+)/g, 'ch.$1');

interface StepContext {
  in_phone_queue: boolean;
  contact_phone_hash: Buffer | null;
  phone_enc: string | null;
  phone_invalid_reason: string | null;
  time_zone: string | null;
  name_enc: string | null;
  chase_rules: unknown;
  campaign: CampaignJson | null;
  /** The calling window of the chase's experiment arm, when its arm sets one. */
  arm_window: CallingWindow | null;
}

interface Reserved {
  attemptId: string;
  channel: 'voice' | 'sms';
  /** The number called or texted (E.164). */
  to: string;
  from: string;
  /** How the call goes out on its line. */
  route: LineRoute;
  smsText: string | null;
  /** The tenant's number-check setting. */
  numberChecks: NumberChecksSetting;
  /** The call's script and everything it may say to this person, to synthesise before dialling. */
  script: Script;
  prompts: string[];
}

export async function runChaseStep(deps: WorkerDeps, job: StepJob): Promise<void> {
  const reserved = await withTransaction(deps.db, (tx) => reserve(deps, tx, job));
  if (!reserved) return;
  if (!(await screen(deps, job, reserved))) return;
  if (reserved.channel === 'voice') {
    await synthesisePrompts(deps, job, reserved);
    await placeCall(deps, job, reserved);
  } else {
    await sendSms(deps, job, reserved);
  }
}

async function reserve(deps: WorkerDeps, tx: Tx, { tenantId, chaseId, step }: StepJob): Promise<Reserved | null> {
  // In one round trip: the chase (locked), its contact, its campaign, the tenant's rule
  // defaults, and the advisory lock of the contact's number (see lockPhone), so that what is
  // read about the number below comes from a snapshot taken once the lock is held.
  const { rows } = await tx.query<ChaseRow & StepContext>(
    `select ${STEP_COLUMNS}, ch.in_phone_queue, c.phone_hash as contact_phone_hash, c.phone_enc, c.phone_invalid_reason, c.time_zone, c.name_enc, t.chase_rules,
            to_jsonb(cp) as campaign, ${armWindowSql('ch')} as arm_window, ${phoneLockSql('$3', 'c.phone_hash')} as locked
       from chases ch
       join tenants t on t.id = ch.tenant_id
       left join campaigns cp on cp.tenant_id = ch.tenant_id and cp.id = ch.campaign_id
       left join contacts c on c.tenant_id = ch.tenant_id and c.id = ch.contact_id
      where ch.tenant_id = $1 and ch.id = $2 for update of ch`,
    [tenantId, chaseId, tenantId],
  );
  const chase = rows[0];
  // Stale: the chase moved on (rescheduled, ended) since this job was sent.
  if (!chase || chase.step !== step || chase.status !== 'scheduled') return null;
  if (!chase.campaign) throw notFound('campaign', 'campaignId');
  const campaign = campaignFromJson(chase.campaign);
  if (campaign.status === 'paused') return null; // resuming sends a fresh job
  if (campaign.status === 'canceled') {
    await finishChase(tx, tenantId, chaseId, 'canceled', null, { reason: 'campaign canceled' });
    return null;
  }
  const now = deps.clock.now();
  if (now >= chase.deadline_at) {
    await finishChase(tx, tenantId, chaseId, 'expired', null, { reason: 'the deadline passed' });
    return null;
  }
  if (!chase.phone_enc || !chase.contact_phone_hash || chase.phone_invalid_reason) {
    await finishChase(tx, tenantId, chaseId, 'failed', 'invalid-number', { reason: chase.phone_invalid_reason ?? 'the contact was deleted' });
    return null;
  }
  const to = deps.pii.decrypt(chase.phone_enc);
  // The number dialled is the contact's today; if it changed since the chase began, caps,
  // consent and the lock follow the new one.
  const phoneHash = chase.contact_phone_hash;
  if (!phoneHash.equals(chase.phone_hash)) {
    await tx.query(`update chases set phone_hash = $3 where tenant_id = $1 and id = $2`, [tenantId, chaseId, phoneHash]);
  }
  const tenantRules = TenantChaseRulesSchema.parse(chase.chase_rules ?? {});
  const effective = effectiveRules(campaign.rules, tenantRules);
  const caps = effective.caps;
  // An experiment arm's window, never wider than the campaign's (calling-window.ts).
  const window = chase.arm_window ? intersectWindows(chase.arm_window, effective.window) : effective.window;

  const phone = await readPhoneState(tx, tenantId, phoneHash, caps, now);
  const optedOut = phone.optedOut;
  let channel = chase.next_channel;
  if (optedOut[channel]) {
    // Opted out of calls but not texts: a voice-then-SMS chase goes straight to its SMS.
    if (channel === 'voice' && policyChannels(campaign).includes('sms') && !optedOut.sms) {
      channel = 'sms';
    } else {
      await finishChase(tx, tenantId, chaseId, 'opted-out', null, { channel });
      return null;
    }
  }

  const timeZone = chase.time_zone ?? timeZoneForPhone(to) ?? 'UTC';
  if (channel === 'voice') {
    // A call waits its turn in the number's queue: the caps, the window and the other chases
    // waiting on the number decide its slot (chases.queue.ts).
    const busy = callInFlight(phone.attempts);
    const start = busy ? new Date(now.getTime() + (deps.busyRetryMs ?? BUSY_LINE_RETRY_MS)) : now;
    const slot = await planPhoneQueue(tx, deps.jobs, {
      tenantId,
      chase,
      phoneHash,
      attempts: phone.attempts,
      caps,
      window,
      tenantRules,
      timeZone,
      now,
      start,
      spacingMs: deps.slotSpacingMs,
    });
    if (!slot.at) {
      await finishChase(tx, tenantId, chaseId, 'expired', null, { reason: `no time left before the deadline (${slot.reason})` });
      return null;
    }
    if (slot.at.getTime() > now.getTime()) return null;
  } else {
    // A text only waits for a refusal's cooldown and the window.
    const capped = capsBlockUntil(phone.attempts, channel, caps, now);
    const next = nextCallableTime(capped ?? now, timeZone, window);
    if (!next || next.getTime() > now.getTime()) {
      const reason = capped ? 'frequency cap' : 'calling window';
      if (!next || next >= chase.deadline_at) {
        await finishChase(tx, tenantId, chaseId, 'expired', null, { reason: `no time left before the deadline (${reason})` });
      } else {
        await scheduleChase(tx, deps.jobs, tenantId, chaseId, next, channel, { reason, timeZone });
      }
      return null;
    }
  }

  if (channel === 'sms') {
    // One SMS per chase: the link may already have gone out during a call (then a callback was asked for, and missed).
    const { rowCount } = await tx.query(`select 1 from attempts where tenant_id = $1 and chase_id = $2 and channel = 'sms' and status <> 'not-placed'`, [
      tenantId,
      chaseId,
    ]);
    if (rowCount) {
      await finishChase(tx, tenantId, chaseId, 'completed', 'sms-sent', { reason: 'the chase already sent its SMS' });
      return null;
    }
  }
  const line = await lineFor(deps, tx, tenantId, campaign, chase, now);
  if ('problem' in line) {
    await finishChase(tx, tenantId, chaseId, 'failed', 'no-line', { reason: line.problem }, line.problem);
    return null;
  }
  if ('waitMs' in line) {
    // Every usable line is at its calls-per-second limit (or drained, waiting for its probe).
    const at = new Date(now.getTime() + line.waitMs);
    if (at >= chase.deadline_at) await finishChase(tx, tenantId, chaseId, 'expired', null, { reason: 'no line free before the deadline' });
    else await scheduleChase(tx, deps.jobs, tenantId, chaseId, at, channel, { reason: 'line capacity' });
    return null;
  }
  // The attempt, the chase now dialing and (for a call) its timeline event, in one statement.
  const attemptId = randomUUID();
  const dialing = channel === 'voice' ? { from: line.from, timeZone, ...(line.lineId ? { lineId: line.lineId, probe: line.probe } : {}) } : null;
  await tx.query(
    `with attempt as (
       insert into attempts (tenant_id, id, chase_id, campaign_id, phone_hash, channel, status, from_number, line_id, created_at, time_zone, carrier)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $13, $14)),
     chase as (
       update chases set status = 'dialing', next_channel = $6, call_attempts = call_attempts + $11, in_phone_queue = false, updated_at = now()
        where tenant_id = $1 and id = $3)
     insert into chase_events (tenant_id, chase_id, type, attempt_id, detail) select $1, $3, 'dialing', $2, $12::jsonb where $12::jsonb is not null`,
    [
      tenantId,
      attemptId,
      chaseId,
      campaign.id,
      phoneHash,
      channel,
      channel === 'voice' ? 'dialing' : 'queued',
      line.from,
      line.lineId,
      now,
      channel === 'voice' ? 1 : 0,
      dialing,
      timeZone,
      deps.carrier.name ?? null,
    ],
  );
  const script = scriptNamed(campaign.scripts, chase.script);
  const values = { name: chase.name_enc ? deps.pii.decrypt(chase.name_enc) : null, context: decodeContext(deps, chase.context_enc) };
  return {
    attemptId,
    channel,
    to,
    numberChecks: tenantRules.numberChecks ?? 'off',
    from: line.from,
    route: line.route,
    smsText: channel === 'sms' ? smsText(campaign, script, values) : null,
    script,
    prompts: channel === 'voice' && deps.speech ? allPromptTexts(script, values) : [],
  };
}

interface ChosenLine {
  from: string;
  route: LineRoute;
  /** The pool line; null for a campaign's own caller ids. */
  lineId: string | null;
  probe: boolean;
}

/**
 * The line of this attempt: the campaign's own caller ids when it has some, else the tenant's
 * pool — premium lines for chases at or above the campaign's premiumFromPriority, a drained
 * line only as its probe, and only a line with a calls-per-second token free.
 */
async function lineFor(
  deps: WorkerDeps,
  tx: Tx,
  tenantId: string,
  campaign: Campaign,
  chase: ChaseRow,
  now: Date,
): Promise<ChosenLine | { waitMs: number } | { problem: string }> {
  if (campaign.lines.length) {
    const own = pickLine(campaign.lines, chase.priority);
    return { from: own.from, route: { kind: 'number' }, lineId: null, probe: false };
  }
  if (!deps.lines) return { problem: 'the campaign has no lines of its own and this worker has no line pool' };
  const wantTier = linePolicyTier(chase.priority, campaign.rules.premiumFromPriority ?? 100);
  const choice = await chooseLine({ db: tx as unknown as pg.Pool }, deps.lines, tenantId, { wantTier }, now);
  if (!choice) return { problem: "the campaign has no lines of its own and the tenant's line pool has no enabled line" };
  if ('waitMs' in choice) return choice;
  return { from: choice.line.fromNumber, route: lineRoute(choice.line), lineId: choice.line.id, probe: choice.probe };
}

/** The SMS of a chase: its script's, else the campaign's first, else what the call would say. */
export function smsText(campaign: Pick<Campaign, 'scripts'>, script: Script, values: { name: string | null; context: Record<string, unknown> }): string {
  const template = script.sms ?? campaign.scripts.find((s) => s.sms)?.sms ?? script.say;
  return renderText(template, values);
}

/**
 * Number quality, when the tenant checks numbers (the carrier's lookup, cached): an invalid number
 * is never dialled and a landline never texted. The lookup runs after the reservation
 * committed, so no lock is held over HTTP; a refused number gives the attempt back unplaced.
 */
async function screen(deps: WorkerDeps, job: StepJob, r: Reserved): Promise<boolean> {
  if (r.numberChecks === 'off') return true;
  let reason: string | null;
  try {
    reason = await screenNumber(deps, deps.carrier, job.tenantId, r.to, r.channel, deps.clock.now(), r.numberChecks);
  } catch (err) {
    // The lookup failed: nothing was placed; the job retries with backoff, then dead-letters.
    await giveBack(deps, job, r, `number check failed: ${err instanceof Error ? err.message : String(err)}`, 'scheduled');
    throw err;
  }
  if (!reason) return true;
  await giveBack(deps, job, r, reason, r.channel === 'sms' ? 'cannot-text' : 'invalid-number');
  return false;
}

/** Undoes a reservation the carrier never saw: the attempt is not-placed, and the chase is scheduled again or ends with `outcome`. */
async function giveBack(
  deps: WorkerDeps,
  job: StepJob,
  r: Reserved,
  reason: string,
  then: 'scheduled' | 'cannot-text' | 'invalid-number' | 'carrier-refused',
): Promise<void> {
  await withTransaction(deps.db, async (tx) => {
    await tx.query(`update attempts set status = 'not-placed', error = $3, ended_at = $4 where tenant_id = $1 and id = $2`, [
      job.tenantId,
      r.attemptId,
      reason,
      deps.clock.now(),
    ]);
    await tx.query(`update chases set call_attempts = call_attempts - $3, last_error = $4, updated_at = now() where tenant_id = $1 and id = $2`, [
      job.tenantId,
      job.chaseId,
      r.channel === 'voice' ? 1 : 0,
      reason,
    ]);
    if (then === 'scheduled') {
      await tx.query(`update chases set status = 'scheduled' where tenant_id = $1 and id = $2 and status = 'dialing'`, [job.tenantId, job.chaseId]);
      await insertEvent(tx, job.tenantId, job.chaseId, 'failed', { error: reason, retrying: true }, r.attemptId);
    } else {
      await finishChase(tx, job.tenantId, job.chaseId, 'failed', then, { reason }, reason);
    }
  });
}

/**
 * Synthesises what the call may say before it is placed, so no request for the call's
 * instructions waits for audio. Text-to-speech failing is not a reason to miss the call: it
 * then speaks with the carrier's own voices.
 */
async function synthesisePrompts(deps: WorkerDeps, job: StepJob, r: Reserved): Promise<void> {
  const speech = deps.speech;
  if (!speech || !r.prompts.length) return;
  try {
    await Promise.all(r.prompts.map((text) => ensureAudio(deps, speech, job.tenantId, speechRequest(r.script, text))));
    await deps.db.query(`update attempts set tts = true where tenant_id = $1 and id = $2`, [job.tenantId, r.attemptId]);
  } catch (err) {
    deps.log?.warn({ error: loggable(err), attemptId: r.attemptId }, 'text-to-speech failed: the call speaks with the carrier voice');
  }
}

/**
 * Whether the carrier certainly did not act on the request: it answered with a 4xx (429
 * included). A 5xx or no answer at all leaves it unknown — the carrier may have placed the call
 * and lost only the answer — so the reaper settles those by asking the carrier.
 */
const certainlyNotPlaced = (err: unknown): err is AppError => {
  const status = err instanceof AppError ? err.details?.httpStatus : undefined;
  return typeof status === 'number' && status >= 400 && status < 500;
};

async function placeCall(deps: WorkerDeps, job: StepJob, r: Reserved): Promise<void> {
  let sid: string;
  let status: string;
  try {
    const info = await deps.carrier.placeCall({ attemptId: r.attemptId, to: r.to, from: r.from, route: r.route, detectMachine: true, ringSeconds: 30 });
    sid = info.callId;
    status = info.status;
  } catch (err) {
    await carrierFailed(deps, job, r, err);
    return;
  }
  const { rows } = await deps.db.query<{ status: string }>(
    `update attempts set sid = $3, status = case when status = 'dialing' then $4 else status end
      where tenant_id = $1 and id = $2 returning status`,
    [job.tenantId, r.attemptId, sid, status],
  );
  if (rows[0]?.status === 'not-placed') {
    // The reaper gave this attempt up while the carrier was slow to answer: do not let it ring.
    await deps.carrier
      .endCall(sid)
      .catch((err: unknown) => deps.log?.warn({ error: loggable(err), attemptId: r.attemptId }, 'could not end a call the reaper had given up'));
  }
}

async function sendSms(deps: WorkerDeps, job: StepJob, r: Reserved): Promise<void> {
  const body = await trackLinks(deps, { tenantId: job.tenantId, chaseId: job.chaseId, attemptId: r.attemptId }, r.smsText!, deps.publicBaseUrl);
  let sid: string;
  try {
    sid = (await deps.carrier.sendSms({ messageRef: r.attemptId, to: r.to, from: r.from, body })).messageId;
  } catch (err) {
    await carrierFailed(deps, job, r, err);
    return;
  }
  await withTransaction(deps.db, async (tx) => {
    await tx.query(`update attempts set sid = $3, status = 'sent', outcome = 'sms-sent', ended_at = $4 where tenant_id = $1 and id = $2`, [
      job.tenantId,
      r.attemptId,
      sid,
      deps.clock.now(),
    ]);
    await insertEvent(tx, job.tenantId, job.chaseId, 'sms-sent', { from: r.from }, r.attemptId);
    await writeBackSms(tx, deps, job.tenantId, r.attemptId, body);
    const { rows } = await tx.query<{ status: string }>(`select status from chases where tenant_id = $1 and id = $2 for update`, [job.tenantId, job.chaseId]);
    if (rows[0]?.status === 'dialing') await finishChase(tx, job.tenantId, job.chaseId, 'completed', 'sms-sent');
  });
}

/**
 * The carrier refused with a 4xx: the attempt was never placed and does not count. A rate
 * limit (429) puts the chase back and throws, so pg-boss retries this job with backoff and
 * finally dead-letters it; other refusals (a number the carrier rejects) end the chase as
 * failed, visibly. When it is unknown whether the carrier has the call, the attempt stays in
 * dialing with the error noted, for the reaper to settle by asking the carrier.
 */
async function carrierFailed(deps: WorkerDeps, job: StepJob, r: Reserved, err: unknown): Promise<void> {
  const message = err instanceof Error ? err.message : String(err);
  if (!certainlyNotPlaced(err)) {
    deps.log?.warn(
      { error: loggable(err), attemptId: r.attemptId, chaseId: job.chaseId },
      'unknown whether the carrier has the request; the reaper will settle the attempt',
    );
    await deps.db.query(`update attempts set error = $3 where tenant_id = $1 and id = $2`, [job.tenantId, r.attemptId, message]);
    return;
  }
  await giveBack(deps, job, r, message, err.retryable ? 'scheduled' : 'carrier-refused');
  if (err.retryable) throw err;
}

/** A chase-step job whose retries are spent lands here: the chase ends as failed, with the last error. */
export async function failDeadLetteredStep(deps: WorkerDeps, job: StepJob): Promise<void> {
  await withTransaction(deps.db, async (tx) => {
    const { rows } = await tx.query<{ step: number; status: string; last_error: string | null }>(
      `select step, status, last_error from chases where tenant_id = $1 and id = $2 for update`,
      [job.tenantId, job.chaseId],
    );
    const chase = rows[0];
    if (!chase || chase.step !== job.step || chase.status !== 'scheduled') return;
    await finishChase(tx, job.tenantId, job.chaseId, 'failed', 'carrier-error', { deadLetter: true, error: chase.last_error }, chase.last_error);
  });
}
