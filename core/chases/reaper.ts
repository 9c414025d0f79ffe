/**
 * The reaper settles attempts the normal path left open:
 * - a call attempt still in `dialing` with no call id: the worker died (or the carrier never
 *   answered) between committing the attempt and learning the call id. The carrier is asked
 *   for a call to that number from that line since the attempt began; found → the attempt
 *   gets it and its status; not found → the attempt is given up (it never reached the
 *   carrier) and the chase tries again. Never is the attempt dialled again.
 * - a call still live after `staleCallMs` (its final callback may have been lost): its status
 *   is fetched from the carrier; a call still on the line is left as it is and asked again later.
 * - an SMS attempt with no message id: whether it went out cannot be known, so the chase
 *   ends as failed, visibly, rather than risk a second text.
 */
import type { WorkerDeps } from '../deps.ts';
import { loggable } from '../errors.ts';
import { applyCallReport, giveUpAttempt } from './outcomes.ts';
import { finishChase } from './transitions.ts';
import { withTransaction } from '../db/pool.ts';
import { finalCallStates } from '../ports.ts';

interface OpenAttempt {
  tenant_id: string;
  id: string;
  chase_id: string;
  channel: 'voice' | 'sms';
  status: string;
  sid: string | null;
  from_number: string;
  created_at: Date;
  phone_enc: string | null;
}

/** Well past the carrier request timeout, so a live worker is never second-guessed. */
export const DEFAULT_REAP_AFTER_MS = 120_000;
/** Longer than nearly every call: only then is a call with no final callback fetched. */
export const DEFAULT_STALE_CALL_MS = 600_000;

/** @returns how many attempts it settled */
export async function reapAttempts(deps: WorkerDeps, options: { limit?: number } = {}): Promise<number> {
  const now = deps.clock.now().getTime();
  const reapAfter = deps.reapAfterMs ?? DEFAULT_REAP_AFTER_MS;
  const { rows } = await deps.db.query<OpenAttempt>(
    `select a.tenant_id, a.id, a.chase_id, a.channel, a.status, a.sid, a.from_number, a.created_at, c.phone_enc
       from attempts a
       join chases ch on ch.tenant_id = a.tenant_id and ch.id = a.chase_id
       left join contacts c on c.tenant_id = ch.tenant_id and c.id = ch.contact_id
      where a.status in ('dialing', 'queued', 'ringing', 'in-progress')
        and ((a.sid is null and a.created_at < $1) or a.created_at < $2)
      order by a.created_at limit $3`,
    [new Date(now - reapAfter), new Date(now - (deps.staleCallMs ?? DEFAULT_STALE_CALL_MS)), options.limit ?? 500],
  );
  let settled = 0;
  for (const a of rows) {
    try {
      if (await reapOne(deps, a)) settled++;
    } catch (err) {
      deps.log?.warn({ error: loggable(err), attemptId: a.id }, 'reaper could not settle an attempt; will try again');
    }
  }
  return settled;
}

async function reapOne(deps: WorkerDeps, a: OpenAttempt): Promise<boolean> {
  if (a.channel === 'sms') {
    if (a.sid) return false;
    await withTransaction(deps.db, async (tx) => {
      const { rowCount } = await tx.query(
        `update attempts set status = 'failed', error = 'the worker stopped before the SMS was confirmed sent', ended_at = $2 where id = $1 and status = 'queued' and sid is null`,
        [a.id, deps.clock.now()],
      );
      if (!rowCount) return;
      const { rows } = await tx.query<{ status: string }>(`select status from chases where tenant_id = $1 and id = $2 for update`, [a.tenant_id, a.chase_id]);
      if (rows[0]?.status === 'dialing') {
        await finishChase(tx, a.tenant_id, a.chase_id, 'failed', 'sms-unknown', { attemptId: a.id }, 'unknown whether the SMS was sent');
      }
    });
    return true;
  }
  if (a.sid) {
    const call = await deps.carrier.fetchCall(a.sid);
    if (!finalCallStates.has(call.status)) return false;
    await applyCallReport(deps, {
      attemptId: a.id,
      callId: call.callId,
      status: call.status,
      answeredBy: call.answeredBy,
      durationSeconds: call.durationSeconds,
    });
    return true;
  }
  if (!deps.carrier.findCalls || !a.phone_enc) {
    await giveUpAttempt(deps, a.id, 'no word from the carrier about this call');
    return true;
  }
  const found = await deps.carrier.findCalls({ to: deps.pii.decrypt(a.phone_enc), from: a.from_number, since: a.created_at });
  // A call already linked to another attempt is not this one's.
  const { rows: taken } = await deps.db.query<{ sid: string }>(`select sid from attempts where sid = any($1) and id <> $2`, [found.map((c) => c.callId), a.id]);
  const call = found.find((c) => !taken.some((t) => t.sid === c.callId));
  if (!call) {
    await giveUpAttempt(deps, a.id, 'the call never reached the carrier (the worker stopped first)');
    return true;
  }
  await applyCallReport(deps, {
    attemptId: a.id,
    callId: call.callId,
    status: call.status,
    answeredBy: call.answeredBy,
    durationSeconds: call.durationSeconds,
  });
  return true;
}
