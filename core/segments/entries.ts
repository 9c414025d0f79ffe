/**
 * Segment-entry campaigns: a contact entering the segment (in one of the campaign's tiers)
 * gets a chase once. Who was started is kept in campaign_entries; a contact that leaves the
 * segment loses its row there, so entering again starts a new chase. Run after every refresh.
 */
import { withTransaction } from '../db/pool.ts';
import { getCampaign, type Campaign } from '../campaigns/campaigns.ts';
import { CANDIDATE_SELECT, startCandidates, type BulkResult, type CandidateRow } from '../chases/chases.ts';
import type { Deps } from '../deps.ts';
import { refreshSegment } from './segments.ts';

export async function startSegmentEntries(deps: Deps, tenantId: string, campaign: Campaign): Promise<BulkResult> {
  if (campaign.trigger.type !== 'segment-entry' || campaign.status !== 'active') {
    return { created: 0, skipped: { alreadyLive: 0, optedOut: 0, invalidNumber: 0, scriptPaused: 0 } };
  }
  const { segmentId, tiers } = campaign.trigger;
  const entered = await withTransaction(deps.db, async (tx) => {
    await tx.query(`select 1 from campaigns where tenant_id = $1 and id = $2 for update`, [tenantId, campaign.id]);
    await tx.query(
      `delete from campaign_entries e where e.tenant_id = $1 and e.campaign_id = $2
          and not exists (select 1 from segment_members m where m.tenant_id = $1 and m.segment_id = $3 and m.contact_id = e.contact_id
                            and ($4::text[] is null or m.tier = any($4)))`,
      [tenantId, campaign.id, segmentId, tiers ?? null],
    );
    const { rows } = await tx.query<CandidateRow>(
      `${CANDIDATE_SELECT} join segment_members m on m.tenant_id = c.tenant_id and m.contact_id = c.id
        where m.tenant_id = $1 and m.segment_id = $2 and ($3::text[] is null or m.tier = any($3))
          and not exists (select 1 from campaign_entries e where e.tenant_id = $1 and e.campaign_id = $4 and e.contact_id = c.id)`,
      [tenantId, segmentId, tiers ?? null, campaign.id],
    );
    // Every entry is recorded, dialable or not: an opted-out entrant is not retried each refresh.
    await tx.query(`insert into campaign_entries (tenant_id, campaign_id, contact_id) select $1, $2, unnest($3::uuid[]) on conflict do nothing`, [
      tenantId,
      campaign.id,
      rows.map((r) => r.contact_id),
    ]);
    return rows;
  });
  return startCandidates(deps, tenantId, campaign, entered);
}

/** Refreshes a segment, then starts the segment-entry campaigns watching it. */
export async function refreshSegmentAndStart(deps: Deps, tenantId: string, segmentId: string): Promise<Record<string, number>> {
  const counts = await refreshSegment(deps, tenantId, segmentId);
  if (!deps.jobs) return counts;
  const { rows } = await deps.db.query<{ id: string }>(
    `select id from campaigns where tenant_id = $1 and status = 'active' and trigger ->> 'type' = 'segment-entry' and trigger ->> 'segmentId' = $2`,
    [tenantId, segmentId],
  );
  for (const r of rows) await startSegmentEntries(deps, tenantId, await getCampaign(deps.db, tenantId, r.id));
  return counts;
}

/** The periodic job: segments watched by an active segment-entry campaign, refreshed when older than `everyMinutes`. */
export async function refreshWatchedSegments(deps: Deps, everyMinutes = 5): Promise<number> {
  const { rows } = await deps.db.query<{ tenant_id: string; id: string }>(
    `select distinct s.tenant_id, s.id from segments s
       join campaigns c on c.tenant_id = s.tenant_id and c.status = 'active' and c.trigger ->> 'type' = 'segment-entry' and c.trigger ->> 'segmentId' = s.id::text
      where s.refreshed_at is null or s.refreshed_at < now() - make_interval(mins => $1)`,
    [everyMinutes],
  );
  for (const r of rows) await refreshSegmentAndStart(deps, r.tenant_id, r.id);
  return rows.length;
}
