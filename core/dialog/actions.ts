/**
 * What the dialog asks of the carrier, run as jobs so the call's next instructions never wait for it: the
 * link the person asked for, sent by SMS while they are still on the line, and what to do
 * when an answering machine picked up (leave the voicemail, or hang up).
 */
import { randomUUID } from 'node:crypto';
import { AppError, loggable } from '../errors.ts';
import { withTransaction } from '../db/pool.ts';
import { getCampaign } from '../campaigns/campaigns.ts';
import { lockPhone } from '../chases/caps.ts';
import { decodeContext, insertEvent } from '../chases/store.ts';
import { type WorkerDeps } from '../deps.ts';
import { smsText } from '../chases/step.ts';
import { optOutState } from '../consent/consent.ts';
import { loadCall } from './calls.ts';
import { trackLinks } from '../links/links.ts';
import { scriptNamed } from '../campaigns/rules.ts';
import { writeBackSms } from '../outbox/activities.ts';

export interface DialogActionJob {
  tenantId: string;
  attemptId: string;
  action: 'send_link';
}

export interface CallMachineJob {
  attemptId: string;
  callSid: string;
}

interface LinkSms {
  smsId: string;
  chaseId: string;
  to: string;
  from: string;
  body: string;
}

/**
 * Sends the chase's SMS (its link) from the line that is calling. A chase sends at most one
 * SMS, so a repeated job, or a chase that already texted, sends nothing; neither does a
 * number that opted out of texts.
 */
export async function runDialogAction(deps: WorkerDeps, job: DialogActionJob): Promise<void> {
  const sms = await withTransaction(deps.db, async (tx): Promise<LinkSms | null> => {
    const { rows } = await tx.query<{
      chase_id: string;
      campaign_id: string;
      phone_hash: Buffer;
      from_number: string;
      script: string | null;
      context_enc: string | null;
      name_enc: string | null;
      phone_enc: string | null;
      contact_hash: Buffer | null;
    }>(
      `select a.chase_id, a.campaign_id, a.phone_hash, a.from_number, ch.script, ch.context_enc, c.name_enc, c.phone_enc, c.phone_hash as contact_hash
         from attempts a
         join chases ch on ch.tenant_id = a.tenant_id and ch.id = a.chase_id
         left join contacts c on c.tenant_id = ch.tenant_id and c.id = ch.contact_id
        where a.tenant_id = $1 and a.id = $2`,
      [job.tenantId, job.attemptId],
    );
    const a = rows[0];
    // The number called is the one texted; if the contact's number changed since, nothing is sent.
    if (!a || !a.phone_enc || !a.contact_hash?.equals(a.phone_hash)) return null;
    await lockPhone(tx, job.tenantId, a.phone_hash);
    if ((await optOutState(tx, job.tenantId, a.phone_hash)).sms) return null;
    const { rowCount } = await tx.query(`select 1 from attempts where tenant_id = $1 and chase_id = $2 and channel = 'sms' and status <> 'not-placed'`, [
      job.tenantId,
      a.chase_id,
    ]);
    if (rowCount) return null;
    const campaign = await getCampaign(tx, job.tenantId, a.campaign_id);
    const script = scriptNamed(campaign.scripts, a.script);
    const values = { name: a.name_enc ? deps.pii.decrypt(a.name_enc) : null, context: decodeContext(deps, a.context_enc) };
    const smsId = randomUUID();
    await tx.query(
      `insert into attempts (tenant_id, id, chase_id, campaign_id, phone_hash, channel, status, from_number, created_at)
       values ($1, $2, $3, $4, $5, 'sms', 'queued', $6, $7)`,
      [job.tenantId, smsId, a.chase_id, a.campaign_id, a.phone_hash, a.from_number, deps.clock.now()],
    );
    return { smsId, chaseId: a.chase_id, to: deps.pii.decrypt(a.phone_enc), from: a.from_number, body: smsText(campaign, script, values) };
  });
  if (!sms) return;
  const body = await trackLinks(deps, { tenantId: job.tenantId, chaseId: sms.chaseId, attemptId: sms.smsId }, sms.body, deps.publicBaseUrl);
  let sid: string;
  try {
    sid = (await deps.carrier.sendSms({ messageRef: sms.smsId, to: sms.to, from: sms.from, body })).messageId;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const refused = err instanceof AppError && typeof err.details?.httpStatus === 'number' && err.details.httpStatus < 500;
    // Refused (4xx): not sent, and a retry may send it. Unknown (5xx, no answer): it may have gone out,
    // and a second copy is worse than none, so it is recorded as failed and not retried.
    await deps.db.query(`update attempts set status = $3, error = $4, ended_at = $5 where tenant_id = $1 and id = $2`, [
      job.tenantId,
      sms.smsId,
      refused ? 'not-placed' : 'failed',
      message,
      deps.clock.now(),
    ]);
    deps.log?.warn({ error: loggable(err), attemptId: sms.smsId, chaseId: sms.chaseId }, 'the link SMS was not sent');
    if (refused && err.retryable) throw err;
    return;
  }
  await withTransaction(deps.db, async (tx) => {
    await tx.query(`update attempts set sid = $3, status = 'sent', outcome = 'sms-sent', ended_at = $4 where tenant_id = $1 and id = $2`, [
      job.tenantId,
      sms.smsId,
      sid,
      deps.clock.now(),
    ]);
    await insertEvent(tx, job.tenantId, sms.chaseId, 'sms-sent', { from: sms.from, reason: 'asked for on the call' }, sms.smsId);
    await writeBackSms(tx, deps, job.tenantId, sms.smsId, body);
  });
}

/** An answering machine picked up: leave the script's voicemail after the beep, or hang up. */
export async function runCallMachine(deps: WorkerDeps, job: CallMachineJob): Promise<void> {
  const call = await loadCall(deps, job.attemptId);
  if (!call) return;
  if (call.script.voicemail) {
    await deps.carrier.continueCall({ callId: job.callSid, attemptId: job.attemptId }, 'voicemail');
    await insertEvent(deps.db, call.tenantId, call.chaseId, 'voicemail', null, job.attemptId);
  } else {
    await deps.carrier.endCall(job.callSid);
  }
}
