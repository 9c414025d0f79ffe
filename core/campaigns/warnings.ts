/**
 * What is wrong with a campaign that does not stop it being saved but would stop its chases,
 * shown with the campaign (on create, change and every read), so nobody finds out from a
 * failed chase. Today: no line to call from. (A campaign's own `lines` always include one
 * every chase reaches — the schema requires a minPriority 0 line — and the pool serves any
 * tier when the wanted one is missing, so one enabled pool line is enough.)
 */
import type pg from 'pg';
import type { Campaign } from './campaigns.ts';

export interface CampaignWarning {
  /** Stable: `no-line`. */
  code: 'no-line';
  /** The campaign field to change. */
  field: string;
  message: string;
}

/** The tenant's line pool as the warnings need it: read once for any number of campaigns. */
export interface PoolState {
  total: number;
  enabled: number;
}

export async function poolState(db: Pick<pg.Pool, 'query'>, tenantId: string): Promise<PoolState> {
  const { rows } = await db.query<PoolState>(`select count(*)::int as total, count(*) filter (where enabled)::int as enabled from lines where tenant_id = $1`, [
    tenantId,
  ]);
  return rows[0] ?? { total: 0, enabled: 0 };
}

export function campaignWarnings(campaign: Pick<Campaign, 'lines'>, pool: PoolState): CampaignWarning[] {
  if (campaign.lines.length || pool.enabled > 0) return [];
  const why = pool.total === 0 ? "the tenant's line pool is empty" : `all ${pool.total} lines of the tenant's pool are disabled`;
  return [
    {
      code: 'no-line',
      field: 'lines',
      message: `no line can call for this campaign: it has no lines of its own and ${why}, so its chases would fail with no-line. Add a line (POST /v1/lines) or give the campaign its own "lines".`,
    },
  ];
}
