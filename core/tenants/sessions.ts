/**
 * Browser sessions: an API key, presented once, is exchanged for a random session id that a
 * browser keeps in a cookie instead of the key. Only a SHA-256 of the id is stored. A session
 * carries its key's tenant, id and role, and ends when it expires, when it is signed out, or
 * when its key is revoked (every lookup joins the key).
 *
 * Writes made with a session need its CSRF token: derived from the session id, so it needs no
 * column of its own, and one-way, so a page that reads the token learns nothing of the id.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Actor, Deps, Role } from '../deps.ts';

/** How long a session lasts from sign-in. */
export const SESSION_TTL_HOURS = 12;

export interface NewSession {
  /** The secret the cookie carries; never stored. */
  id: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface SessionActor extends Actor {
  expiresAt: Date;
  csrfToken: string;
}

const hashId = (id: string): Buffer => createHash('sha256').update(id).digest();

/** The CSRF token of a session: a one-way derivation of its id. */
export const csrfTokenOf = (id: string): string => createHash('sha256').update(`chaseline-csrf:${id}`).digest('base64url');

/** Compares a presented CSRF token with the session's in constant time. */
export function csrfMatches(expected: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function createSession(deps: Deps, actor: Actor): Promise<NewSession> {
  const id = randomBytes(32).toString('base64url');
  const { rows } = await deps.db.query<{ expires_at: Date }>(
    `insert into sessions (tenant_id, id_hash, key_id, role, expires_at)
     values ($1, $2, $3, $4, now() + make_interval(hours => $5))
     returning expires_at`,
    [actor.tenantId, hashId(id), actor.keyId, actor.role, SESSION_TTL_HOURS],
  );
  // Expired sessions are swept as new ones are made: sign-ins are rare enough for this to stay cheap.
  await deps.db.query(`delete from sessions where expires_at < now() - interval '1 day'`);
  return { id, csrfToken: csrfTokenOf(id), expiresAt: rows[0]!.expires_at };
}

/** The actor behind a session id, or null when unknown, expired, signed out or its key revoked. */
export async function sessionActor(deps: Deps, id: string): Promise<SessionActor | null> {
  const { rows } = await deps.db.query<{ tenant_id: string; key_id: string; role: Role; can_manage_tenants: boolean; expires_at: Date }>(
    `select s.tenant_id, s.key_id, s.role, k.can_manage_tenants, s.expires_at
       from sessions s
       join api_keys k on k.tenant_id = s.tenant_id and k.id = s.key_id and k.revoked_at is null
      where s.id_hash = $1 and s.expires_at > now()`,
    [hashId(id)],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    tenantId: row.tenant_id,
    keyId: row.key_id,
    role: row.role,
    canManageTenants: row.can_manage_tenants,
    expiresAt: row.expires_at,
    csrfToken: csrfTokenOf(id),
  };
}

export async function endSession(deps: Deps, id: string): Promise<void> {
  await deps.db.query(`delete from sessions where id_hash = $1`, [hashId(id)]);
}
