import { z } from 'zod';
import { cancelChase, getChase, listChases, startChase, startChasesForSegment } from '../../core/chases/chases.ts';
import { defineProcedure } from '../procedure.ts';
import { BulkStartResult, Chase, ChaseDetail, ChaseStatus, ContactRef, Id, IdParam, PageQuery, page } from '../schemas.ts';

export const chasesStart = defineProcedure({
  name: 'chases.start',
  method: 'post',
  path: '/v1/chases',
  summary: 'Start chasing one contact in a campaign; refused (409) when the number opted out or already has a live chase there',
  tag: 'chases',
  role: 'operator',
  creates: true,
  statuses: [201],
  input: z.object({
    campaignId: Id,
    contact: ContactRef,
    context: z.record(z.string().max(100), z.unknown()).optional().describe('Filled into scripts as {{context.key}}, e.g. a cart link'),
  }),
  output: ChaseDetail,
  handler: async ({ ctx, input }) => ({ status: 201, body: await startChase(ctx.deps, ctx.actor.tenantId, input) }),
});

export const chasesStartBulk = defineProcedure({
  name: 'chases.startBulk',
  method: 'post',
  path: '/v1/chases/bulk',
  summary: 'Start the campaign for every member of a segment (default: the campaign’s), optionally only some tiers',
  tag: 'chases',
  role: 'operator',
  creates: true,
  input: z.object({
    campaignId: Id,
    segmentId: Id.optional().describe('Default: the campaign’s segment'),
    tiers: z.array(z.string().min(1).max(100)).min(1).max(100).optional().describe('Only members in these tiers'),
  }),
  output: BulkStartResult,
  handler: async ({ ctx, input }) => ({ body: await startChasesForSegment(ctx.deps, ctx.actor.tenantId, input) }),
});

export const chasesGet = defineProcedure({
  name: 'chases.get',
  method: 'get',
  path: '/v1/chases/:id',
  summary: 'A chase with its timeline and call/SMS attempts',
  tag: 'chases',
  role: 'viewer',
  input: IdParam,
  output: ChaseDetail,
  handler: async ({ ctx, input }) => ({ body: await getChase(ctx.deps, ctx.actor.tenantId, input.id) }),
});

export const chasesList = defineProcedure({
  name: 'chases.list',
  method: 'get',
  path: '/v1/chases',
  summary: 'List chases, optionally by campaign, status or contact',
  tag: 'chases',
  role: 'viewer',
  input: PageQuery.extend({ campaignId: Id.optional(), status: ChaseStatus.optional(), contactId: Id.optional() }),
  output: page(Chase),
  handler: async ({ ctx, input }) => ({ body: await listChases(ctx.deps, ctx.actor.tenantId, input) }),
});

export const chasesCancel = defineProcedure({
  name: 'chases.cancel',
  method: 'post',
  path: '/v1/chases/:id/cancel',
  summary: 'Cancel a live chase (a call already ringing is left to finish); cancelling an ended chase is 409',
  tag: 'chases',
  role: 'operator',
  input: IdParam,
  output: ChaseDetail,
  handler: async ({ ctx, input }) => ({ body: await cancelChase(ctx.deps, ctx.actor.tenantId, input.id) }),
});
