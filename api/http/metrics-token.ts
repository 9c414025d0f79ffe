/**
 * /metrics behind CHASELINE_METRICS_TOKEN when it is set: Prometheus sends it as a bearer token
 * (`authorization: {credentials: …}` in its scrape config). The counters show every tenant's
 * traffic, so only the operator's scraper should read them. A wrong token counts as a failed
 * authentication of that address (auth-limit.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../../core/errors.ts';
import { limitFailures } from './auth-limit.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function requireMetricsToken(token: string | undefined): RequestHandler {
  if (!token) return (_req, _res, next) => next();
  const expected = digest(token);
  return async (req, res, next) => {
    await limitFailures(req, async () => {
      const given = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
      // Digests of equal length, so the comparison takes the same time whatever was sent.
      if (!given || !timingSafeEqual(digest(given), expected)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        throw new AppError('UNAUTHENTICATED', 'send the metrics token as "Authorization: Bearer <CHASELINE_METRICS_TOKEN>"', { field: 'Authorization' });
      }
    });
    next();
  };
}
