import { z } from 'zod';
import { defineProcedure } from '../procedure.ts';
import { Id } from '../schemas.ts';
import { optimiseTargets } from '../../core/optimiser/hours.ts';
import { hoursTable } from '../../core/optimiser/table.ts';

const Rate = (what: string) => z.number().min(0).max(1).describe(what);

const HourBucket = z
  .object({
    hour: z.number().int().min(0).max(23).describe("the recipient's local hour (0–23) the calls were placed in"),
    trials: z.number().int().describe('calls placed in this hour'),
    connects: z.number().int().describe('of those, answered by a person (not a machine)'),
    conversions: z.number().int().describe("chases that reached the campaign's goal, credited to the hour of their last call before it"),
    mean: Rate('posterior mean of the rate per call placed (connects or conversions, per `optimise`)'),
    lower: Rate('2.5% posterior quantile: the 95% credible interval’s lower end'),
    upper: Rate('97.5% posterior quantile: the 95% credible interval’s upper end'),
  })
  .meta({ id: 'OptimiserHourBucket' });

export const OptimiserHours = z
  .object({
    campaignId: Id,
    optimise: z
      .enum(optimiseTargets)
      .nullable()
      .describe("the campaign's schedule.optimise; null when it does not optimise (rates shown are then conversions)"),
    tiers: z.array(
      z.object({
        tier: z.string().nullable().describe('the segment tier; null for chases without one'),
        buckets: z.array(HourBucket).describe("every hour the campaign's calling window allows, in order"),
      }),
    ),
  })
  .describe(
    'What the optimiser learnt and samples from. Each hour has a Beta posterior over its rate per call placed — connect (answered by a person, ' +
      "not a machine) or conversion (the campaign's goal: interested, link-clicked or order) — starting from a weak prior at the campaign's own rate. " +
      'A campaign with schedule.optimise schedules each chase in an hour drawn by Thompson sampling from these posteriors (10% spread over the other ' +
      'allowed hours), never outside its calling window or caps.',
  )
  .meta({ id: 'OptimiserHours' });

export const optimiserHours = defineProcedure({
  name: 'optimiser.hours',
  method: 'get',
  path: '/v1/optimiser/hours',
  summary: "A campaign's best-hours table: per segment tier and local hour, calls, connects, conversions and the posterior rate with its 95% credible interval",
  tag: 'optimiser',
  role: 'viewer',
  input: z.object({ campaignId: Id }),
  output: OptimiserHours,
  handler: async ({ ctx, input }) => ({ body: await hoursTable(ctx.deps, ctx.actor.tenantId, input.campaignId) }),
});
