/**
 * Script flags, kept as complaints happen: each complaint recorded (core/reports/complaints.ts)
 * adds to its chase's (campaign, script) counter here, and the script is judged again
 * (flags.rules.ts) with one upsert that also counts the script's chases through an index — the
 * bound only rises with a complaint, so nothing needs judging at any other time. A flag is raised
 * once, with a `script.flagged` event in the same transaction. Clearing it starts the count again:
 * an operator who clears a flag has changed the script (or accepted it), and the new version is
 * judged on its own chases.
 */
import type pg from 'pg';
import { emitEvent } from '../events/emit.ts';
import { DEFAULT_SCRIPT_FLAG_SETTINGS, flagReason, judgeScript, ScriptFlagSettingsSchema, type ScriptFlagSettings } from './flags.rules.ts';

type Tx = Pick<pg.PoolClient, 'query'>;

/** The flag settings a campaign stored (null: the defaults). */
export const flagSettings = (stored: unknown): ScriptFlagSettings => (stored ? ScriptFlagSettingsSchema.parse(stored) : DEFAULT_SCRIPT_FLAG_SETTINGS);

/**
 * Counts newly recorded complaints of these chases against their scripts and flags any script
 * they push over its campaign's limit. Call it in the transaction that recorded the complaints.
 * @returns the scripts flagged now
 */
export async function countComplaints(tx: Tx, tenantId: string, chaseIds: string[], at: Date): Promise<{ campaignId: string; script: string }[]> {
  if (!chaseIds.length) return [];
  const { rows: groups } = await tx.query<{ campaign_id: string; script: string; created: Date[] }>(
    `select campaign_id, script, array_agg(created_at) as created from chases
      where tenant_id = $1 and id = any($2::uuid[]) and script is not null group by campaign_id, script`,
    [tenantId, chaseIds],
  );
  const flagged: { campaignId: string; script: string }[] = [];
  for (const g of groups) {
    // One statement per script: add the complaints of chases since the last clear, then (unless
    // the script is flagged already) count its chases since then and read the campaign's settings.
    const { rows } = await tx.query<{ complaints: number; chases: string | null; flagged: boolean; settings: unknown }>(
      `insert into script_flags as f (tenant_id, campaign_id, script, since, complaints)
       values ($1, $2, $3, '-infinity', cardinality($4::timestamptz[]))
       on conflict (tenant_id, campaign_id, script) do update
         set complaints = f.complaints + (select count(*) from unnest($4::timestamptz[]) t where t >= f.since)
       returning f.complaints, f.flagged_at is not null as flagged,
         case when f.flagged_at is null then (select count(*) from chases c where c.tenant_id = $1 and c.campaign_id = $2 and c.script = $3 and c.created_at >= f.since) end as chases,
         (select script_flags from campaigns where tenant_id = $1 and id = $2) as settings`,
      [tenantId, g.campaign_id, g.script, g.created],
    );
    const r = rows[0]!;
    if (r.flagged) continue;
    const settings = flagSettings(r.settings);
    const verdict = judgeScript(r.complaints, Number(r.chases), settings);
    if (!verdict.flag) continue;
    const reason = flagReason(verdict, settings);
    const { rowCount } = await tx.query(
      `update script_flags set flagged_at = $4, reason = $5, chases = $6, rate = $7, rate_lower = $8
        where tenant_id = $1 and campaign_id = $2 and script = $3 and flagged_at is null`,
      [tenantId, g.campaign_id, g.script, at, reason, verdict.chases, verdict.rate, verdict.lower],
    );
    if (!rowCount) continue;
    await emitEvent(tx, tenantId, 'script.flagged', {
      campaignId: g.campaign_id,
      script: g.script,
      complaints: verdict.complaints,
      chases: verdict.chases,
      rate: verdict.rate,
      lower: verdict.lower,
      threshold: settings.maxComplaintRate,
    });
    flagged.push({ campaignId: g.campaign_id, script: g.script });
  }
  return flagged;
}

/** The scripts of a campaign out of matching now: flagged, when the campaign pauses flagged scripts. */
export async function pausedScripts(db: Tx, tenantId: string, campaign: { id: string; scriptFlags: ScriptFlagSettings }): Promise<Set<string>> {
  if (!campaign.scriptFlags.autoPause) return new Set();
  const { rows } = await db.query<{ script: string }>(`select script from script_flags where tenant_id = $1 and campaign_id = $2 and flagged_at is not null`, [
    tenantId,
    campaign.id,
  ]);
  return new Set(rows.map((r) => r.script));
}
