/**
 * Apps installed from an outside account (a store installing Chaseline from its admin): the
 * account is a tenant of its own, made on the first install and found again on every later one,
 * and its connector is saved with what the install handed over, without anyone typing a token.
 * Which vendor it is stays the caller's business: `type` is a registry id.
 */
import type { Deps } from '../deps.ts';
import { saveConnector } from './connectors.ts';
import { createTenant } from '../tenants/tenants.ts';
import { isAcceptedText } from '../common/text.ts';

/** Installs are made by the vendor's signed callback, not by a key: this stands for it. */
const INSTALLER = { tenantId: '', keyId: '', role: 'admin', canManageTenants: true } as const;

export interface Install {
  type: string;
  account: string;
  /** Checked by the registry's schema before it comes here. */
  credentials: object;
  /** The new tenant's name and region, on a first install. */
  tenantName: string;
  defaultRegion: string;
}

/**
 * The tenant whose connector of `type` is for `account`, enabled or not (an uninstalled
 * account installs again into its own tenant); the most recently changed when several are.
 */
async function installedTenant(deps: Deps, type: string, account: string): Promise<string | null> {
  const { rows } = await deps.db.query<{ tenant_id: string }>(
    `select tenant_id from connectors where type = $1 and account = $2 order by enabled desc, updated_at desc limit 1`,
    [type, account],
  );
  return rows[0]?.tenant_id ?? null;
}

/** First install: a new tenant named after the account. Re-install: the same tenant, its connector enabled again. */
export async function installAccount(deps: Deps, input: Install): Promise<{ tenantId: string; created: boolean }> {
  // One install of an account at a time (a double-clicked install must not make two tenants).
  const lock = await deps.db.connect();
  try {
    await lock.query(`select pg_advisory_lock(hashtext($1))`, [`chaseline:install:${input.type}:${input.account}`]);
    const existing = await installedTenant(deps, input.type, input.account);
    const tenantId = existing ?? (await createTenant(deps, INSTALLER, { name: input.tenantName, defaultRegion: input.defaultRegion })).id;
    await saveConnector(deps, tenantId, input.type, input.credentials, { enabled: true, account: input.account });
    // Back before its data was erased: the erasure scheduled at the uninstall is called off.
    await deps.db.query(`delete from account_erasures where tenant_id = $1 and connector = $2 and account = $3 and erased_at is null`, [
      tenantId,
      input.type,
      input.account,
    ]);
    return { tenantId, created: !existing };
  } finally {
    const unlocked = await lock.query(`select pg_advisory_unlock(hashtext($1))`, [`chaseline:install:${input.type}:${input.account}`]).then(
      () => true,
      () => false,
    );
    // A connection that may still hold the lock is closed rather than handed to someone else.
    lock.release(!unlocked);
  }
}

/** The tenant whose enabled connector of `type` is for `account`: who an embedded page or a signed call from the account is. */
export async function accountTenant(deps: Deps, type: string, account: string): Promise<string | null> {
  if (!isAcceptedText(account)) return null;
  const { rows } = await deps.db.query<{ tenant_id: string }>(
    `select tenant_id from connectors where type = $1 and account = $2 and enabled order by updated_at desc limit 1`,
    [type, account],
  );
  return rows[0]?.tenant_id ?? null;
}
