import { z } from 'zod';
import { getTenantChaseRules, setTenantChaseRules } from '../../core/campaigns/campaigns.ts';
import { defineProcedure } from '../procedure.ts';
import { ChaseRules } from '../schemas.ts';

export const chaseRulesGet = defineProcedure({
  name: 'chaseRules.get',
  method: 'get',
  path: '/v1/chase-rules',
  summary: 'The tenant’s default calling window and caps (a campaign’s own override them)',
  tag: 'campaigns',
  role: 'viewer',
  input: z.object({}),
  output: ChaseRules,
  handler: async ({ ctx }) => ({ body: await getTenantChaseRules(ctx.deps.db, ctx.actor.tenantId) }),
});

export const chaseRulesSet = defineProcedure({
  name: 'chaseRules.set',
  method: 'put',
  path: '/v1/chase-rules',
  summary: 'Replace the tenant’s default calling window and caps; what is left out falls back to the built-in defaults',
  tag: 'campaigns',
  role: 'operator',
  input: ChaseRules,
  output: ChaseRules,
  handler: async ({ ctx, input }) => ({ body: await setTenantChaseRules(ctx.deps, ctx.actor.tenantId, input) }),
});
