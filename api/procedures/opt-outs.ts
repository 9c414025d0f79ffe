import { z } from 'zod';
import { listOptOuts, optOut } from '../../core/consent/consent.ts';
import { defineProcedure } from '../procedure.ts';
import { Channel, OptOut, PageQuery, PhoneText, page } from '../schemas.ts';

export const optOutsCreate = defineProcedure({
  name: 'optOuts.create',
  method: 'post',
  path: '/v1/opt-outs',
  summary: 'Opt a number out of voice, SMS or all channels (sticky)',
  tag: 'opt-outs',
  role: 'operator',
  creates: true,
  statuses: [200, 201],
  input: z.object({
    phone: PhoneText,
    channel: Channel.default('all'),
    note: z.string().max(500).optional().describe('Free text for people; no PII please'),
  }),
  output: OptOut,
  handler: async ({ ctx, input }) => {
    const { optOut: entry, created } = await optOut(ctx.deps, ctx.actor.tenantId, { ...input, source: 'api' });
    return { status: created ? 201 : 200, body: entry };
  },
});

export const optOutsList = defineProcedure({
  name: 'optOuts.list',
  method: 'get',
  path: '/v1/opt-outs',
  summary: 'List current opt-outs, optionally for one number',
  tag: 'opt-outs',
  role: 'viewer',
  input: PageQuery.extend({ phone: z.string().optional() }),
  output: page(OptOut),
  handler: async ({ ctx, input }) => ({ body: await listOptOuts(ctx.deps, ctx.actor.tenantId, input) }),
});
