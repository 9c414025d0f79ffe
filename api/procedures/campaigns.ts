import { createCampaign, getCampaign, listCampaigns, setCampaignStatus, updateCampaign } from '../../core/campaigns.ts';
import { startSegmentEntries } from '../../core/segments.entries.ts';
import { defineProcedure } from '../procedure.ts';
import { Campaign, CampaignInput, CampaignPatch, CampaignStatus, IdParam, PageQuery, page } from '../schemas.ts';

export const campaignsCreate = defineProcedure({
  name: 'campaigns.create',
  method: 'post',
  path: '/v1/campaigns',
  summary: 'Create a campaign: its trigger, channel policy, rules, scripts and caller-id lines',
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
    return { status: 201, body: campaign };
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
  handler: async ({ ctx, input }) => ({ body: await listCampaigns(ctx.deps, ctx.actor.tenantId, input) }),
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
  handler: async ({ ctx, input }) => ({ body: await getCampaign(ctx.deps.db, ctx.actor.tenantId, input.id) }),
});

export const campaignsUpdate = defineProcedure({
  name: 'campaigns.update',
  method: 'patch',
  path: '/v1/campaigns/:id',
  summary: 'Change a campaign: each field given replaces its own; live chases keep their script and take the new rules from their next step',
  tag: 'campaigns',
  role: 'operator',
  input: CampaignPatch.extend(IdParam.shape),
  output: Campaign,
  handler: async ({ ctx, input }) => {
    const { id, ...fields } = input;
    // Only the fields sent: an explicit undefined would overwrite the campaign's value when merged.
    const patch = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    return { body: await updateCampaign(ctx.deps, ctx.actor.tenantId, id, patch) };
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
    handler: async ({ ctx, input }) => ({ body: await setCampaignStatus(ctx.deps, ctx.actor.tenantId, input.id, action) }),
  });

export const campaignsPause = statusAction('pause', 'Pause a campaign: its live chases hold where they are (repeating is harmless)');
export const campaignsResume = statusAction('resume', 'Resume a paused campaign: its live chases go back on the queue');
export const campaignsCancel = statusAction('cancel', 'Cancel a campaign for good: its live chases end as canceled');
