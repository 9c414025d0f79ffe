import type { Request, RequestHandler } from 'express';
import { authenticate } from '../../core/api-keys.ts';
import type { Actor, Deps } from '../../core/deps.ts';
import { AppError } from '../../core/errors.ts';
import { limitFailures } from './auth-limit.ts';

declare module 'express-serve-static-core' {
  interface Request {
    actor?: Actor;
  }
}

/** Resolves `Authorization: Bearer <key>` to an actor; 401 when missing, unknown or revoked. */
export async function actorFromHeader(deps: Deps, header: string | undefined): Promise<Actor> {
  const key = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  if (!key) throw new AppError('UNAUTHENTICATED', 'send an API key as "Authorization: Bearer <key>"', { field: 'Authorization' });
  const actor = await authenticate(deps, key);
  if (!actor) throw new AppError('UNAUTHENTICATED', 'the API key is unknown or revoked', { field: 'Authorization' });
  return actor;
}

// One authentication per request: a tRPC batch of ten procedures is one attempt, not ten.
const attempts = new WeakMap<Request, Promise<Actor>>();

/** The caller's actor from `Authorization: Bearer <key>`, under the per-address limit on failures (auth-limit.ts). */
export function authenticateRequest(deps: Deps, req: Request): Promise<Actor> {
  let pending = attempts.get(req);
  if (!pending) {
    pending = limitFailures(req, () => actorFromHeader(deps, req.get('authorization')));
    attempts.set(req, pending);
  }
  return pending;
}

export const requireKey =
  (deps: Deps): RequestHandler =>
  async (req, _res, next) => {
    const actor = await authenticateRequest(deps, req);
    req.actor = actor;
    req.log = req.log.child({ tenantId: actor.tenantId, keyId: actor.keyId });
    next();
  };
