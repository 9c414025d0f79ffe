/** tRPC at /trpc, built from the same procedures (and zod schemas) as the REST routes. */
import { initTRPC, TRPCError, type AnyTRPCRouter } from '@trpc/server';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import type { Request, RequestHandler } from 'express';
import type { Deps } from '../core/deps.ts';
import { actorFromHeader } from './http/auth.ts';
import { toAppError } from './http/problem.ts';
import { errorTable } from './http/errors.map.ts';
import { invoke, type Procedure } from './procedure.ts';

interface TrpcContext {
  deps: Deps;
  req: Request;
}

const t = initTRPC.context<TrpcContext>().create({
  errorFormatter: ({ shape, error }) => {
    const appError = toAppError(error.cause ?? error);
    return { ...shape, data: { ...shape.data, code: appError.code, field: appError.field ?? null } };
  },
});

/** Maps our typed errors (and zod's) onto tRPC codes through the same table as REST. */
const asTrpcError = (err: unknown): TRPCError => {
  const appError = toAppError(err);
  return new TRPCError({ code: errorTable[appError.code].trpc, message: appError.message, cause: appError });
};

function buildRouter(procedures: Procedure[]): AnyTRPCRouter {
  const tree: Record<string, Record<string, unknown>> = {};
  for (const p of procedures) {
    const [group, name] = p.name.split('.') as [string, string];
    const proc = t.procedure.input(p.input);
    const resolve = async ({ ctx, input }: { ctx: TrpcContext; input: unknown }) => {
      try {
        const actor = await actorFromHeader(ctx.deps, ctx.req.get('authorization'));
        const out = await invoke(p, {
          deps: ctx.deps,
          actor,
          requestId: String(ctx.req.id),
          log: ctx.req.log,
          idempotencyKey: ctx.req.get('idempotency-key'),
        }, input);
        return out.body;
      } catch (err) {
        throw asTrpcError(err);
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
    onError: ({ error, req }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') req.log.error({ err: error.cause ?? error }, 'trpc procedure failed');
    },
  });
}
