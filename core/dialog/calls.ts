/**
 * A live call's side of the dialog: what the call is (script, contact, line), what each
 * node says to this person, and what an answer does. Called while the carrier waits for the
 * call's next instructions, so every function here is a query or two: the slow parts (an SMS
 * through the carrier) are jobs.
 */
import type pg from 'pg';
import type { Deps } from '../deps.ts';
import { withTransaction } from '../db/pool.ts';
import { renderText, scriptNamed, type Script } from '../campaigns/rules.ts';
import { CallSettingsSchema, type CallSettings, type DialogAction } from './schema.ts';
import { buildDialog, type Dialog, type DialogNode, type Turn } from './dialog.ts';
import { CONFIRM_OPT_OUT, repromptText } from './defaults.ts';
import { promptVoice, speechRequest } from './voice.ts';
import type { Prompt } from './turn.ts';
import { decodeContext, insertEvent, type EventType } from '../chases/store.ts';
import { optOutCallee, UNCONFIRMED_OPT_OUT } from './optout.ts';
import { recordComplaint } from '../reports/complaints.ts';
import { queues, type JobQueue } from '../jobs/queue.ts';
import { mediaKey, mediaUrl } from './media.ts';
import { firstDelivery, firstDeliverySql } from '../inbound/deliveries.ts';
import type { IntentResult } from '../intents/intents.ts';

export interface LiveCall {
  attemptId: string;
  tenantId: string;
  chaseId: string;
  contactId: string;
  campaignName: string;
  /** Our caller id on this call. */
  from: string;
  script: Script;
  call: CallSettings;
  dialog: Dialog;
  /** Prompts were synthesised before the call: the carrier plays them from /media. */
  tts: boolean;
  values: { name: string | null; context: Record<string, unknown> };
}

interface CallRow {
  tenant_id: string;
  chase_id: string;
  contact_id: string;
  from_number: string;
  tts: boolean;
  script: string | null;
  context_enc: string | null;
  name_enc: string | null;
  campaign_name: string;
  scripts: Script[];
  call: unknown;
}

/** The call behind an attempt, in one query; null for an unknown or non-voice attempt. */
export async function loadCall(deps: Deps, attemptId: string): Promise<LiveCall | null> {
  const { rows } = await deps.db.query<CallRow>(
    `select a.tenant_id, a.chase_id, ch.contact_id, a.from_number, a.tts, ch.script, ch.context_enc, c.name_enc,
            cp.name as campaign_name, cp.scripts, cp.call
       from attempts a
       join chases ch on ch.tenant_id = a.tenant_id and ch.id = a.chase_id
       join campaigns cp on cp.tenant_id = a.tenant_id and cp.id = a.campaign_id
       left join contacts c on c.tenant_id = ch.tenant_id and c.id = ch.contact_id
      where a.id = $1 and a.channel = 'voice'`,
    [attemptId],
  );
  const r = rows[0];
  if (!r) return null;
  const script = scriptNamed(r.scripts, r.script);
  // Campaigns stored before the dialog existed lack these fields: the schema's defaults fill them in.
  const withDefaults = { ...script, locale: script.locale ?? 'en-US', voice: script.voice ?? { style: 'calm' as const } };
  return {
    attemptId,
    tenantId: r.tenant_id,
    chaseId: r.chase_id,
    contactId: r.contact_id,
    campaignName: r.campaign_name,
    from: r.from_number,
    script: withDefaults,
    call: CallSettingsSchema.parse(r.call ?? {}),
    dialog: buildDialog(withDefaults),
    tts: r.tts,
    values: { name: r.name_enc ? deps.pii.decrypt(r.name_enc) : null, context: decodeContext(deps, r.context_enc) },
  };
}

/** What a node says to this person (after "sorry, I didn't catch that" when re-prompting). */
export function promptText(script: Pick<Script, 'locale'>, node: DialogNode, reprompt: number, values: LiveCall['values']): string {
  const text = renderText(node.say, values);
  return reprompt > 0 ? `${repromptText(script.locale)} ${text}` : text;
}

/** `text` in the script's voice; played from the audio synthesised before the call, when it was (`publicBaseUrl` serves it). */
export function prompt(deps: Pick<Deps, 'pii'>, call: Pick<LiveCall, 'script' | 'tts' | 'tenantId'>, text: string, publicBaseUrl: string): Prompt {
  const audio = call.tts ? { audioUrl: mediaUrl(publicBaseUrl, mediaKey(deps, call.tenantId, speechRequest(call.script, text))) } : {};
  return { text, voice: promptVoice(call.script), ...audio };
}

/** Every text a call to this person may say: synthesised before dialling, so no request waits for audio. */
export function allPromptTexts(script: Script, values: LiveCall['values']): string[] {
  const texts = new Set<string>();
  for (const node of buildDialog(script).values()) {
    texts.add(promptText(script, node, 0, values));
    if (node.listen) texts.add(promptText(script, node, 1, values));
  }
  if (script.voicemail) texts.add(renderText(script.voicemail, values));
  return [...texts];
}

/** The attempt's outcome an action leaves; the chase moves on from it when the call ends. */
const OUTCOME: Partial<Record<DialogAction, string>> = {
  send_link: 'interested',
  refuse: 'refused',
  callback: 'callback',
  opt_out: 'opted-out',
  complaint: 'opted-out',
  wrong_number: 'wrong-number',
  transfer: 'transferred',
};

const EVENT: Partial<Record<DialogAction, 'refused' | 'callback-requested' | 'wrong-number'>> = {
  refuse: 'refused',
  callback: 'callback-requested',
  wrong_number: 'wrong-number',
};

/** The attempt's outcome after an answer, or null to leave it as it is. */
function answerOutcome(a: AnswerRecord): string | null {
  const action = a.next.node.do;
  if (action && OUTCOME[action]) return OUTCOME[action];
  // Being asked "do you want us to stop?": if the call ends before the answer, it is a yes.
  if (a.next.node.id === CONFIRM_OPT_OUT) return UNCONFIRMED_OPT_OUT;
  // Answered it with something else (a price question): the question is settled.
  if (a.node === CONFIRM_OPT_OUT) return 'answered';
  return null;
}

export interface AnswerRecord {
  /** The carrier's id of the call. */
  callId: string;
  /** The answer's turn number on this call: the carrier repeating a request repeats it. */
  turn: number;
  node: string;
  heard: IntentResult | null;
  next: Turn;
  /** The E.164 number the carrier says it called, for the consent ledger. */
  callee?: string;
}

/**
 * Records an answer and does what the next node does, once per call and turn: a repeated
 * request (the carrier retries) gets the same next turn and changes nothing. Consent, the refusal
 * cooldown and a wrong number are written here, in the same transaction, so they hold before
 * the person hangs up; the link SMS goes through a job.
 */
export async function recordAnswer(deps: Deps & { jobs: JobQueue }, call: LiveCall, a: AnswerRecord): Promise<boolean> {
  const action = a.next.node.do;
  // Silence that leads to a re-prompt or a goodbye changes nothing: no write on that path.
  if (!a.heard && (!action || action === 'hangup')) return true;
  const { tenantId, chaseId, attemptId } = call;
  const events: { type: EventType; detail: Record<string, unknown> | null }[] = [
    {
      type: 'intent',
      detail: {
        node: a.node,
        intent: a.heard?.intent ?? null,
        confidence: a.heard ? Math.round(a.heard.confidence * 1000) / 1000 : null,
        next: a.next.node.id,
        ...(a.next.reprompt ? { reprompt: a.next.reprompt } : {}),
      },
    },
  ];
  const event = action ? EVENT[action] : undefined;
  if (event) events.push({ type: event, detail: null });
  const params = [`${a.callId}:${a.turn}`, tenantId, chaseId, attemptId, JSON.stringify(events), a.heard?.intent ?? null, answerOutcome(a)];
  if (action !== 'opt_out' && action !== 'complaint' && action !== 'wrong_number' && action !== 'send_link') {
    // The common answer is one statement, so the carrier is not kept waiting by round trips.
    const { rows } = await deps.db.query<{ fresh: boolean }>(`${RECORD_ANSWER} select exists (select 1 from fresh) as fresh`, params);
    return rows[0]!.fresh;
  }
  return withTransaction(deps.db, async (tx) => {
    const { rows } = await tx.query<{ fresh: boolean }>(`${RECORD_ANSWER} select exists (select 1 from fresh) as fresh`, params);
    if (!rows[0]!.fresh) return false;
    // The complaint first: the opt-out would otherwise record this chase's complaint as an opt-out's.
    if (action === 'complaint') await recordComplaint(tx, tenantId, chaseId, deps.clock?.now() ?? new Date(), 'intent');
    const note = action === 'complaint' ? 'complained on a call' : 'said so on a call';
    if (
      (action === 'opt_out' || action === 'complaint') &&
      !(await optOutCallee(deps, tx, tenantId, attemptId, { ...(a.callee ? { callee: a.callee } : {}), note }))
    ) {
      throw new Error('cannot record the opt-out: the number called is unknown');
    }
    if (action === 'wrong_number') await markWrongNumber(tx, call);
    if (action === 'send_link') await deps.jobs.send(tx, queues.dialogAction, { tenantId, attemptId, action: 'send_link' });
    return true;
  });
}

/**
 * Records one answer once per call and turn ($1): its timeline events ($5, in order) and the
 * attempt's intent ($6) and outcome ($7). Every part is conditioned on the dedupe row being new.
 */
const RECORD_ANSWER = `
  with fresh as (${firstDeliverySql({ tenant: '$2::uuid', source: 'dialog-answer', deliveryId: '$1' })}),
  events as (
    insert into chase_events (tenant_id, chase_id, type, attempt_id, detail)
    select $2, $3, e.type, $4, e.detail from rows from (jsonb_to_recordset($5::jsonb) as (type text, detail jsonb)) with ordinality as e(type, detail, n)
     where exists (select 1 from fresh) order by e.n
  ),
  attempt as (
    update attempts set intent = coalesce($6, intent), outcome = coalesce($7, outcome)
     where tenant_id = $2 and id = $4 and exists (select 1 from fresh)
  )`;

/** The person who answered is not the contact: this number is never dialled for them again. */
async function markWrongNumber(tx: pg.PoolClient, call: LiveCall): Promise<void> {
  await tx.query(
    `update contacts c set phone_invalid_reason = 'wrong number: the person who answered said so', updated_at = now()
       from attempts a
      where a.tenant_id = $1 and a.id = $2 and c.tenant_id = a.tenant_id and c.id = $3 and c.phone_hash = a.phone_hash`,
    [call.tenantId, call.attemptId, call.contactId],
  );
}

/** How a transfer to an agent ended. */
export const transferStatuses = ['completed', 'busy', 'no-answer', 'failed', 'canceled'] as const;
export type TransferStatus = (typeof transferStatuses)[number];

/**
 * The outcome of a transfer (the agent's leg), on the timeline once per call: the carrier
 * repeating its report records nothing more. Returns whether this report was the first.
 */
export async function recordTransfer(deps: Deps, call: LiveCall, callId: string, status: TransferStatus, durationSeconds: number | null): Promise<boolean> {
  return withTransaction(deps.db, async (tx) => {
    if (!(await firstDelivery(tx, { tenantId: call.tenantId, source: 'dialog-transfer', deliveryId: callId }))) return false;
    await insertEvent(tx, call.tenantId, call.chaseId, 'transferred', { status, durationSeconds }, call.attemptId);
    if (status !== 'completed') {
      // Nobody took it: the person is owed a call back.
      await tx.query(`update attempts set outcome = 'callback' where tenant_id = $1 and id = $2`, [call.tenantId, call.attemptId]);
    }
    return true;
  });
}
