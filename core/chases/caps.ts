/**
 * Frequency caps, read under the phone's advisory lock in the transaction that will create
 * the attempt: two workers on two campaigns cannot both see "one call left" for one number.
 * Attempts the carrier never had ('not-placed') do not count.
 *
 * "Per day" is any 24 hours, not the calendar day: it never allows more than the cap within a
 * local day either, and it needs no time zone.
 */
import type pg from 'pg';
import type { Caps } from '../campaigns/rules.ts';
import { optedOutOf } from '../consent/consent.ts';

type Tx = Pick<pg.PoolClient, 'query'>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LIVE_CALL = new Set(['dialing', 'queued', 'ringing', 'in-progress']);

/**
 * Serialises everything that reserves or opts out one phone number, across workers and
 * campaigns: the same lock key as consent.ts takes when it records an opt-out. It must be its
 * own statement: a statement reads from a snapshot taken before its own lock was granted.
 */
export async function lockPhone(tx: Tx, tenantId: string, phoneHash: Buffer): Promise<void> {
  await tx.query(`select ${phoneLockSql('$1', '$2')}`, [tenantId, phoneHash]);
}

/**
 * The SQL that takes lockPhone's lock, for a statement that also reads what the lock does not
 * guard (the chase step takes it while reading its chase). `tenant` must be a text parameter.
 */
export const phoneLockSql = (tenant: string, phoneHash: string): string =>
  `pg_advisory_xact_lock(hashtextextended(${tenant}::text || ':' || encode(${phoneHash}::bytea, 'hex'), 0))`;

export interface PhoneAttempt {
  channel: 'voice' | 'sms';
  status: string;
  outcome: string | null;
  createdAt: number;
  endedAt: number | null;
}

export interface PhoneState {
  optedOut: { voice: boolean; sms: boolean };
  /** Attempts inside the caps' look-back, and any still live, newest first. */
  attempts: PhoneAttempt[];
}

/** Everything the caps and consent need about one number, in one round trip. */
export async function readPhoneState(tx: Tx, tenantId: string, phoneHash: Buffer, caps: Caps, now: Date): Promise<PhoneState> {
  const lookback = Math.max(DAY, caps.minHoursBetweenCalls * HOUR, caps.refusalCooldownDays * DAY);
  const { rows } = await tx.query<{
    consent: string[];
    attempts: { channel: 'voice' | 'sms'; status: string; outcome: string | null; created_at: string; ended_at: string | null }[];
  }>(
    `select
       array(select distinct channel from consent_events where tenant_id = $1 and phone_hash = $2) as consent,
       coalesce((select json_agg(json_build_object('channel', channel, 'status', status, 'outcome', outcome, 'created_at', created_at, 'ended_at', ended_at) order by created_at desc)
                   from attempts where tenant_id = $1 and phone_hash = $2 and status <> 'not-placed'
                    and (created_at > $3 or status in ('dialing', 'queued', 'ringing', 'in-progress'))), '[]') as attempts`,
    [tenantId, phoneHash, new Date(now.getTime() - lookback)],
  );
  return {
    optedOut: optedOutOf(rows[0]!.consent),
    attempts: rows[0]!.attempts.map((a) => ({
      channel: a.channel,
      status: a.status,
      outcome: a.outcome,
      createdAt: Date.parse(a.created_at),
      endedAt: a.ended_at ? Date.parse(a.ended_at) : null,
    })),
  };
}

/**
 * The earliest instant the caps allow contacting this phone on `channel`, or null if they
 * allow it now. Call caps (per day, gap) bind calls; the refusal cooldown binds every channel.
 */
export function capsBlockUntil(attempts: PhoneAttempt[], channel: 'voice' | 'sms', caps: Caps, now: Date): Date | null {
  let until = 0;
  for (const r of attempts) {
    if (r.outcome === 'refused') until = Math.max(until, (r.endedAt ?? r.createdAt) + caps.refusalCooldownDays * DAY);
  }
  if (channel === 'voice') {
    const calls = attempts.filter((r) => r.channel === 'voice');
    const last = calls[0];
    if (last) until = Math.max(until, last.createdAt + caps.minHoursBetweenCalls * HOUR);
    const today = calls.filter((r) => r.createdAt > now.getTime() - DAY);
    // The cap-th most recent call must age out of the 24 hours before another may start.
    const oldestCounted = today[caps.callsPerDay - 1];
    if (oldestCounted) until = Math.max(until, oldestCounted.createdAt + DAY);
  }
  return until > now.getTime() ? new Date(until) : null;
}

/** Whether a call to this phone is on the line right now (any campaign). */
export const callInFlight = (attempts: PhoneAttempt[]): boolean => attempts.some((a) => a.channel === 'voice' && LIVE_CALL.has(a.status));
