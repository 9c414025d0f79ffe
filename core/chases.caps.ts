/**
 * Frequency caps, read under the phone's advisory lock in the transaction that will create
 * the attempt: two workers on two campaigns cannot both see "one call left" for one number.
 * Attempts the carrier never had ('not-placed') do not count.
 *
 * "Per day" is any 24 hours, not the calendar day: it never allows more than the cap within a
 * local day either, and it needs no time zone.
 */
import type pg from 'pg';
import type { Caps } from './campaigns.rules.ts';

type Tx = Pick<pg.PoolClient, 'query'>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Serialises everything that reserves or opts out one phone number, across workers and
 * campaigns: the same lock key as consent.ts takes when it records an opt-out.
 */
export async function lockPhone(tx: Tx, tenantId: string, phoneHash: Buffer): Promise<void> {
  await tx.query(`select pg_advisory_xact_lock(hashtextextended($1 || ':' || encode($2::bytea, 'hex'), 0))`, [tenantId, phoneHash]);
}

/**
 * The earliest instant the caps allow contacting this phone on `channel`, or null if they
 * allow it now. Call caps (per day, gap) bind calls; the refusal cooldown binds every channel.
 */
export async function capsBlockUntil(tx: Tx, tenantId: string, phoneHash: Buffer, channel: 'voice' | 'sms', caps: Caps, now: Date): Promise<Date | null> {
  const lookback = Math.max(DAY, caps.minHoursBetweenCalls * HOUR, caps.refusalCooldownDays * DAY);
  const { rows } = await tx.query<{ channel: string; status: string; outcome: string | null; created_at: Date; ended_at: Date | null }>(
    `select channel, status, outcome, created_at, ended_at from attempts
      where tenant_id = $1 and phone_hash = $2 and created_at > $3 and status <> 'not-placed'
      order by created_at desc`,
    [tenantId, phoneHash, new Date(now.getTime() - lookback)],
  );
  let until = 0;
  const refusals = rows.filter((r) => r.outcome === 'refused');
  for (const r of refusals) until = Math.max(until, (r.ended_at ?? r.created_at).getTime() + caps.refusalCooldownDays * DAY);
  if (channel === 'voice') {
    const calls = rows.filter((r) => r.channel === 'voice');
    const last = calls[0];
    if (last) until = Math.max(until, last.created_at.getTime() + caps.minHoursBetweenCalls * HOUR);
    const today = calls.filter((r) => r.created_at.getTime() > now.getTime() - DAY);
    // The cap-th most recent call must age out of the 24 hours before another may start.
    const oldestCounted = today[caps.callsPerDay - 1];
    if (oldestCounted) until = Math.max(until, oldestCounted.created_at.getTime() + DAY);
  }
  return until > now.getTime() ? new Date(until) : null;
}

/** Whether a call to this phone is on the line right now (any campaign). */
export async function callInFlight(tx: Tx, tenantId: string, phoneHash: Buffer): Promise<boolean> {
  const { rowCount } = await tx.query(
    `select 1 from attempts where tenant_id = $1 and phone_hash = $2 and channel = 'voice' and status in ('dialing', 'queued', 'ringing', 'in-progress')`,
    [tenantId, phoneHash],
  );
  return Boolean(rowCount);
}
