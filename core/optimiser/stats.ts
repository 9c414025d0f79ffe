/**
 * The optimiser's outcome statistics per campaign × segment tier × recipient local hour:
 * calls placed (trials), answered by a person (connects) and conversions. Each is counted in
 * the transaction where it is learnt — a call's end, the campaign's goal reached — and counted
 * once, however often that news arrives: a call by its attempt id, a conversion by its chase.
 *
 * The hour is the recipient's local hour when the call was placed, in the time zone the step
 * used for the calling window (kept on the attempt, and on its `dialing` event). A conversion is
 * credited to the hour of the chase's last call placed before it.
 */
import type pg from 'pg';
import { defaultGoal, type CampaignGoal } from '../campaigns/rules.ts';
import { localHour } from './schedule.ts';
import type { BucketStats } from './hours.ts';

type Tx = Pick<pg.PoolClient, 'query'>;

/** A chase without a segment tier counts under this tier key. */
export const NO_TIER = '';

interface CallRow {
  chase_id: string;
  campaign_id: string;
  tier: string | null;
  created_at: Date;
  time_zone: string | null;
}

/**
 * The call's placing time and zone, with its chase's campaign and tier. The step stores the zone
 * on the attempt; only a call placed before attempts had one is looked up on its `dialing` event.
 */
const CALL_SELECT = `
  select a.id, a.chase_id, a.campaign_id, ch.tier, a.created_at,
         coalesce(a.time_zone, (select e.detail ->> 'timeZone' from chase_events e
           where e.tenant_id = a.tenant_id and e.chase_id = a.chase_id and e.attempt_id = a.id and e.type = 'dialing' limit 1)) as time_zone
    from attempts a join chases ch on ch.tenant_id = a.tenant_id and ch.id = a.chase_id`;

const hourOf = (call: CallRow) => localHour(call.created_at, call.time_zone ?? 'UTC');

async function bump(
  tx: Tx,
  tenantId: string,
  campaignId: string,
  tier: string | null,
  hour: number,
  add: { trials?: number; connects?: number; conversions?: number },
) {
  await tx.query(
    `insert into optimiser_stats (tenant_id, campaign_id, tier, hour, trials, connects, conversions) values ($1, $2, $3, $4, $5, $6, $7)
     on conflict (tenant_id, campaign_id, tier, hour) do update set
       trials = optimiser_stats.trials + excluded.trials, connects = optimiser_stats.connects + excluded.connects,
       conversions = optimiser_stats.conversions + excluded.conversions`,
    [tenantId, campaignId, tier ?? NO_TIER, hour, add.trials ?? 0, add.connects ?? 0, add.conversions ?? 0],
  );
}

/**
 * A placed call ended: one trial in its hour bucket, and a connect when a person answered.
 * Call it inside the transaction that ends the attempt. @returns false when already counted
 */
export async function recordCallEnded(tx: Tx, tenantId: string, attemptId: string, connected: boolean): Promise<boolean> {
  const { rows } = await tx.query<CallRow>(`${CALL_SELECT} where a.tenant_id = $1 and a.id = $2 and a.channel = 'voice' and a.status <> 'not-placed'`, [
    tenantId,
    attemptId,
  ]);
  const call = rows[0];
  if (!call) return false;
  const { rowCount } = await tx.query(`insert into optimiser_attempts (tenant_id, attempt_id) values ($1, $2) on conflict do nothing`, [tenantId, attemptId]);
  if (!rowCount) return false;
  await bump(tx, tenantId, call.campaign_id, call.tier, hourOf(call), { trials: 1, connects: connected ? 1 : 0 });
  return true;
}

/**
 * Something that may be the chase's campaign goal happened at `at` (`reached`): when it is
 * the goal, the chase converts — once — in the hour of its last call placed before then.
 * A chase that converted without any call (an SMS-only chase) credits no hour.
 * @returns whether a conversion was counted now
 */
export async function recordConversion(tx: Tx, tenantId: string, chaseId: string, reached: CampaignGoal, at: Date): Promise<boolean> {
  const { rows: goals } = await tx.query<{ goal: CampaignGoal | null; trigger: { type: string } }>(
    `select cp.goal, cp.trigger from chases ch join campaigns cp on cp.tenant_id = ch.tenant_id and cp.id = ch.campaign_id
      where ch.tenant_id = $1 and ch.id = $2`,
    [tenantId, chaseId],
  );
  const campaign = goals[0];
  if (!campaign || (campaign.goal ?? defaultGoal(campaign.trigger)) !== reached) return false;
  const { rows } = await tx.query<CallRow & { id: string }>(
    `${CALL_SELECT} where a.tenant_id = $1 and a.chase_id = $2 and a.channel = 'voice' and a.status <> 'not-placed' and a.created_at <= $3
      order by a.created_at desc limit 1`,
    [tenantId, chaseId, at],
  );
  const call = rows[0];
  if (!call) return false;
  const hour = hourOf(call);
  const { rowCount } = await tx.query(
    `insert into optimiser_conversions (tenant_id, chase_id, attempt_id, tier, hour, at) values ($1, $2, $3, $4, $5, $6) on conflict do nothing`,
    [tenantId, chaseId, call.id, call.tier ?? NO_TIER, hour, at],
  );
  if (!rowCount) return false;
  await bump(tx, tenantId, call.campaign_id, call.tier, hour, { conversions: 1 });
  return true;
}

/** A campaign's buckets by tier (NO_TIER for chases without one). */
export async function campaignStats(db: Pick<pg.Pool, 'query'>, tenantId: string, campaignId: string): Promise<Map<string, BucketStats[]>> {
  const { rows } = await db.query<BucketStats & { tier: string }>(
    `select tier, hour, trials, connects, conversions from optimiser_stats where tenant_id = $1 and campaign_id = $2 order by tier, hour`,
    [tenantId, campaignId],
  );
  const byTier = new Map<string, BucketStats[]>();
  for (const { tier, ...b } of rows) byTier.set(tier, [...(byTier.get(tier) ?? []), b]);
  return byTier;
}
