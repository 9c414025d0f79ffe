import type { RequestHandler } from 'express';
import { authenticate } from '../../core/api-keys.ts';
import type { Actor, Deps } from '../../core/deps.ts';
import { AppError } from '../../core/errors.ts';

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

export const requireKey =
  (deps: Deps): RequestHandler =>
  async (req, _res, next) => {
    const actor = await actorFromHeader(deps, req.get('authorization'));
    req.actor = actor;
    req.log = req.log.child({ tenantId: actor.tenantId, keyId: actor.keyId });
    next();
  };
