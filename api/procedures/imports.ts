import { z } from 'zod';
import { getImport, importStatuses } from '../../core/imports/imports.ts';
import { listAudit } from '../../core/privacy/audit.ts';
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
    status: z
      .enum(importStatuses)
      .describe(
        'running; done; failed (the file could not be read to the end: see error); interrupted (the process running it stopped, e.g. a crash or restart: re-import the file to complete it)',
      ),
    encoding: z
      .string()
      .nullable()
      .describe('the detected text encoding of a CSV (utf-8, utf-8-bom, gb18030, utf-16le, utf-16be) or xlsx; null if none was detected'),
    committed: z
      .number()
      .int()
      .describe('rows landed in the database so far (created + updated); for a running or interrupted import, what its batches committed'),
    error: z.string().nullable(),
    hint: z.string().nullable().describe('what to do next, when the import did not complete (e.g. "import the same file again to complete it")'),
    createdAt: z.string(),
    progressedAt: z.string().describe('when the last batch of rows was committed'),
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
