/**
 * One procedure = schemas + handler. REST routes, the tRPC router and the OpenAPI document
 * are all built from the same list (api/procedures/index.ts).
 */
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { Actor, Deps, Role } from '../core/deps.ts';
import { forbidden } from '../core/errors.ts';
import { fingerprint, withIdempotency } from '../core/common/idempotency.ts';

export interface Ctx {
  deps: Deps;
  actor: Actor;
  requestId: string;
  log: Logger;
  idempotencyKey?: string;
}

export interface Reply<O> {
  body: O;
  status?: number;
  /** REST answers with this file instead of the JSON body (a report's CSV); tRPC gets the body. */
  file?: ReplyFile;
}

export interface ReplyFile {
  type: string;
  name: string;
  text: string;
}

export interface Procedure<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  /** tRPC path, e.g. `contacts.get`. */
  name: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style REST path, e.g. `/v1/contacts/:id`. */
  path: string;
  summary: string;
  tag: string;
  /** Least role allowed: viewer (and analyst) < operator < admin. Reads say viewer: every role may. */
  role: Role;
  /** Path params, query (GET/DELETE) or body (others) merged into one object. */
  input: I;
  output: O;
  /** POSTs that create something honour Idempotency-Key. */
  creates?: boolean;
  /** Answers text/csv over REST when asked with format=csv (OpenAPI lists both). */
  csv?: boolean;
  /** Success statuses the handler answers with (default [200]), for the OpenAPI document. */
  statuses?: number[];
  handler: (args: { ctx: Ctx; input: z.output<I> }) => Promise<Reply<z.input<O>>>;
}

export const defineProcedure = <I extends z.ZodType, O extends z.ZodType>(p: Procedure<I, O>): Procedure<I, O> => p;

// An analyst stands where a viewer does on the ladder: it reads, and changes nothing.
const rank: Record<Role, number> = { viewer: 0, analyst: 0, operator: 1, admin: 2 };

export function requireRole(actor: Actor, least: Role) {
  if (rank[actor.role] < rank[least]) throw forbidden(`this needs a key with role ${least} or above (yours is ${actor.role})`);
}

/** For what only some roles may do whatever the ladder says (report CSV exports: admin or analyst). */
export function requireOneOf(actor: Actor, allowed: readonly Role[], what: string) {
  if (!allowed.includes(actor.role)) throw forbidden(`${what} needs a key with role ${allowed.join(' or ')} (yours is ${actor.role})`);
}

/**
 * Runs a procedure for an authenticated caller: role check, then the handler, behind
 * Idempotency-Key when the procedure creates something. Shared by REST and tRPC.
 */
export async function invoke(p: Procedure, ctx: Ctx, input: unknown): Promise<{ status: number; body: unknown; replayed: boolean; file?: ReplyFile }> {
  requireRole(ctx.actor, p.role);
  const key = p.creates ? ctx.idempotencyKey : undefined;
  let file: ReplyFile | undefined;
  const out = await withIdempotency(ctx.deps, ctx.actor.tenantId, key, fingerprint(p.name, input), async () => {
    const reply = await p.handler({ ctx, input });
    file = reply.file;
    return { status: reply.status ?? 200, body: reply.body as unknown };
  });
  // Files are only answered by reads, which are never replayed.
  return file && !out.replayed ? { ...out, file } : out;
}
