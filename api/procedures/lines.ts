import { z } from 'zod';
import { defineProcedure, type Ctx } from '../procedure.ts';
import { Id, IdParam, PageQuery, page } from '../schemas.ts';
import {
  createLine,
  deleteLine,
  getLine,
  lineKinds,
  lineTiers,
  listLines,
  updateLine,
  LineInputSchema,
  LinePatchSchema,
  type Line,
} from '../../core/lines/lines.ts';
import { memoryHealthStore } from '../../core/lines/health.ts';
import { type LineHealthStore } from '../../core/lines/stores.ts';

const LineHealth = z.object({
  status: z.enum(['healthy', 'drained', 'disabled']),
  sample: z.number().int().describe('calls with a result in the health window (15 minutes)'),
  answerRate: z.number().describe('share of those a person answered'),
  failureRate: z.number().describe('share the carrier failed to place or complete; at 10% over 20+ calls the line is drained'),
  drainedAt: z.string().nullable(),
  drainReason: z.string().nullable(),
  lastProbeAt: z.string().nullable().describe('the last probe call on a drained line (one per minute)'),
});

export const LineOut = z
  .object({
    id: Id,
    name: z.string(),
    kind: z.enum(lineKinds),
    fromNumber: z.string(),
    byocTrunkSid: z.string().nullable(),
    sipDomain: z.string().nullable(),
    tier: z.enum(lineTiers),
    costPerMinute: z.number(),
    cps: z.number(),
    region: z.string().nullable(),
    enabled: z.boolean(),
    health: LineHealth,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Line' });

// Without shared stores (no deps.lines), this process's own counts: right for a single process.
let fallback: LineHealthStore | undefined;
const healthStore = (ctx: Ctx) => ctx.deps.lines?.health ?? (fallback ??= memoryHealthStore());

async function withHealth(ctx: Ctx, lines: Line[]): Promise<z.input<typeof LineOut>[]> {
  const now = ctx.deps.clock?.now() ?? new Date();
  const stats = await healthStore(ctx).stats(
    lines.map((l) => l.id),
    now,
  );
  return lines.map(({ drainedAt, drainReason, lastProbeAt, ...l }) => {
    const s = stats.get(l.id);
    return {
      ...l,
      health: {
        status: !l.enabled ? 'disabled' : drainedAt ? 'drained' : 'healthy',
        sample: s?.sample ?? 0,
        answerRate: s?.answerRate ?? 0,
        failureRate: s?.failureRate ?? 0,
        drainedAt,
        drainReason,
        lastProbeAt,
      },
    };
  });
}

const one = async (ctx: Ctx, line: Line) => (await withHealth(ctx, [line]))[0]!;

export const linesCreate = defineProcedure({
  name: 'lines.create',
  method: 'post',
  path: '/v1/lines',
  summary: 'Add a line to the pool: a Twilio number, a BYOC trunk or a SIP URI, with its tier, cost and CPS',
  tag: 'lines',
  role: 'operator',
  creates: true,
  statuses: [201],
  input: LineInputSchema,
  output: LineOut,
  handler: async ({ ctx, input }) => ({ status: 201, body: await one(ctx, await createLine(ctx.deps, ctx.actor.tenantId, input)) }),
});

export const linesList = defineProcedure({
  name: 'lines.list',
  method: 'get',
  path: '/v1/lines',
  summary: 'List the pool’s lines with their health (answer and failure rates, drained or not)',
  tag: 'lines',
  role: 'viewer',
  input: PageQuery,
  output: page(LineOut),
  handler: async ({ ctx, input }) => {
    const p = await listLines(ctx.deps, ctx.actor.tenantId, input);
    return { body: { items: await withHealth(ctx, p.items), nextCursor: p.nextCursor } };
  },
});

export const linesGet = defineProcedure({
  name: 'lines.get',
  method: 'get',
  path: '/v1/lines/:id',
  summary: 'Fetch a line and its health',
  tag: 'lines',
  role: 'viewer',
  input: IdParam,
  output: LineOut,
  handler: async ({ ctx, input }) => ({ body: await one(ctx, await getLine(ctx.deps, ctx.actor.tenantId, input.id)) }),
});

export const linesUpdate = defineProcedure({
  name: 'lines.update',
  method: 'patch',
  path: '/v1/lines/:id',
  summary: 'Change a line: each field given replaces its own (null clears byocTrunkSid, sipDomain, region)',
  tag: 'lines',
  role: 'operator',
  input: LinePatchSchema.extend(IdParam.shape),
  output: LineOut,
  handler: async ({ ctx, input }) => {
    const { id, ...patch } = input;
    return { body: await one(ctx, await updateLine(ctx.deps, ctx.actor.tenantId, id, patch)) };
  },
});

export const linesDelete = defineProcedure({
  name: 'lines.delete',
  method: 'delete',
  path: '/v1/lines/:id',
  summary: 'Remove a line from the pool (its past attempts keep their line id for reports)',
  tag: 'lines',
  role: 'operator',
  input: IdParam,
  output: LineOut,
  handler: async ({ ctx, input }) => {
    const line = await deleteLine(ctx.deps, ctx.actor.tenantId, input.id);
    await healthStore(ctx).reset(line.id);
    return { body: await one(ctx, line) };
  },
});
