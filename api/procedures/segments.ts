import { z } from 'zod';
import { createSegment, getSegment, listSegments } from '../../core/segments/segments.ts';
import { refreshSegmentAndStart } from '../../core/segments/entries.ts';
import { defineProcedure } from '../procedure.ts';
import { IdParam, PageQuery, Segment, SegmentDefinition, page } from '../schemas.ts';

export const segmentsCreate = defineProcedure({
  name: 'segments.create',
  method: 'post',
  path: '/v1/segments',
  summary: 'Create a segment: rule tiers over attributes and tags, or k-means clusters over numeric attributes',
  tag: 'segments',
  role: 'operator',
  creates: true,
  statuses: [201],
  input: z.object({ name: z.string().trim().min(1).max(200), definition: SegmentDefinition }),
  output: Segment,
  handler: async ({ ctx, input }) => ({ status: 201, body: await createSegment(ctx.deps, ctx.actor.tenantId, input) }),
});

export const segmentsList = defineProcedure({
  name: 'segments.list',
  method: 'get',
  path: '/v1/segments',
  summary: 'List segments',
  tag: 'segments',
  role: 'viewer',
  input: PageQuery,
  output: page(Segment),
  handler: async ({ ctx, input }) => ({ body: await listSegments(ctx.deps, ctx.actor.tenantId, input) }),
});

export const segmentsGet = defineProcedure({
  name: 'segments.get',
  method: 'get',
  path: '/v1/segments/:id',
  summary: 'A segment with its members per tier at the last refresh',
  tag: 'segments',
  role: 'viewer',
  input: IdParam,
  output: Segment,
  handler: async ({ ctx, input }) => ({ body: await getSegment(ctx.deps, ctx.actor.tenantId, input.id) }),
});

// Runs the refresh within the request; the scheduled refresh job calls the same core function.
// Contacts that entered the segment start the segment-entry campaigns watching it.
export const segmentsRefresh = defineProcedure({
  name: 'segments.refresh',
  method: 'post',
  path: '/v1/segments/:id/refresh',
  summary: 'Recompute the segment’s members now and start segment-entry campaigns for contacts that entered; returns members per tier',
  tag: 'segments',
  role: 'operator',
  input: IdParam,
  output: z.object({ counts: z.record(z.string(), z.number().int()), total: z.number().int() }),
  handler: async ({ ctx, input }) => {
    const counts = await refreshSegmentAndStart(ctx.deps, ctx.actor.tenantId, input.id);
    return { body: { counts, total: Object.values(counts).reduce((a, b) => a + b, 0) } };
  },
});
