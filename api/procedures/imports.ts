import { z } from 'zod';
import { getImport } from '../../core/imports.ts';
import { listAudit } from '../../core/audit.ts';
import { defineProcedure } from '../procedure.ts';
import { IdParam, ImportResult, PageQuery, page } from '../schemas.ts';

export const importsGet = defineProcedure({
  name: 'imports.get',
  method: 'get',
  path: '/v1/imports/:id',
  summary: 'The outcome of an import',
  tag: 'imports',
  role: 'viewer',
  input: IdParam,
  output: ImportResult.extend({
    status: z.enum(['running', 'done', 'failed']),
    encoding: z.string().nullable(),
    error: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  }),
  handler: async ({ ctx, input }) => ({ body: await getImport(ctx.deps, ctx.actor.tenantId, input.id) }),
});

export const auditList = defineProcedure({
  name: 'audit.list',
  method: 'get',
  path: '/v1/audit-log',
  summary: 'Sensitive actions (exports, key changes): who, when, what',
  tag: 'audit',
  role: 'admin',
  input: PageQuery,
  output: page(
    z.object({
      id: z.string(),
      actorKeyId: z.string().nullable(),
      action: z.string(),
      details: z.record(z.string(), z.unknown()),
      createdAt: z.string(),
    }),
  ),
  handler: async ({ ctx, input }) => ({ body: await listAudit(ctx.deps, ctx.actor, input) }),
});
