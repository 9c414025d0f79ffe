/**
 * The best-hours table a person reads (GET /v1/optimiser/hours): per segment tier, every hour
 * the campaign's calling window allows, with its counts and the posterior the optimiser
 * samples from — mean and 95% credible interval of the rate per placed call.
 */
import type { Deps } from '../deps.ts';
import { getCampaign, getTenantChaseRules } from '../campaigns/campaigns.ts';
import { effectiveRules } from '../campaigns/rules.ts';
import { campaignPrior, estimateHours, type BucketEstimate, type Optimise } from './hours.ts';
import { allowedHours } from './schedule.ts';
import { campaignStats, NO_TIER } from './stats.ts';

export interface HoursTable {
  campaignId: string;
  /** The campaign's setting; null when it does not optimise (the table then shows conversion). */
  optimise: Optimise | null;
  tiers: { tier: string | null; buckets: BucketEstimate[] }[];
}

export async function hoursTable(deps: Pick<Deps, 'db'>, tenantId: string, campaignId: string): Promise<HoursTable> {
  const campaign = await getCampaign(deps.db, tenantId, campaignId, 'campaignId');
  const { window } = effectiveRules(campaign.rules, await getTenantChaseRules(deps.db, tenantId));
  const optimise = campaign.schedule?.optimise ?? null;
  const metric = optimise ?? 'conversion';
  const stats = await campaignStats(deps.db, tenantId, campaign.id);
  const prior = campaignPrior([...stats.values()].flat(), metric);
  const hours = allowedHours(window);
  // A campaign with no outcomes yet still shows its hours, each at the prior.
  const tiers = stats.size ? [...stats.keys()] : [NO_TIER];
  return {
    campaignId: campaign.id,
    optimise,
    tiers: tiers.map((tier) => ({
      tier: tier === NO_TIER ? null : tier,
      // Only the hours the window allows now: outcomes from hours it no longer allows stay counted but unshown.
      buckets: estimateHours(stats.get(tier) ?? [], hours, metric, prior),
    })),
  };
}
