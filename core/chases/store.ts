/** Chases, their timeline and attempts as rows and as API objects; PII is decrypted only here. */
import type pg from 'pg';
import type { Deps } from '../deps.ts';

export const LIVE = ['scheduled', 'dialing'] as const;
export const TERMINAL = ['completed', 'canceled', 'opted-out', 'expired', 'failed'] as const;
export type ChaseStatus = (typeof LIVE)[number] | (typeof TERMINAL)[number];
export const chaseStatuses: ChaseStatus[] = [...LIVE, ...TERMINAL];

export const eventTypes = [
  'created',
  'scheduled',
  'dialing',
  'ringing',
  'answered',
  'no-answer',
  'busy',
  'failed',
  'machine',
  'sms-sent',
  'completed',
  'canceled',
  'opted-out',
  'expired',
  // The call dialog and what followed it.
  'intent',
  'voicemail',
  'transferred',
  'callback-requested',
  'refused',
  'wrong-number',
  'link-clicked',
  // What the store said: an order recovered the cart.
  'recovered',
] as const;
export type EventType = (typeof eventTypes)[number];

export interface ChaseEvent {
  at: string;
  type: EventType;
  attemptId: string | null;
  detail: Record<string, unknown> | null;
}

export interface Attempt {
  id: string;
  channel: 'voice' | 'sms';
  status: string;
  outcome: string | null;
  from: string;
  sid: string | null;
  answeredBy: string | null;
  durationSeconds: number | null;
  error: string | null;
  createdAt: string;
  endedAt: string | null;
}

export interface Chase {
  id: string;
  campaignId: string;
  contactId: string;
  status: ChaseStatus;
  outcome: string | null;
  tier: string | null;
  priority: number;
  script: string | null;
  /** The experiment arm the chase was assigned, while or since its campaign ran one. */
  experiment: { id: string; arm: string } | null;
  nextChannel: 'voice' | 'sms';
  dueAt: string;
  deadlineAt: string;
  callAttempts: number;
  lastError: string | null;
  context: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface ChaseRow {
  id: string;
  campaign_id: string;
  contact_id: string;
  phone_hash: Buffer;
  status: ChaseStatus;
  outcome: string | null;
  tier: string | null;
  priority: number;
  script: string | null;
  experiment_id: string | null;
  arm: string | null;
  context_enc: string | null;
  next_channel: 'voice' | 'sms';
  step: number;
  due_at: Date;
  deadline_at: Date;
  call_attempts: number;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

export const CHASE_COLUMNS = `id, campaign_id, contact_id, phone_hash, status, outcome, tier, priority, script, experiment_id, arm, context_enc,
  next_channel, step, due_at, deadline_at, call_attempts, last_error, created_at, updated_at`;

export const decodeContext = (deps: Deps, enc: string | null): Record<string, unknown> =>
  enc ? (JSON.parse(deps.pii.decrypt(enc)) as Record<string, unknown>) : {};

export function toChase(deps: Deps, r: ChaseRow): Chase {
  return {
    id: r.id,
    campaignId: r.campaign_id,
    contactId: r.contact_id,
    status: r.status,
    outcome: r.outcome,
    tier: r.tier,
    priority: r.priority,
    script: r.script,
    experiment: r.experiment_id ? { id: r.experiment_id, arm: r.arm ?? '' } : null,
    nextChannel: r.next_channel,
    dueAt: r.due_at.toISOString(),
    deadlineAt: r.deadline_at.toISOString(),
    callAttempts: r.call_attempts,
    lastError: r.last_error,
    context: decodeContext(deps, r.context_enc),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export async function insertEvent(
  db: Pick<pg.PoolClient, 'query'>,
  tenantId: string,
  chaseId: string,
  type: EventType,
  detail: Record<string, unknown> | null = null,
  attemptId: string | null = null,
): Promise<void> {
  await db.query(`insert into chase_events (tenant_id, chase_id, type, attempt_id, detail) values ($1, $2, $3, $4, $5)`, [
    tenantId,
    chaseId,
    type,
    attemptId,
    detail,
  ]);
}

/**
 * A chase's timeline and attempts as two JSON columns of the statement that reads the chase
 * (`ch`): one snapshot, so the timeline never shows a move the chase row does not.
 */
export const DETAIL_COLUMNS = `
  coalesce((select json_agg(json_build_object('at', e.at, 'type', e.type, 'attempt_id', e.attempt_id, 'detail', e.detail) order by e.seq)
              from chase_events e where e.tenant_id = ch.tenant_id and e.chase_id = ch.id), '[]') as timeline,
  coalesce((select json_agg(json_build_object('id', a.id, 'channel', a.channel, 'status', a.status, 'outcome', a.outcome, 'from_number', a.from_number,
                     'sid', a.sid, 'answered_by', a.answered_by, 'duration_seconds', a.duration_seconds, 'error', a.error,
                     'created_at', a.created_at, 'ended_at', a.ended_at) order by a.created_at, a.id)
              from attempts a where a.tenant_id = ch.tenant_id and a.chase_id = ch.id), '[]') as attempts`;

export interface DetailJson {
  timeline: { at: string; type: EventType; attempt_id: string | null; detail: Record<string, unknown> | null }[];
  attempts: {
    id: string;
    channel: 'voice' | 'sms';
    status: string;
    outcome: string | null;
    from_number: string;
    sid: string | null;
    answered_by: string | null;
    duration_seconds: number | null;
    error: string | null;
    created_at: string;
    ended_at: string | null;
  }[];
}

const iso = (at: string) => new Date(at).toISOString();

export const toTimeline = (rows: DetailJson['timeline']): ChaseEvent[] =>
  rows.map((r) => ({ at: iso(r.at), type: r.type, attemptId: r.attempt_id, detail: r.detail }));

export const toAttempts = (rows: DetailJson['attempts']): Attempt[] =>
  rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    status: r.status,
    outcome: r.outcome,
    from: r.from_number,
    sid: r.sid,
    answeredBy: r.answered_by,
    durationSeconds: r.duration_seconds,
    error: r.error,
    createdAt: iso(r.created_at),
    endedAt: r.ended_at ? iso(r.ended_at) : null,
  }));
