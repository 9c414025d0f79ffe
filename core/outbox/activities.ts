/**
 * What Chaseline's own events write back to the contact's CRM or store (through the outbox):
 * each ended call as a call activity plus a `chase:{outcome}` tag, each sent SMS as a
 * message activity, each new opt-out. Written in the transaction that recorded the event;
 * keyed by the attempt, so a callback that comes twice logs one activity.
 */
import type { Deps } from '../deps.ts';
import type { Queryable } from '../jobs/queue.ts';
import type { CallActivity, WriteBack } from '../ports.ts';
import { enqueueForLinkedContacts } from './outbox.ts';

/** The tag a call's outcome leaves on the contact's record. */
const TAG_OF: Record<string, string> = {
  answered: 'chase:answered',
  interested: 'chase:interested',
  callback: 'chase:callback',
  transferred: 'chase:transferred',
  refused: 'chase:not-interested',
  'opted-out': 'chase:opted-out',
  'wrong-number': 'chase:wrong-number',
  machine: 'chase:voicemail',
  'no-answer': 'chase:no-answer',
  busy: 'chase:no-answer',
  failed: 'chase:failed',
  canceled: 'chase:no-answer',
};

/** Outcomes said during the call (refused, asked for a callback…) were an answered call. */
function activityOutcome(outcome: string): CallActivity['outcome'] {
  if (outcome === 'machine' || outcome === 'no-answer' || outcome === 'busy' || outcome === 'failed' || outcome === 'wrong-number') return outcome;
  if (outcome === 'canceled') return 'no-answer';
  return 'answered';
}

const TELLS: Record<string, string> = {
  answered: 'answered',
  interested: 'answered and was interested',
  callback: 'answered and asked to be called back',
  transferred: 'answered and was put through to a person',
  refused: 'answered and was not interested',
  'opted-out': 'answered and asked not to be contacted again',
  'wrong-number': 'answered: wrong number',
  machine: 'reached voicemail',
  'no-answer': 'no answer',
  busy: 'busy',
  failed: 'the call failed',
  canceled: 'no answer',
};

interface AttemptRow {
  chase_id: string;
  contact_id: string;
  campaign_name: string;
  outcome: string | null;
  intent: string | null;
  from_number: string;
  phone_enc: string | null;
  sid: string | null;
  duration_seconds: number | null;
  created_at: Date;
  experiment_name: string | null;
  arm: string | null;
}

/** The attempt as its write-backs tell it; null when its contact is linked with no enabled connector (most are not). */
async function attemptOf(tx: Queryable, tenantId: string, attemptId: string): Promise<AttemptRow | null> {
  const { rows } = await tx.query<AttemptRow>(
    `select ch.id as chase_id, ch.contact_id, cp.name as campaign_name, a.outcome, a.intent, a.from_number, c.phone_enc, a.sid, a.duration_seconds, a.created_at,
            x.name as experiment_name, ch.arm
       from attempts a
       join chases ch on ch.tenant_id = a.tenant_id and ch.id = a.chase_id
       left join experiments x on x.tenant_id = ch.tenant_id and x.id = ch.experiment_id
       join campaigns cp on cp.tenant_id = a.tenant_id and cp.id = a.campaign_id
       join contacts c on c.tenant_id = ch.tenant_id and c.id = ch.contact_id
      where a.tenant_id = $1 and a.id = $2
        and exists (select 1 from contact_crm_refs r join connectors k on k.tenant_id = r.tenant_id and k.type = r.system and k.enabled
                     where r.tenant_id = a.tenant_id and r.contact_id = ch.contact_id)`,
    [tenantId, attemptId],
  );
  return rows[0] ?? null;
}

/** An ended call: a call activity and the outcome's tag, for every CRM or store the contact is linked with. */
export async function writeBackCall(tx: Queryable, deps: Deps, tenantId: string, attemptId: string): Promise<void> {
  const a = await attemptOf(tx, tenantId, attemptId);
  if (!a?.outcome || !a.phone_enc) return;
  const outcome = a.outcome;
  const to = deps.pii.decrypt(a.phone_enc);
  const told = [`Chaseline call for "${a.campaign_name}": ${TELLS[outcome] ?? outcome}.`, a.intent ? `Understood: ${a.intent.replaceAll('_', ' ')}.` : '']
    .filter(Boolean)
    .join(' ');
  // The arm travels with the activity, so RevOps can compare arms with the CRM's own reports.
  const body = a.experiment_name && a.arm ? `${told}\nExperiment: ${a.experiment_name} — arm ${a.arm}` : told;
  const tag = TAG_OF[outcome];
  await enqueueForLinkedContacts(
    tx,
    deps,
    tenantId,
    [a.contact_id],
    (externalId): WriteBack[] => [
      {
        kind: 'call',
        call: {
          externalContactId: externalId,
          at: a.created_at,
          title: `Chaseline: ${a.campaign_name}`,
          body,
          outcome: activityOutcome(outcome),
          durationSeconds: a.duration_seconds,
          from: a.from_number,
          to,
          callSid: a.sid,
          chaseId: a.chase_id,
          result: outcome,
          intent: a.intent,
        },
      },
      ...(tag ? [{ kind: 'tags' as const, externalId, add: [tag] }] : []),
    ],
    { dedupeKey: (item) => `${item.kind}:${attemptId}` },
  );
}

/** A sent SMS, as a message activity on the linked records. */
export async function writeBackSms(tx: Queryable, deps: Deps, tenantId: string, attemptId: string, body: string): Promise<void> {
  const a = await attemptOf(tx, tenantId, attemptId);
  if (!a?.phone_enc) return;
  const to = deps.pii.decrypt(a.phone_enc);
  await enqueueForLinkedContacts(
    tx,
    deps,
    tenantId,
    [a.contact_id],
    (externalContactId) => [{ kind: 'sms', message: { externalContactId, at: a.created_at, body, from: a.from_number, to, messageSid: a.sid } }],
    { dedupeKey: () => `sms:${attemptId}` },
  );
}

/**
 * New opt-outs of these numbers, to every vendor their contacts are linked with but the one
 * the opt-out came from (`origin`): opt-out wins everywhere.
 */
export async function writeBackOptOuts(
  tx: Queryable,
  deps: Deps,
  tenantId: string,
  optOuts: { phoneHash: Buffer; channel: 'voice' | 'sms' | 'all' }[],
  origin: string | null,
): Promise<void> {
  for (const channel of ['voice', 'sms', 'all'] as const) {
    const hashes = optOuts.filter((o) => o.channel === channel).map((o) => o.phoneHash);
    if (!hashes.length) continue;
    const { rows } = await tx.query<{ id: string }>(`select id from contacts where tenant_id = $1 and phone_hash = any($2::bytea[])`, [tenantId, hashes]);
    await enqueueForLinkedContacts(
      tx,
      deps,
      tenantId,
      rows.map((r) => r.id),
      (externalId) => [{ kind: 'opt-out', externalId, channel }],
      { except: origin },
    );
  }
}
