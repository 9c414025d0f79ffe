import { z } from 'zod';
import { createTenant, getTenant, updateTenant } from '../../core/tenants/tenants.ts';
import { defineProcedure } from '../procedure.ts';
import { NewApiKey, Region, Tenant } from '../schemas.ts';

export const tenantsCreate = defineProcedure({
  name: 'tenants.create',
  method: 'post',
  path: '/v1/tenants',
  summary: 'Create a tenant and its first admin key (bootstrap admin key only)',
  tag: 'tenants',
  role: 'admin',
  creates: true,
  statuses: [201],
  input: z.object({ name: z.string().trim().min(1).max(200), defaultRegion: Region }),
  output: Tenant.extend({ adminKey: NewApiKey }),
  handler: async ({ ctx, input }) => ({ status: 201, body: await createTenant(ctx.deps, ctx.actor, input) }),
});

export const tenantsCurrent = defineProcedure({
  name: 'tenants.current',
  method: 'get',
  path: '/v1/tenants/current',
  summary: 'The tenant of the calling key',
  tag: 'tenants',
  role: 'viewer',
  input: z.object({}),
  output: Tenant,
  handler: async ({ ctx }) => ({ body: await getTenant(ctx.deps, ctx.actor.tenantId) }),
});

export const tenantsUpdate = defineProcedure({
  name: 'tenants.update',
  method: 'patch',
  path: '/v1/tenants/current',
  summary: 'Rename the tenant or change its default region',
  tag: 'tenants',
  role: 'admin',
  input: z.object({ name: z.string().trim().min(1).max(200).optional(), defaultRegion: Region.optional() }),
  output: Tenant,
  handler: async ({ ctx, input }) => ({ body: await updateTenant(ctx.deps, ctx.actor, input) }),
});
