/**
 * The OAuth `state` of an install: which tenant asked, until when the link is good, signed
 * with the app's client secret (HMAC-SHA256) so a callback cannot be pointed at another
 * tenant or replayed after ten minutes.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const STATE_TTL_MS = 10 * 60_000;

const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(`hubspot-install.${payload}`).digest();

export function signState(secret: string, tenantId: string, now = Date.now()): { state: string; expiresAt: Date } {
  const expiresAt = new Date(now + STATE_TTL_MS);
  const payload = Buffer.from(JSON.stringify({ t: tenantId, e: expiresAt.getTime(), n: randomBytes(8).toString('hex') })).toString('base64url');
  return { state: `${payload}.${mac(secret, payload).toString('base64url')}`, expiresAt };
}

/** The tenant a state names, or null when it is not ours, was changed, or has expired. */
export function verifyState(secret: string, state: string, now = Date.now()): string | null {
  const [payload, signature, extra] = state.split('.');
  if (!payload || !signature || extra !== undefined) return null;
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const { t, e } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { t?: unknown; e?: unknown };
    return typeof t === 'string' && typeof e === 'number' && e > now ? t : null;
  } catch {
    return null;
  }
}
