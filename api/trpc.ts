/** tRPC at /trpc, built from the same procedures (and zod schemas) as the REST routes. */
import { randomUUID } from 'node:crypto';
import { initTRPC, TRPCError, type AnyTRPCRouter } from '@trpc/server';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { z } from 'zod';
import type { Request, RequestHandler } from 'express';
import type { Actor, Deps } from '../core/deps.ts';
import { AppError } from '../core/errors.ts';
import { actorFromHeader } from './http/auth.ts';
import { toAppError } from './http/problem.ts';
import { errorTable } from './http/errors.map.ts';
import { invoke, requireRole, type Procedure } from './procedure.ts';

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
      actor = await actorFromHeader(ctx.deps, ctx.req.get('authorization'));
      requireRole(actor, role);
    } catch (err) {
      throw asTrpcError(err, ctx.req);
    }
    return next({ ctx: { ...ctx, actor } });
  });

function buildRouter(procedures: Procedure[]): AnyTRPCRouter {
  const tree: Record<string, Record<string, unknown>> = {};
  for (const p of procedures) {
    const [group, name] = p.name.split('.') as [string, string];
    const proc = authorised(p.role).input(p.input);
    const resolve = async ({ ctx, input }: { ctx: TrpcContext & { actor: Actor }; input: unknown }) => {
      try {
        const ctxForHandler = {
          deps: ctx.deps,
          actor: ctx.actor,
          requestId: String(ctx.req.id),
          log: ctx.req.log,
          idempotencyKey: ctx.req.get('idempotency-key'),
        };
        return (await invoke(p, ctxForHandler, input)).body;
      } catch (err) {
        throw asTrpcError(err, ctx.req);
      }
    };
    (tree[group] ??= {})[name] = p.method === 'get' ? proc.query(resolve) : proc.mutation(resolve);
  }
  return t.router(Object.fromEntries(Object.entries(tree).map(([g, procs]) => [g, t.router(procs as never)])));
}

export function trpcMiddleware(deps: Deps, procedures: Procedure[]): RequestHandler {
  return createExpressMiddleware({
    router: buildRouter(procedures),
    createContext: ({ req }) => ({ deps, req }),
  });
}
