import { createCampaign, getCampaign, listCampaigns, setCampaignStatus, updateCampaign } from '../../core/campaigns/campaigns.ts';
import { startSegmentEntries } from '../../core/segments/entries.ts';
import type { Campaign as CampaignRecord } from '../../core/campaigns/campaigns.ts';
import { campaignWarnings, poolState } from '../../core/campaigns/warnings.ts';
import { defineProcedure, type Ctx } from '../procedure.ts';
import { Campaign, CampaignInput, CampaignPatch, CampaignStatus, IdParam, PageQuery, page } from '../schemas.ts';

/** Campaigns as the API shows them: with what would stop their chases now (the pool is read once). */
async function withWarnings(ctx: Ctx, campaigns: CampaignRecord[]) {
  const pool = await poolState(ctx.deps.db, ctx.actor.tenantId);
  return campaigns.map((c) => ({ ...c, warnings: campaignWarnings(c, pool) }));
}
const shown = async (ctx: Ctx, campaign: CampaignRecord) => (await withWarnings(ctx, [campaign]))[0]!;

export const campaignsCreate = defineProcedure({
  name: 'campaigns.create',
  method: 'post',
  path: '/v1/campaigns',
  summary:
    'Create a campaign: its trigger, channel policy, rules, scripts and caller-id lines; `warnings` says what would stop its chases (no line to call from)',
  tag: 'campaigns',
  role: 'operator',
  creates: true,
  statuses: [201],
  input: CampaignInput,
  output: Campaign,
  handler: async ({ ctx, input }) => {
    const campaign = await createCampaign(ctx.deps, ctx.actor.tenantId, input);
    // includeExisting: the members already in the segment are started now, not at its next refresh.
    if (campaign.trigger.type === 'segment-entry' && campaign.trigger.includeExisting) {
      await startSegmentEntries(ctx.deps, ctx.actor.tenantId, campaign);
    }
    return { status: 201, body: await shown(ctx, campaign) };
  },
});

export const campaignsList = defineProcedure({
  name: 'campaigns.list',
  method: 'get',
  path: '/v1/campaigns',
  summary: 'List campaigns, optionally by status',
  tag: 'campaigns',
  role: 'viewer',
  input: PageQuery.extend({ status: CampaignStatus.optional() }),
  output: page(Campaign),
  handler: async ({ ctx, input }) => {
    const found = await listCampaigns(ctx.deps, ctx.actor.tenantId, input);
    return { body: { ...found, items: await withWarnings(ctx, found.items) } };
  },
});

export const campaignsGet = defineProcedure({
  name: 'campaigns.get',
  method: 'get',
  path: '/v1/campaigns/:id',
  summary: 'Fetch a campaign',
  tag: 'campaigns',
  role: 'viewer',
  input: IdParam,
  output: Campaign,
  handler: async ({ ctx, input }) => ({ body: await shown(ctx, await getCampaign(ctx.deps.db, ctx.actor.tenantId, input.id)) }),
});

export const campaignsUpdate = defineProcedure({
  name: 'campaigns.update',
  method: 'patch',
  path: '/v1/campaigns/:id',
  summary:
    'Change a campaign: each field given replaces its own; live chases keep their script and take the new rules from their next step; `warnings` as on create',
  tag: 'campaigns',
  role: 'operator',
  input: CampaignPatch.extend(IdParam.shape),
  output: Campaign,
  handler: async ({ ctx, input }) => {
    const { id, ...fields } = input;
    // Only the fields sent: an explicit undefined would overwrite the campaign's value when merged.
    const patch = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    return { body: await shown(ctx, await updateCampaign(ctx.deps, ctx.actor.tenantId, id, patch)) };
  },
});

const statusAction = (action: 'pause' | 'resume' | 'cancel', summary: string) =>
  defineProcedure({
    name: `campaigns.${action}`,
    method: 'post',
    path: `/v1/campaigns/:id/${action}`,
    summary,
    tag: 'campaigns',
    role: 'operator',
    input: IdParam,
    output: Campaign,
    handler: async ({ ctx, input }) => ({ body: await shown(ctx, await setCampaignStatus(ctx.deps, ctx.actor.tenantId, input.id, action)) }),
  });

export const campaignsPause = statusAction('pause', 'Pause a campaign: its live chases hold where they are (repeating is harmless)');
export const campaignsResume = statusAction('resume', 'Resume a paused campaign: its live chases go back on the queue');
export const campaignsCancel = statusAction('cancel', 'Cancel a campaign for good: its live chases end as canceled');
