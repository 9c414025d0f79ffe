/**
 * The console at /app: its sign-in (POST/GET/DELETE /app/session) and its static build
 * (console/dist), with every unknown path under /app answered by index.html so the
 * browser's router can show it. Hashed assets are kept for a year; index.html never is, so a
 * new build is picked up on the next load.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import type { Deps } from '../../core/deps.ts';
import { createSession, endSession, sessionActor } from '../../core/tenants/sessions.ts';
import { actorFromHeader } from '../http/auth.ts';
import { limitFailures } from '../http/auth-limit.ts';
import { checkOrigin, clearSessionCookie, CSRF_HEADER, sessionIdOf, setSessionCookie } from '../http/session-cookie.ts';
import { consoleDist } from '../runtime/web-build.ts';

const YEAR_SECONDS = 365 * 24 * 3600;

// Shown while the build is under way (npm start builds it in the background); the meta refresh
// reloads without any script, which the CSP would refuse inline.
const BUILDING = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3">
<title>Chaseline console</title></head><body><main><h1>The console is being built</h1>
<p>This page reloads by itself in a few seconds.</p></main></body></html>`;

const sessionView = (s: { tenantId: string; keyId: string; role: string; expiresAt: Date }, csrfToken: string) => ({
  tenantId: s.tenantId,
  keyId: s.keyId,
  role: s.role,
  expiresAt: s.expiresAt.toISOString(),
  csrfToken,
  csrfHeader: CSRF_HEADER,
});

export function consoleRoutes(deps: Deps, options: { dist?: string } = {}): express.Router {
  const dist = options.dist ?? consoleDist;
  const router = express.Router();

  // Sign-in: the key comes as `Authorization: Bearer`, so a wrong one counts against the
  // address's limit on failed authentications like any other (http/auth-limit.ts).
  router.post('/app/session', async (req, res) => {
    checkOrigin(req);
    const actor = await limitFailures(req, () => actorFromHeader(deps, req.get('authorization')));
    const session = await createSession(deps, actor);
    setSessionCookie(req, res, session.id, session.expiresAt);
    req.log.info({ tenantId: actor.tenantId, keyId: actor.keyId }, 'console sign-in');
    res.status(201).json({ signedIn: true, ...sessionView({ ...actor, expiresAt: session.expiresAt }, session.csrfToken) });
  });

  // Not signed in is an answer here, not an error: the page asks before it knows, and a 401
  // would be a red line in every visitor's browser console.
  router.get('/app/session', async (req, res) => {
    const id = sessionIdOf(req);
    const session = id ? await sessionActor(deps, id) : null;
    res.json(session ? { signedIn: true, ...sessionView(session, session.csrfToken) } : { signedIn: false });
  });

  // Sign-out needs no CSRF token: ending a session is harmless, and a page whose session has
  // already ended must still be able to drop the cookie. The Origin check keeps other sites out.
  router.delete('/app/session', async (req, res) => {
    checkOrigin(req);
    const id = sessionIdOf(req);
    if (id) await endSession(deps, id);
    clearSessionCookie(req, res);
    res.status(204).end();
  });

  router.use(
    '/app/assets',
    express.static(path.join(dist, 'assets'), {
      index: false,
      fallthrough: false,
      setHeaders: (res) => res.setHeader('Cache-Control', `public, max-age=${YEAR_SECONDS}, immutable`),
    }),
  );
  router.use(
    '/app',
    express.static(dist, {
      index: false,
      setHeaders: (res, file) => res.setHeader('Cache-Control', file.endsWith('.html') ? 'no-store' : 'public, max-age=3600'),
    }),
  );
  // Anything else under /app is a page of the console: the router in the browser shows it.
  router.get(/^\/app(\/.*)?$/, (_req, res) => {
    const index = path.join(dist, 'index.html');
    res.setHeader('Cache-Control', 'no-store');
    if (!existsSync(index)) {
      res.status(503).setHeader('Retry-After', '3').type('html').send(BUILDING);
      return;
    }
    res.sendFile(index);
  });
  return router;
}
