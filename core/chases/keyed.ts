/**
 * Chases started by an outside system's signed call (a store's Flow action) that may come more
 * than once for the same run: the run's key starts one chase, and a repeat answers with it.
 * The campaign is named as people type it in such a system: its id, or its exact name.
 */
import type { Deps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { getChase, startChase, type ChaseDetail, type StartChase } from './chases.ts';
import type { Campaign } from '../campaigns/campaigns.ts';
import { getCampaign } from '../campaigns/campaigns.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An active or paused campaign by id or by name; 404 naming `field` otherwise. */
export async function campaignByRef(deps: Deps, tenantId: string, ref: string, field: string): Promise<Campaign> {
  const { rows } = await deps.db.query<{ id: string }>(
    `select id from campaigns where tenant_id = $1 and status <> 'canceled' and (($2::uuid is not null and id = $2::uuid) or name = $3) order by created_at limit 1`,
    [tenantId, UUID.test(ref) ? ref : null, ref.trim()],
  );
  if (!rows[0]) throw notFound(`campaign "${ref}"`, field);
  return getCampaign(deps.db, tenantId, rows[0].id, field);
}

/** Starts the chase once per key; a repeat of the key returns the chase it started. */
export async function startKeyedChase(deps: Deps, tenantId: string, input: StartChase, key: string): Promise<{ chase: ChaseDetail; repeated: boolean }> {
  // chases_one_per_source holds one chase per campaign and key, even for two repeats at once.
  const { rows } = await deps.db.query<{ id: string }>(`select id from chases where tenant_id = $1 and campaign_id = $2 and source_key = $3`, [
    tenantId,
    input.campaignId,
    key,
  ]);
  if (rows[0]) return { chase: await getChase(deps, tenantId, rows[0].id), repeated: true };
  return { chase: await startChase(deps, tenantId, input, { sourceKey: key }), repeated: false };
}
