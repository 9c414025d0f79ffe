/** tRPC at /trpc, built from the same procedures (and zod schemas) as the REST routes. */
import { randomUUID } from 'node:crypto';
import { initTRPC, TRPCError } from '@trpc/server';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { z } from 'zod';
import type { Request, RequestHandler } from 'express';
import type { Actor, Deps } from '../core/deps.ts';
import { AppError } from '../core/errors.ts';
import { authenticateRequest } from './http/auth.ts';
import { toAppError } from './http/problem.ts';
import { errorTable } from './http/errors.map.ts';
import { invoke, requireRole, type Procedure } from './procedure.ts';
import { tenantsCreate, tenantsCurrent, tenantsUpdate } from './procedures/tenants.ts';
import { apiKeysCreate, apiKeysList, apiKeysRevoke } from './procedures/api-keys.ts';
import { contactsGet, contactsList, contactsUpsert, contactsValidate } from './procedures/contacts.ts';
import { optOutsCreate, optOutsList } from './procedures/opt-outs.ts';
import { auditList, importsGet } from './procedures/imports.ts';
import { dataRequestsGet, dataRequestsList } from './procedures/data-requests.ts';
import { segmentsCreate, segmentsGet, segmentsList, segmentsRefresh } from './procedures/segments.ts';
import {
  campaignsCancel, campaignsCreate, campaignsGet, campaignsList, campaignsPause, campaignsResume, campaignsUpdate,
} from './procedures/campaigns.ts';
import { chaseRulesGet, chaseRulesSet } from './procedures/chase-rules.ts';
import { chasesCancel, chasesGet, chasesList, chasesStart, chasesStartBulk } from './procedures/chases.ts';
import { intentsClassify } from './procedures/intents.ts';
import { linesCreate, linesDelete, linesGet, linesList, linesUpdate } from './procedures/lines.ts';
import { connectorsDelete, connectorsList, connectorsOutbox, connectorsOutboxRetry, connectorsPut, connectorsSync } from './procedures/connectors.ts';

interface TrpcContext {
  deps: Deps;
  req: Request;
}

/** Our error behind a tRPC error, or null for tRPC's own (unknown procedure, wrong method…). */
function appErrorOf(error: TRPCError): AppError | null {
  const cause = error.cause;
  if (cause instanceof AppError || cause instanceof z.ZodError) return toAppError(cause);
  if (error.code === 'BAD_REQUEST' && cause instanceof SyntaxError) {
    return new AppError('MALFORMED_JSON', 'the request body is not valid JSON', { field: 'body' });
  }
  return null;
}

const t = initTRPC.context<TrpcContext>().create({
  // Never send stack traces to clients, whatever NODE_ENV says.
  isDev: false,
  errorFormatter: ({ shape, error }) => {
    const appError = appErrorOf(error);
    if (!appError) return shape;
    const internal = appError.code === 'INTERNAL';
    return {
      ...shape,
      code: TRPC_ERROR_CODES_BY_KEY[errorTable[appError.code].trpc],
      message: internal ? 'internal error' : appError.message,
      data: {
        ...shape.data,
        code: appError.code,
        field: appError.field ?? null,
        ...(internal ? { errorId: appError.details?.errorId ?? null } : {}),
      },
    };
  },
});

/** Maps our typed errors (and zod's) onto tRPC codes through the same table as REST; a 500 gets a logged error id. */
function asTrpcError(err: unknown, req: Request): TRPCError {
  let appError = toAppError(err);
  if (appError.code === 'INTERNAL') {
    const errorId = randomUUID();
    req.log.error({ err, errorId }, 'trpc procedure failed');
    appError = new AppError('INTERNAL', 'internal error', { cause: err, details: { errorId } });
  }
  return new TRPCError({ code: errorTable[appError.code].trpc, message: appError.message, cause: appError });
}

/** Key, then role, then input — the same order as REST, so a bad key is 401 whatever the body. */
const authorised = (role: Procedure['role']) =>
  t.procedure.use(async ({ ctx, next }) => {
    let actor: Actor;
    try {
      actor = await authenticateRequest(ctx.deps, ctx.req);
      requireRole(actor, role);
    } catch (err) {
      throw asTrpcError(err, ctx.req);
    }
    return next({ ctx: { ...ctx, actor } });
  });

/** Runs a procedure for tRPC: the same invoke() as REST, errors mapped by the same table. */
const resolverOf =
  <I extends z.ZodType, O extends z.ZodType>(p: Procedure<I, O>) =>
  async ({ ctx, input }: { ctx: TrpcContext & { actor: Actor }; input: unknown }): Promise<z.input<O>> => {
    try {
      const handlerCtx = {
        deps: ctx.deps,
        actor: ctx.actor,
        requestId: String(ctx.req.id),
        log: ctx.req.log,
        idempotencyKey: ctx.req.get('idempotency-key'),
      };
      return (await invoke(p as unknown as Procedure, handlerCtx, input)).body as z.input<O>;
    } catch (err) {
      throw asTrpcError(err, ctx.req);
    }
  };

const query = <I extends z.ZodType, O extends z.ZodType>(p: Procedure<I, O>) => authorised(p.role).input(p.input).query(resolverOf(p));
const mutation = <I extends z.ZodType, O extends z.ZodType>(p: Procedure<I, O>) =>
  authorised(p.role).input(p.input).mutation(resolverOf(p));

/**
 * Written out (not built from the list) so tRPC clients get the types: `AppRouter`. A test
 * checks it serves exactly the procedures REST does, each as a query for GET.
 */
export const appRouter = t.router({
  tenants: t.router({ create: mutation(tenantsCreate), current: query(tenantsCurrent), update: mutation(tenantsUpdate) }),
  apiKeys: t.router({ create: mutation(apiKeysCreate), list: query(apiKeysList), revoke: mutation(apiKeysRevoke) }),
  contacts: t.router({
    validate: mutation(contactsValidate),
    upsert: mutation(contactsUpsert),
    get: query(contactsGet),
    list: query(contactsList),
  }),
  optOuts: t.router({ create: mutation(optOutsCreate), list: query(optOutsList) }),
  imports: t.router({ get: query(importsGet) }),
  audit: t.router({ list: query(auditList) }),
  dataRequests: t.router({ list: query(dataRequestsList), get: query(dataRequestsGet) }),
  segments: t.router({
    create: mutation(segmentsCreate),
    list: query(segmentsList),
    get: query(segmentsGet),
    refresh: mutation(segmentsRefresh),
  }),
  campaigns: t.router({
    create: mutation(campaignsCreate),
    list: query(campaignsList),
    get: query(campaignsGet),
    update: mutation(campaignsUpdate),
    pause: mutation(campaignsPause),
    resume: mutation(campaignsResume),
    cancel: mutation(campaignsCancel),
  }),
  chaseRules: t.router({ get: query(chaseRulesGet), set: mutation(chaseRulesSet) }),
  intents: t.router({ classify: mutation(intentsClassify) }),
  chases: t.router({
    start: mutation(chasesStart),
    startBulk: mutation(chasesStartBulk),
    get: query(chasesGet),
    list: query(chasesList),
    cancel: mutation(chasesCancel),
  }),
  connectors: t.router({
    put: mutation(connectorsPut),
    list: query(connectorsList),
    delete: mutation(connectorsDelete),
    sync: mutation(connectorsSync),
    outbox: query(connectorsOutbox),
    outboxRetry: mutation(connectorsOutboxRetry),
  }),
  lines: t.router({
    create: mutation(linesCreate),
    list: query(linesList),
    get: query(linesGet),
    update: mutation(linesUpdate),
    delete: mutation(linesDelete),
  }),
});

export type AppRouter = typeof appRouter;

export function trpcMiddleware(deps: Deps): RequestHandler {
  return createExpressMiddleware({
    router: appRouter,
    createContext: ({ req }) => ({ deps, req }),
  });
}
