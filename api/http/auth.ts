import type { Request, RequestHandler } from 'express';
import { authenticate } from '../../core/tenants/api-keys.ts';
import type { Actor, Deps } from '../../core/deps.ts';
import { AppError } from '../../core/errors.ts';
import { csrfMatches, sessionActor } from '../../core/tenants/sessions.ts';
import { limitFailures } from './auth-limit.ts';
import { checkOrigin, CSRF_HEADER, SAFE_METHODS, sessionIdOf } from './session-cookie.ts';

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

/**
 * The console's session cookie, in place of a key. A browser sends cookies with requests other
 * sites make it send, so every write (any method but GET/HEAD/OPTIONS, which tRPC mutations are)
 * must also carry the session's CSRF token, which only a page of ours can read, and must not
 * come from another origin.
 */
async function actorFromSession(deps: Deps, req: Request, id: string): Promise<Actor> {
  const session = await sessionActor(deps, id);
  if (!session) throw new AppError('UNAUTHENTICATED', 'the session has ended (signed out, expired, or its key revoked): sign in again', { field: 'Cookie' });
  if (!SAFE_METHODS.has(req.method)) {
    checkOrigin(req);
    if (!csrfMatches(session.csrfToken, req.get(CSRF_HEADER))) {
      throw new AppError('FORBIDDEN', `a change made with a session needs its CSRF token in ${CSRF_HEADER} (GET /app/session gives it)`, {
        field: CSRF_HEADER,
      });
    }
  }
  const { expiresAt: _e, csrfToken: _c, ...actor } = session;
  return actor;
}

/**
 * Who is calling: an API key (`Authorization: Bearer`) wins; else the console's session cookie.
 * Failed keys count against the per-address limit; a stale cookie does not (a session id is
 * 256-bit random, so it cannot be guessed, and a browser left open overnight is no attack).
 */
function actorOf(deps: Deps, req: Request): Promise<Actor> {
  const header = req.get('authorization');
  const session = header === undefined ? sessionIdOf(req) : undefined;
  if (session) return actorFromSession(deps, req, session);
  return actorFromHeader(deps, header);
}

// One authentication per request: a tRPC batch of ten procedures is one attempt, not ten.
const attempts = new WeakMap<Request, Promise<Actor>>();

/** The caller's actor (key or session), under the per-address limit on failures (auth-limit.ts). */
export function authenticateRequest(deps: Deps, req: Request): Promise<Actor> {
  let pending = attempts.get(req);
  if (!pending) {
    pending = limitFailures(req, () => actorOf(deps, req));
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
