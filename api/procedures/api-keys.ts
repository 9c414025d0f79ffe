import { z } from 'zod';
import { createApiKey, listApiKeys, revokeApiKey } from '../../core/tenants/api-keys.ts';
import { audit } from '../../core/privacy/audit.ts';
import { defineProcedure } from '../procedure.ts';
import { ApiKey, IdParam, NewApiKey, Role } from '../schemas.ts';

export const apiKeysCreate = defineProcedure({
  name: 'apiKeys.create',
  method: 'post',
  path: '/v1/api-keys',
  summary: 'Create an API key; the key is in this response only',
  tag: 'api-keys',
  role: 'admin',
  creates: true,
  statuses: [201],
  input: z.object({ role: Role, name: z.string().trim().min(1).max(200) }),
  output: NewApiKey,
  handler: async ({ ctx, input }) => {
    const key = await createApiKey(ctx.deps, ctx.actor, input);
    await audit(ctx.deps.db, ctx.actor, 'api-key.create', { keyId: key.id, role: key.role });
    return { status: 201, body: key };
  },
});

export const apiKeysList = defineProcedure({
  name: 'apiKeys.list',
  method: 'get',
  path: '/v1/api-keys',
  summary: 'List the tenant’s API keys (never the keys themselves)',
  tag: 'api-keys',
  role: 'admin',
  input: z.object({}),
  output: z.object({ items: z.array(ApiKey) }),
  handler: async ({ ctx }) => ({ body: { items: await listApiKeys(ctx.deps, ctx.actor) } }),
});

export const apiKeysRevoke = defineProcedure({
  name: 'apiKeys.revoke',
  method: 'delete',
  path: '/v1/api-keys/:id',
  summary: 'Revoke an API key; it stops working at once',
  tag: 'api-keys',
  role: 'admin',
  input: IdParam,
  output: ApiKey,
  handler: async ({ ctx, input }) => {
    const key = await revokeApiKey(ctx.deps, ctx.actor, input.id);
    await audit(ctx.deps.db, ctx.actor, 'api-key.revoke', { keyId: key.id });
    return { body: key };
  },
});
