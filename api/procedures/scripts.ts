import { z } from 'zod';
import { clearScriptFlag, listScripts } from '../../core/scripts/list.ts';
import { defineProcedure } from '../procedure.ts';
import { Id } from '../schemas.ts';

const ScriptStats = z
  .object({
    campaignId: Id,
    campaignName: z.string(),
    script: z.string().describe("the script's name in its campaign"),
    chases: z.number().int().describe('chases given this script since its flag was last cleared (since the start when never)'),
    complaints: z
      .number()
      .int()
      .describe('of those chases, the ones that drew a complaint: a complaint heard on a call, or an opt-out on any channel within 48 h of an attempt'),
    complaintRate: z.number().describe('complaints / chases'),
    complaintRateLower: z
      .number()
      .describe(
        "the complaint rate's one-sided 95% Wilson lower bound: over the campaign's scriptFlags.maxComplaintRate (0.5%) after scriptFlags.minChases (200) chases, the script is flagged",
      ),
    flagged: z.object({ at: z.string(), reason: z.string() }).nullable().describe('the flag in force, or null'),
    paused: z.boolean().describe('flagged, and the campaign has scriptFlags.autoPause: new chases get the next matching script until the flag is cleared'),
  })
  .meta({ id: 'ScriptStats' });

export const scriptsList = defineProcedure({
  name: 'scripts.list',
  method: 'get',
  path: '/v1/scripts',
  summary:
    "Each campaign script's chases, complaints, complaint rate and its lower bound, and its flag (a complaint rate too high to be chance) and whether it is paused",
  tag: 'scripts',
  role: 'viewer',
  input: z.object({ campaignId: Id.optional().describe('one campaign (default: every campaign)') }),
  output: z.object({ items: z.array(ScriptStats) }),
  handler: async ({ ctx, input }) => ({ body: { items: await listScripts(ctx.deps, ctx.actor.tenantId, input) } }),
});

export const scriptsClearFlag = defineProcedure({
  name: 'scripts.clearFlag',
  method: 'post',
  path: '/v1/scripts/clear-flag',
  summary:
    "Clear a script's flag: a paused script is chosen again, and its complaints are counted afresh from now (audited; clearing an unflagged script changes nothing)",
  tag: 'scripts',
  role: 'operator',
  input: z.object({ campaignId: Id, script: z.string().trim().min(1).max(100).describe("the script's name in the campaign") }),
  output: ScriptStats,
  handler: async ({ ctx, input }) => ({ body: await clearScriptFlag(ctx.deps, ctx.actor, input) }),
});
