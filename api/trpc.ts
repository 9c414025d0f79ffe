/** tRPC at /trpc, built from the same procedures (and zod schemas) as the REST routes. */
import { randomUUID } from 'node:crypto';
import { initTRPC, TRPCError, type TRPC_ERROR_CODE_KEY } from '@trpc/server';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { z } from 'zod';
import type { Request, RequestHandler } from 'express';
import type { Actor, Deps } from '../core/deps.ts';
import { AppError } from '../core/errors.ts';
import { badTextError, findBadText } from '../core/common/text.ts';
import { authenticateRequest } from './http/auth.ts';
import { toAppError } from './http/problem.ts';
import { errorTable } from './http/errors.map.ts';
import { JSON_BODY_LIMIT, TRPC_MAX_BATCH } from './http/limits.ts';
import { formatBytes } from './routes/upload.ts';
import { invoke, requireRole, type Procedure } from './procedure.ts';
import { tenantsCreate, tenantsCurrent, tenantsUpdate } from './procedures/tenants.ts';
import { apiKeysCreate, apiKeysList, apiKeysRevoke } from './procedures/api-keys.ts';
import { contactsGet, contactsList, contactsUpsert, contactsValidate } from './procedures/contacts.ts';
import { optOutsCreate, optOutsList } from './procedures/opt-outs.ts';
import { auditList, importsGet } from './procedures/imports.ts';
import { dataRequestsGet, dataRequestsList } from './procedures/data-requests.ts';
import { segmentsCreate, segmentsGet, segmentsList, segmentsRefresh } from './procedures/segments.ts';
import { campaignsCancel, campaignsCreate, campaignsGet, campaignsList, campaignsPause, campaignsResume, campaignsUpdate } from './procedures/campaigns.ts';
import { chaseRulesGet, chaseRulesSet } from './procedures/chase-rules.ts';
import { chasesCancel, chasesGet, chasesList, chasesStart, chasesStartBulk } from './procedures/chases.ts';
import { intentsClassify } from './procedures/intents.ts';
import { scriptsClearFlag, scriptsList } from './procedures/scripts.ts';
import { experimentsCreate, experimentsGet, experimentsList, experimentsStop } from './procedures/experiments.ts';
import { optimiserHours } from './procedures/optimiser.ts';
import { reportsDefinitions, reportsSummary, reportsTimeseries } from './procedures/reports.ts';
import { linesCreate, linesDelete, linesGet, linesList, linesUpdate } from './procedures/lines.ts';
import { connectorsDelete, connectorsList, connectorsOutbox, connectorsOutboxRetry, connectorsPut, connectorsSync } from './procedures/connectors.ts';
import { connectorsHubspotInstall } from './procedures/connectors.install.ts';
import {
  eventSubscriptionsCreate,
  eventSubscriptionsDelete,
  eventSubscriptionsDeliveries,
  eventSubscriptionsGet,
  eventSubscriptionsList,
  eventSubscriptionsReplay,
  eventSubscriptionsReplayDelivery,
  eventSubscriptionsRotateSecret,
  eventSubscriptionsUpdate,
} from './procedures/event-subscriptions.ts';

interface TrpcContext {
  deps: Deps;
  req: Request;
}

const tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', `the request body is larger than the ${formatBytes(JSON_BODY_LIMIT)} limit`, { field: 'body' });

/**
 * tRPC's own errors (raised before any procedure runs) in our terms, so every error carries
 * our `data.code` and `data.field`. Keyed by tRPC's closed set of codes; the rest keep tRPC's.
 */
const nativeErrors: Partial<Record<TRPC_ERROR_CODE_KEY, (error: TRPCError) => AppError>> = {
  PAYLOAD_TOO_LARGE: tooLarge,
  PARSE_ERROR: () => new AppError('MALFORMED_JSON', 'the request body is not valid JSON', { field: 'input' }),
  BAD_REQUEST: (error) =>
    error.cause instanceof SyntaxError
      ? new AppError('MALFORMED_JSON', 'the input is not valid JSON', { field: 'input' })
      : /batch call exceeds/i.test(error.message) // maxBatchSize's refusal names no field of its own
        ? new AppError('VALIDATION', `a batch may call at most ${TRPC_MAX_BATCH} procedures`, { field: 'batch' })
        : new AppError('VALIDATION', error.message, { field: 'input' }),
  NOT_FOUND: (error) => new AppError('NOT_FOUND', error.message, { field: 'path' }),
};

/** Our error behind a tRPC error, or null for tRPC's own that we have no code for (wrong method…). */
function appErrorOf(error: TRPCError): AppError | null {
  const cause = error.cause;
  if (cause instanceof AppError || cause instanceof z.ZodError) return toAppError(cause);
  return nativeErrors[error.code]?.(error) ?? null;
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
        // Every field a validation error names, as problem+json's `errors` (the console shows each beside its input).
        ...(Array.isArray(appError.details?.errors) ? { errors: appError.details.errors } : {}),
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
  t.procedure.use(async ({ ctx, next, getRawInput }) => {
    let actor: Actor;
    try {
      actor = await authenticateRequest(ctx.deps, ctx.req);
      requireRole(actor, role);
    } catch (err) {
      throw asTrpcError(err, ctx.req);
    }
    // The same text rules as REST, before zod sees the input (core/common/text.ts).
    const bad = findBadText(await getRawInput());
    if (bad) throw asTrpcError(badTextError(bad, 'input'), ctx.req);
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
const mutation = <I extends z.ZodType, O extends z.ZodType>(p: Procedure<I, O>) => authorised(p.role).input(p.input).mutation(resolverOf(p));

/**
 * Written out (not built from the list) so tRPC clients get the types: `AppRouter`. A test
 * checks it serves exactly the procedures REST does, each as a query for GET.
 */
export const appRouter = t.router({
  experiments: t.router({ create: mutation(experimentsCreate), list: query(experimentsList), get: query(experimentsGet), stop: mutation(experimentsStop) }),
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
  eventSubscriptions: t.router({
    create: mutation(eventSubscriptionsCreate),
    list: query(eventSubscriptionsList),
    get: query(eventSubscriptionsGet),
    update: mutation(eventSubscriptionsUpdate),
    delete: mutation(eventSubscriptionsDelete),
    rotateSecret: mutation(eventSubscriptionsRotateSecret),
    deliveries: query(eventSubscriptionsDeliveries),
    replayDelivery: mutation(eventSubscriptionsReplayDelivery),
    replay: mutation(eventSubscriptionsReplay),
  }),
  connectors: t.router({
    put: mutation(connectorsPut),
    list: query(connectorsList),
    delete: mutation(connectorsDelete),
    sync: mutation(connectorsSync),
    outbox: query(connectorsOutbox),
    outboxRetry: mutation(connectorsOutboxRetry),
    hubspotInstall: query(connectorsHubspotInstall),
  }),
  lines: t.router({
    create: mutation(linesCreate),
    list: query(linesList),
    get: query(linesGet),
    update: mutation(linesUpdate),
    delete: mutation(linesDelete),
  }),
  scripts: t.router({ list: query(scriptsList), clearFlag: mutation(scriptsClearFlag) }),
  optimiser: t.router({ hours: query(optimiserHours) }),
  reports: t.router({ summary: query(reportsSummary), timeseries: query(reportsTimeseries), definitions: query(reportsDefinitions) }),
});

export type AppRouter = typeof appRouter;

/**
 * Refused before the body is read: a declared length over the limit (tRPC's own maxBodySize
 * stops a chunked body at the limit too), and compressed bodies, which tRPC does not decode.
 */
function checkBody(req: Request) {
  if (Number(req.get('content-length') ?? 0) > JSON_BODY_LIMIT) throw tooLarge();
  const encoding = req.get('content-encoding')?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `/trpc bodies are read as sent: drop Content-Encoding "${encoding}"`, { field: 'Content-Encoding' });
  }
}

export function trpcMiddleware(deps: Deps): RequestHandler {
  return createExpressMiddleware({
    router: appRouter,
    maxBodySize: JSON_BODY_LIMIT,
    maxBatchSize: TRPC_MAX_BATCH,
    createContext: ({ req }) => {
      try {
        checkBody(req);
      } catch (err) {
        throw asTrpcError(err, req);
      }
      return { deps, req };
    },
  });
}
