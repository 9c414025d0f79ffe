import { z } from 'zod';
import {
  ArmSchema,
  createExperiment,
  ExperimentInputSchema,
  getExperimentRecord,
  listExperimentRecords,
  stopExperiment,
  type Experiment,
} from '../../core/experiments/experiments.ts';
import { judgeExperiment } from '../../core/experiments/decide.ts';
import { toPage } from '../../core/common/pagination.ts';
import { defineProcedure, type Ctx } from '../procedure.ts';
import { Id, IdParam, PageQuery, page } from '../schemas.ts';

const ExperimentStatus = z.enum(['running', 'decided', 'stopped']);

const ArmOut = ArmSchema.extend({
  chases: z.number().int().describe('chases assigned to the arm'),
  conversions: z.number().int().describe("chases that reached the campaign's goal (interested, link-clicked or order)"),
  conversionRate: z.number().describe('conversions / chases'),
  complaints: z.number().int().describe('chases that drew a complaint (an opt-out within 48 h of a contact, or a complaint on the call)'),
  revenue: z.array(z.object({ currency: z.string(), amount: z.number() })).describe('recovered order value, per currency'),
  ended: z
    .object({ chases: z.number().int(), conversions: z.number().int() })
    .describe('the chases that ended, and their conversions: what the sequential test judges'),
});

const Comparison = z.object({
  arm: z.string(),
  lift: z.number().describe("the arm's conversion rate minus the control's"),
  likelihoodRatio: z.number().describe('the mixture likelihood ratio (an e-value): evidence of a difference; a winner needs it at or above `threshold`'),
  favours: z.enum(['arm', 'control']).nullable(),
});

export const ExperimentOut = z
  .object({
    id: Id,
    campaignId: Id,
    name: z.string(),
    status: ExperimentStatus,
    alpha: z.number(),
    minChasesPerArm: z.number().int(),
    arms: z.array(ArmOut).describe('arm 0 is the control'),
    verdict: z.object({ winner: z.string().describe("the winning arm's name"), decidedAt: z.string(), evidence: z.record(z.string(), z.unknown()) }).nullable(),
    progress: z
      .object({
        waiting: z
          .enum(['min-chases', 'evidence'])
          .nullable()
          .describe("'min-chases': an arm has fewer ended chases than minChasesPerArm; 'evidence': not enough yet"),
        threshold: z.number().describe('(arms − 1) / alpha'),
        comparisons: z.array(Comparison),
      })
      .nullable()
      .describe('while running: where the sequential test stands'),
    createdAt: z.string(),
    endedAt: z.string().nullable(),
  })
  .meta({ id: 'Experiment' });

async function shown(ctx: Ctx, experiment: Experiment): Promise<z.input<typeof ExperimentOut>> {
  const { experiment: e, arms, decision } = await judgeExperiment(ctx.deps, ctx.actor.tenantId, experiment);
  return {
    ...e,
    arms,
    progress: decision && {
      waiting: decision.waiting,
      threshold: decision.threshold,
      comparisons: decision.comparisons.map((c) => ({ arm: arms[c.arm]!.name, lift: c.lift, likelihoodRatio: c.likelihoodRatio, favours: c.favours })),
    },
  };
}

export const experimentsCreate = defineProcedure({
  name: 'experiments.create',
  method: 'post',
  path: '/v1/experiments',
  summary:
    "Start an experiment on a campaign: 2–5 arms (arm 0 is the control), each a script, a window inside the campaign's and/or a delay; every new chase is assigned an arm at random by weight. One running experiment per campaign (409)",
  tag: 'experiments',
  role: 'operator',
  creates: true,
  statuses: [201],
  input: ExperimentInputSchema,
  output: ExperimentOut,
  handler: async ({ ctx, input }) => ({ status: 201, body: await shown(ctx, await createExperiment(ctx.deps, ctx.actor.tenantId, input)) }),
});

export const experimentsList = defineProcedure({
  name: 'experiments.list',
  method: 'get',
  path: '/v1/experiments',
  summary: 'List experiments with their per-arm results, optionally by campaign or status',
  tag: 'experiments',
  role: 'viewer',
  input: PageQuery.extend({ campaignId: Id.optional(), status: ExperimentStatus.optional() }),
  output: page(ExperimentOut),
  handler: async ({ ctx, input }) => {
    const rows = await listExperimentRecords(ctx.deps.db, ctx.actor.tenantId, input);
    const p = toPage(rows, input.limit, (r) => r);
    const items = [];
    for (const e of p.items) items.push(await shown(ctx, e));
    return { body: { items, nextCursor: p.nextCursor } };
  },
});

export const experimentsGet = defineProcedure({
  name: 'experiments.get',
  method: 'get',
  path: '/v1/experiments/:id',
  summary:
    'An experiment with each arm’s chases, conversions, complaints and recovered revenue, and its verdict: a winner is declared only when an always-valid sequential test (mSPRT) holds at alpha, however often it is looked at',
  tag: 'experiments',
  role: 'viewer',
  input: IdParam,
  output: ExperimentOut,
  handler: async ({ ctx, input }) => ({ body: await shown(ctx, await getExperimentRecord(ctx.deps.db, ctx.actor.tenantId, input.id)) }),
});

export const experimentsStop = defineProcedure({
  name: 'experiments.stop',
  method: 'post',
  path: '/v1/experiments/:id/stop',
  summary:
    'Stop a running experiment without a verdict: new chases get the campaign as it is; chases already assigned keep their arm. A decided experiment is 409',
  tag: 'experiments',
  role: 'operator',
  input: IdParam,
  output: ExperimentOut,
  handler: async ({ ctx, input }) => ({ body: await shown(ctx, await stopExperiment(ctx.deps, ctx.actor.tenantId, input.id)) }),
});
