/**
 * First due times for the chases of a campaign with `schedule.optimise`: each chase gets an
 * hour drawn by Thompson sampling from its tier's buckets (schedule.ts), in its recipient's
 * time zone — the contact's own, else its number's, as the chase step decides the window.
 */
import type pg from 'pg';
import type { Deps } from '../deps.ts';
import type { Campaign } from '../campaigns/campaigns.ts';
import { effectiveRules, TenantChaseRulesSchema } from '../campaigns/rules.ts';
import { timeZoneForPhone } from '../phone/timezone.ts';
import { cryptoRandom, type Random } from '../common/random.ts';
import { campaignPrior } from './hours.ts';
import { planOptimisedStart } from './schedule.ts';
import { campaignStats, NO_TIER } from './stats.ts';

type Tx = Pick<pg.PoolClient, 'query'>;

export interface OptimisedDue {
  at: Date;
  /** What the timeline's `scheduled` event shows about the choice. */
  detail: { optimiser: { optimise: string; hour: number; tier: string | null; explored: boolean } };
}

/**
 * The optimised first due time of each contact about to be chased, by contact id; a contact
 * with no allowed hour before the deadline is left out and keeps the normal schedule.
 * @param rng for tests; by default a generator seeded at random
 */
export async function optimisedStarts(
  tx: Tx,
  deps: Pick<Deps, 'pii'>,
  tenantId: string,
  campaign: Campaign,
  chases: { contactId: string; tier: string | null }[],
  earliest: Date,
  deadline: Date,
  rng: Random = cryptoRandom,
): Promise<Map<string, OptimisedDue>> {
  const optimise = campaign.schedule?.optimise;
  const out = new Map<string, OptimisedDue>();
  if (!optimise || !chases.length) return out;
  const { rows: tenants } = await tx.query<{ chase_rules: unknown }>(`select chase_rules from tenants where id = $1`, [tenantId]);
  const { window } = effectiveRules(campaign.rules, TenantChaseRulesSchema.parse(tenants[0]?.chase_rules ?? {}));
  const { rows: contacts } = await tx.query<{ id: string; time_zone: string | null; phone_enc: string | null }>(
    `select id, time_zone, phone_enc from contacts where tenant_id = $1 and id = any($2::uuid[])`,
    [tenantId, chases.map((c) => c.contactId)],
  );
  const zones = new Map(contacts.map((c) => [c.id, c.time_zone ?? (c.phone_enc ? timeZoneForPhone(deps.pii.decrypt(c.phone_enc)) : null) ?? 'UTC']));
  const stats = await campaignStats(tx, tenantId, campaign.id);
  const prior = campaignPrior([...stats.values()].flat(), optimise);
  for (const chase of chases) {
    const timeZone = zones.get(chase.contactId) ?? 'UTC';
    const plan = planOptimisedStart({
      optimise,
      window,
      timeZone,
      earliest,
      deadline,
      rng,
      prior,
      stats: stats.get(chase.tier ?? NO_TIER) ?? [],
    });
    if (plan) out.set(chase.contactId, { at: plan.at, detail: { optimiser: { optimise, hour: plan.hour, tier: chase.tier, explored: plan.explored } } });
  }
  return out;
}
