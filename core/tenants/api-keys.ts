/**
 * API keys: `chl_` + 32 random bytes. Only a SHA-256 of the key is stored; the key itself is
 * returned once, when it is made.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { AppError, notFound } from '../errors.ts';
import type { Actor, Deps, Role } from '../deps.ts';

export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface NewApiKey {
  id: string;
  key: string;
  role: Role;
  name: string;
}

const KEY_PREFIX = 'chl_';

export const hashKey = (key: string): Buffer => createHash('sha256').update(key).digest();
export const generateKey = (): string => KEY_PREFIX + randomBytes(32).toString('base64url');

type Queryable = Pick<pg.Pool, 'query'>;

export async function insertApiKey(
  db: Queryable,
  tenantId: string,
  input: { name: string; role: Role; key?: string; canManageTenants?: boolean },
): Promise<NewApiKey> {
  const id = randomUUID();
  const key = input.key ?? generateKey();
  await db.query(`insert into api_keys (tenant_id, id, name, role, key_hash, can_manage_tenants) values ($1, $2, $3, $4, $5, $6)`, [
    tenantId,
    id,
    input.name,
    input.role,
    hashKey(key),
    input.canManageTenants ?? false,
  ]);
  return { id, key, role: input.role, name: input.name };
}

export async function createApiKey(deps: Deps, actor: Actor, input: { name: string; role: Role }): Promise<NewApiKey> {
  return insertApiKey(deps.db, actor.tenantId, input);
}

/** Resolves a presented key to its actor, or null when unknown or revoked. */
export async function authenticate(deps: Deps, key: string): Promise<Actor | null> {
  // last_used_at is refreshed at most once a minute, so reads do not all become writes.
  const { rows } = await deps.db.query<{ tenant_id: string; id: string; role: Role; can_manage_tenants: boolean }>(
    `with key as (select tenant_id, id, role, can_manage_tenants from api_keys where key_hash = $1 and revoked_at is null),
          touched as (update api_keys set last_used_at = now()
                       where key_hash = $1 and revoked_at is null
                         and (last_used_at is null or last_used_at < now() - interval '1 minute'))
     select * from key`,
    [hashKey(key)],
  );
  const row = rows[0];
  if (!row) return null;
  return { tenantId: row.tenant_id, keyId: row.id, role: row.role, canManageTenants: row.can_manage_tenants };
}

interface KeyRow {
  id: string;
  name: string;
  role: Role;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const toView = (r: KeyRow): ApiKeyView => ({
  id: r.id,
  name: r.name,
  role: r.role,
  createdAt: r.created_at.toISOString(),
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
  revokedAt: r.revoked_at?.toISOString() ?? null,
});

export async function listApiKeys(deps: Deps, actor: Actor): Promise<ApiKeyView[]> {
  const { rows } = await deps.db.query<KeyRow>(
    `select id, name, role, created_at, last_used_at, revoked_at from api_keys where tenant_id = $1 order by created_at, id`,
    [actor.tenantId],
  );
  return rows.map(toView);
}

export async function revokeApiKey(deps: Deps, actor: Actor, id: string): Promise<ApiKeyView> {
  if (id === actor.keyId) throw new AppError('CONFLICT', 'a key cannot revoke itself', { field: 'id' });
  const { rows } = await deps.db.query<KeyRow>(
    `update api_keys set revoked_at = coalesce(revoked_at, now())
      where tenant_id = $1 and id = $2
      returning id, name, role, created_at, last_used_at, revoked_at`,
    [actor.tenantId, id],
  );
  if (!rows[0]) throw notFound('api key', 'id');
  return toView(rows[0]);
}
