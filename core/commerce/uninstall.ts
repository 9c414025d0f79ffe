/**
 * A store uninstalled the app. Its access token died with the install, so the connector is
 * disabled; the chases it started stop; and its customers' data is erased when the store says
 * (shop/redact, which Shopify sends 48 hours after the uninstall) or, if that never comes, once
 * the same 48 hours have passed (the reap job), so erasure never hangs on one webhook.
 * https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance#shop-redact
 */
import type { Deps } from '../deps.ts';
import { withTransaction } from '../db/pool.ts';
import { LIVE } from '../chases/store.ts';
import { endChases } from '../chases/transitions.ts';
import { STORE_SYSTEM, type UninstallEvent } from './commerce.ts';
import { applyRedact } from './customers.ts';

/** How long after an uninstall the store's data is erased, shop/redact or not. */
export const ERASE_AFTER_UNINSTALL_MS = 48 * 3_600_000;

export async function applyUninstall(deps: Deps, tenantId: string, e: UninstallEvent): Promise<{ ended: number; dueAt: Date }> {
  const now = deps.clock?.now() ?? new Date();
  const dueAt = new Date(now.getTime() + ERASE_AFTER_UNINSTALL_MS);
  return withTransaction(deps.db, async (tx) => {
    await tx.query(
      `update connectors set enabled = false, last_error = 'the app was uninstalled from the store: install it again to reconnect', updated_at = now()
        where tenant_id = $1 and type = $2 and account = $3`,
      [tenantId, STORE_SYSTEM, e.shop],
    );
    // The store's chases: its abandoned checkouts', and any other of its customers'.
    const { rows } = await tx.query<{ id: string }>(
      `select ch.id from chases ch where ch.tenant_id = $1 and ch.status = any($3) and (
         exists (select 1 from campaigns c where c.tenant_id = ch.tenant_id and c.id = ch.campaign_id and c.trigger ->> 'type' = 'abandoned-checkout')
         or exists (select 1 from contact_crm_refs r where r.tenant_id = ch.tenant_id and r.contact_id = ch.contact_id and r.system = $2))`,
      [tenantId, STORE_SYSTEM, LIVE],
    );
    const ended = rows.length
      ? await endChases(tx, tenantId, { chaseIds: rows.map((r) => r.id) }, 'canceled', { reason: 'the app was uninstalled from the store' })
      : 0;
    await tx.query(
      `insert into account_erasures (tenant_id, connector, account, uninstalled_at, due_at) values ($1, $2, $3, $4, $5)
       on conflict (tenant_id, connector, account) do update set uninstalled_at = excluded.uninstalled_at, due_at = excluded.due_at, erased_at = null`,
      [tenantId, STORE_SYSTEM, e.shop, now, dueAt],
    );
    return { ended, dueAt };
  });
}

/** A shop's data was erased (its shop/redact, or the due date): its scheduled erasure is done. */
export async function markShopErased(deps: Deps, tenantId: string, shop: string): Promise<void> {
  await deps.db.query(`update account_erasures set erased_at = now() where tenant_id = $1 and connector = $2 and account = $3 and erased_at is null`, [
    tenantId,
    STORE_SYSTEM,
    shop,
  ]);
}

/** The reap job's part: every uninstalled store whose erasure is due and not done is erased now. */
export async function eraseDueShops(deps: Deps): Promise<number> {
  const now = deps.clock?.now() ?? new Date();
  const { rows } = await deps.db.query<{ tenant_id: string; account: string }>(
    `select tenant_id, account from account_erasures where erased_at is null and due_at <= $1 and connector = $2 limit 100`,
    [now, STORE_SYSTEM],
  );
  for (const r of rows) {
    await applyRedact(deps, r.tenant_id, { shop: r.account, customerId: null, phone: null });
    await markShopErased(deps, r.tenant_id, r.account);
  }
  return rows.length;
}
