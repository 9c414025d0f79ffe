/**
 * Scripts as an operator reads them: per campaign and script, its chases and complaints since its
 * flag was last cleared (since the start when never), the complaint rate and its lower bound, and
 * the flag in force. Clearing a flag puts a paused script back into matching.
 */
import type { Actor, Deps } from '../deps.ts';
import { audit } from '../privacy/audit.ts';
import { getCampaign } from '../campaigns/campaigns.ts';
import { withTransaction } from '../db/pool.ts';
import { notFound } from '../errors.ts';
import { flagSettings } from './flags.ts';
import { wilsonLower } from './flags.rules.ts';

export interface ScriptStats {
  campaignId: string;
  campaignName: string;
  script: string;
  chases: number;
  complaints: number;
  complaintRate: number;
  complaintRateLower: number;
  flagged: { at: string; reason: string } | null;
  paused: boolean;
}

interface Row {
  campaign_id: string;
  campaign_name: string;
  script: string;
  script_flags: unknown;
  complaints: number | null;
  flagged_at: Date | null;
  reason: string | null;
  chases: string;
}

/**
 * A campaign's scripts in their matching order (every campaign's without one), each with its
 * chases counted through the (campaign, script) index and its complaints as counted when recorded.
 */
const SELECT = `
  select cp.id as campaign_id, cp.name as campaign_name, s.name as script, cp.script_flags, f.complaints, f.flagged_at, f.reason,
         (select count(*) from chases c
           where c.tenant_id = cp.tenant_id and c.campaign_id = cp.id and c.script = s.name and c.created_at >= coalesce(f.since, '-infinity')) as chases
    from campaigns cp
   cross join lateral (select e ->> 'name' as name, n from jsonb_array_elements(cp.scripts) with ordinality as x (e, n)) s
    left join script_flags f on f.tenant_id = cp.tenant_id and f.campaign_id = cp.id and f.script = s.name
   where cp.tenant_id = $1 and ($2::uuid is null or cp.id = $2) and ($3::text is null or s.name = $3)
   order by cp.created_at, cp.id, s.n`;

function toStats(r: Row): ScriptStats {
  const chases = Number(r.chases);
  const complaints = r.complaints ?? 0;
  const flagged = r.flagged_at ? { at: r.flagged_at.toISOString(), reason: r.reason ?? '' } : null;
  return {
    campaignId: r.campaign_id,
    campaignName: r.campaign_name,
    script: r.script,
    chases,
    complaints,
    complaintRate: chases ? complaints / chases : 0,
    complaintRateLower: wilsonLower(complaints, chases),
    flagged,
    paused: flagged !== null && flagSettings(r.script_flags).autoPause,
  };
}

export async function listScripts(deps: Deps, tenantId: string, input: { campaignId?: string | undefined }): Promise<ScriptStats[]> {
  if (input.campaignId) await getCampaign(deps.db, tenantId, input.campaignId, 'campaignId');
  const { rows } = await deps.db.query<Row>(SELECT, [tenantId, input.campaignId ?? null, null]);
  return rows.map(toStats);
}

/**
 * Clears a script's flag: it is chosen again (when it was paused) and judged afresh on the chases
 * it gets from now on. Clearing a script that is not flagged changes nothing. Audited.
 */
export async function clearScriptFlag(deps: Deps, actor: Actor, input: { campaignId: string; script: string }): Promise<ScriptStats> {
  await getCampaign(deps.db, actor.tenantId, input.campaignId, 'campaignId');
  const now = deps.clock?.now() ?? new Date();
  return withTransaction(deps.db, async (tx) => {
    const { rows: cleared } = await tx.query<{ reason: string }>(
      `with old as (
         select reason from script_flags where tenant_id = $1 and campaign_id = $2 and script = $3 and flagged_at is not null for update)
       update script_flags f
          set since = $4, complaints = 0, flagged_at = null, reason = null, chases = null, rate = null, rate_lower = null, cleared_at = $4, cleared_by = $5
         from old where f.tenant_id = $1 and f.campaign_id = $2 and f.script = $3
       returning old.reason`,
      [actor.tenantId, input.campaignId, input.script, now, actor.keyId],
    );
    const { rows } = await tx.query<Row>(SELECT, [actor.tenantId, input.campaignId, input.script]);
    if (!rows[0]) throw notFound('script in this campaign', 'script');
    if (cleared[0]) await audit(tx, actor, 'script.clear-flag', { campaignId: input.campaignId, script: input.script, reason: cleared[0].reason });
    return toStats(rows[0]);
  });
}
