import { randomUUID } from 'node:crypto';
import { forbidden, notFound, validation } from '../errors.ts';
import { hashKey, insertApiKey, type NewApiKey } from './api-keys.ts';
import type { Actor, Deps } from '../deps.ts';
import { isRegionCode, normalizePhone, phoneProblem, type RawPhone } from '../phone/phone.ts';
import { withTransaction } from '../db/pool.ts';

export interface Tenant {
  id: string;
  name: string;
  defaultRegion: string;
  createdAt: string;
}

interface TenantRow {
  id: string;
  name: string;
  default_region: string;
  created_at: Date;
}

const toTenant = (r: TenantRow): Tenant => ({
  id: r.id,
  name: r.name,
  defaultRegion: r.default_region,
  createdAt: r.created_at.toISOString(),
});

function checkRegion(region: string): string {
  const upper = region.toUpperCase();
  if (!isRegionCode(upper)) throw validation(`"${region}" is not a known ISO 3166-1 region code`, 'defaultRegion');
  return upper;
}

export async function createTenant(deps: Deps, actor: Actor, input: { name: string; defaultRegion: string }): Promise<Tenant & { adminKey: NewApiKey }> {
  if (!actor.canManageTenants) throw forbidden('only the bootstrap admin key may create tenants');
  const defaultRegion = checkRegion(input.defaultRegion);
  return withTransaction(deps.db, async (tx) => {
    const { rows } = await tx.query<TenantRow>(
      `insert into tenants (id, name, default_region) values ($1, $2, $3) returning id, name, default_region, created_at`,
      [randomUUID(), input.name, defaultRegion],
    );
    const tenant = toTenant(rows[0]!);
    const adminKey = await insertApiKey(tx, tenant.id, { name: 'admin', role: 'admin' });
    return { ...tenant, adminKey };
  });
}

export async function getTenant(deps: Deps, tenantId: string): Promise<Tenant> {
  const { rows } = await deps.db.query<TenantRow>(`select id, name, default_region, created_at from tenants where id = $1`, [tenantId]);
  if (!rows[0]) throw notFound('tenant');
  return toTenant(rows[0]);
}

export async function updateTenant(deps: Deps, actor: Actor, input: { name?: string; defaultRegion?: string }): Promise<Tenant> {
  const region = input.defaultRegion === undefined ? null : checkRegion(input.defaultRegion);
  const { rows } = await deps.db.query<TenantRow>(
    `update tenants set name = coalesce($2, name), default_region = coalesce($3, default_region)
      where id = $1 returning id, name, default_region, created_at`,
    [actor.tenantId, input.name ?? null, region],
  );
  if (!rows[0]) throw notFound('tenant');
  return toTenant(rows[0]);
}

export interface Bootstrap {
  tenant: Tenant;
  /** Set only when this run made the default tenant and generated its key. */
  generatedAdminKey: string | null;
}

/**
 * Makes sure the default tenant exists and that `adminKey` (CHASELINE_ADMIN_KEY), when
 * given, is one of its bootstrap keys. The generated key is returned only on first run.
 */
export async function bootstrapDefaultTenant(deps: Deps, options: { adminKey?: string; defaultRegion: string }): Promise<Bootstrap> {
  return withTransaction(deps.db, async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(hashtext('chaseline:bootstrap'))`);
    const existing = await tx.query<TenantRow>(`select id, name, default_region, created_at from tenants where is_default`);
    let tenant = existing.rows[0] ? toTenant(existing.rows[0]) : null;
    let generatedAdminKey: string | null = null;
    if (!tenant) {
      const { rows } = await tx.query<TenantRow>(
        `insert into tenants (id, name, default_region, is_default) values ($1, 'default', $2, true)
         returning id, name, default_region, created_at`,
        [randomUUID(), checkRegion(options.defaultRegion)],
      );
      tenant = toTenant(rows[0]!);
      const made = await insertApiKey(tx, tenant.id, {
        name: 'bootstrap',
        role: 'admin',
        key: options.adminKey,
        canManageTenants: true,
      });
      if (!options.adminKey) generatedAdminKey = made.key;
    } else if (options.adminKey) {
      const known = await tx.query(`select 1 from api_keys where key_hash = $1`, [hashKey(options.adminKey)]);
      if (known.rowCount === 0) {
        await insertApiKey(tx, tenant.id, { name: 'bootstrap', role: 'admin', key: options.adminKey, canManageTenants: true });
      }
    }
    return { tenant, generatedAdminKey };
  });
}

/**
 * For an admin who lost the printed key: revokes every bootstrap key of the default tenant
 * and makes a new one, in one transaction (audited, with no actor: it came from a terminal
 * with access to the database). The new key is returned once; only its hash is stored.
 */
export async function resetBootstrapKey(deps: Deps): Promise<{ tenant: Tenant; key: NewApiKey; revoked: string[] }> {
  return withTransaction(deps.db, async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(hashtext('chaseline:bootstrap'))`);
    const found = await tx.query<TenantRow>(`select id, name, default_region, created_at from tenants where is_default`);
    if (!found.rows[0]) throw notFound('default tenant');
    const tenant = toTenant(found.rows[0]);
    const revoked = await tx.query<{ id: string }>(
      `update api_keys set revoked_at = now() where tenant_id = $1 and can_manage_tenants and revoked_at is null returning id`,
      [tenant.id],
    );
    const key = await insertApiKey(tx, tenant.id, { name: 'bootstrap', role: 'admin', canManageTenants: true });
    const ids = revoked.rows.map((r) => r.id);
    await tx.query(`insert into audit_log (tenant_id, actor_key_id, action, details) values ($1, null, 'api-key.reset-bootstrap', $2)`, [
      tenant.id,
      { keyId: key.id, revoked: ids },
    ]);
    return { tenant, key, revoked: ids };
  });
}

/** A number given by a caller, in E.164 under the tenant's default region (normalizePhone); 400 naming `field` if invalid. */
export async function tenantPhone(deps: Deps, tenantId: string, phone: RawPhone | string, field = 'phone'): Promise<string> {
  const result = normalizePhone(phone, (await getTenant(deps, tenantId)).defaultRegion);
  if (!result.valid) throw validation(phoneProblem(result), field);
  return result.e164!;
}
