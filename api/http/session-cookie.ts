/**
 * The console's session cookie and the checks on writes made with it. HttpOnly (no script
 * reads it), SameSite=Strict (no other site's page sends it), Secure when the request came over
 * TLS (a laptop on http://localhost would otherwise never get it back), Path=/ since the
 * console calls /v1 and /trpc as well as /app.
 */
import type { Request, Response } from 'express';
import { AppError } from '../../core/errors.ts';

export const SESSION_COOKIE = 'chaseline_session';
export const CSRF_HEADER = 'X-CSRF-Token';
export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The value of one cookie from the Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** The session id a request carries, if it is shaped like one (43 base64url characters). */
export function sessionIdOf(req: Request): string | undefined {
  const value = cookieValue(req.get('cookie'), SESSION_COOKIE);
  return value && /^[\w-]{43}$/.test(value) ? value : undefined;
}

export function setSessionCookie(req: Request, res: Response, id: string, expiresAt: Date) {
  res.cookie(SESSION_COOKIE, id, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', expires: expiresAt });
}

export function clearSessionCookie(req: Request, res: Response) {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
}

/**
 * Writes made with a cookie must come from our own pages: an Origin (or, without one, a
 * Sec-Fetch-Site) naming another site is refused. Browsers send Origin on every cross-origin
 * request and on same-origin POSTs, so a forged form or fetch is caught here even before the
 * CSRF token is looked at.
 */
export function checkOrigin(req: Request) {
  const origin = req.get('origin');
  const own = `${req.protocol}://${req.get('host')}`;
  if (origin !== undefined && origin !== own) {
    throw new AppError('FORBIDDEN', `a change made with a session must come from ${own}'s own pages (Origin was ${origin})`, { field: 'Origin' });
  }
  const site = req.get('sec-fetch-site');
  if (origin === undefined && site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new AppError('FORBIDDEN', 'a change made with a session must come from this site’s own pages', { field: 'Origin' });
  }
}
