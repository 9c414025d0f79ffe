/**
 * Which pool line a call goes out on: the wanted tier first (a premium contact stays on
 * premium lines), healthy lines cheapest first, a drained line's probe before them once per
 * probe interval, and only a line with a CPS token free right now.
 */
import type { Deps } from '../deps.ts';
import { allLines, type Line, type LineTier } from './lines.ts';
import type { DrainPolicy } from './health.ts';
import type { LineStores } from './stores.ts';

/** The bucket key of a line: tenant-scoped, so ids never collide across tenants. */
export const lineBucketKey = (tenantId: string, lineId: string) => `line:${tenantId}:${lineId}`;

export const DEFAULT_PROBE_INTERVAL_MS = 60_000;

/** premium is higher than standard. */
const tierRank: Record<LineTier, number> = { standard: 0, premium: 1 };

/** Contacts at or above `premiumFromPriority` get premium lines. */
export const linePolicyTier = (priority: number, premiumFromPriority: number): LineTier => (priority >= premiumFromPriority ? 'premium' : 'standard');

export type LineChoice = { line: Line; probe: boolean } | { waitMs: number };

export interface ChooseOptions extends DrainPolicy {
  wantTier: LineTier;
  /** Lines not to use (e.g. the one that just failed this chase's call). */
  exclude?: string[];
  /** Default 60 s: a drained line gets one probe call per interval. */
  probeIntervalMs?: number;
}

/**
 * The tiers a contact may be called on, best fit first: the wanted tier, then higher ones —
 * except that when no line of a tier at or above the wanted one exists, lower tiers are used
 * rather than not calling at all.
 */
export function eligibleTiers(wantTier: LineTier, present: Set<LineTier>): LineTier[] {
  const atOrAbove = (Object.keys(tierRank) as LineTier[]).filter((t) => tierRank[t] >= tierRank[wantTier]).sort((a, b) => tierRank[a] - tierRank[b]);
  if (atOrAbove.some((t) => present.has(t))) return atOrAbove;
  return (Object.keys(tierRank) as LineTier[]).filter((t) => tierRank[t] < tierRank[wantTier]).sort((a, b) => tierRank[b] - tierRank[a]);
}

const byTierCostName = (tiers: LineTier[]) => (a: Line, b: Line) =>
  tiers.indexOf(a.tier) - tiers.indexOf(b.tier) || a.costPerMinute - b.costPerMinute || a.name.localeCompare(b.name);

/**
 * Chooses a line and takes its CPS token. `{ waitMs }` when every usable line is out of tokens
 * (or only drained lines remain and none is due a probe); null when the tenant has no enabled
 * line of a tier the contact may use — the caller falls back or fails the chase.
 */
export async function chooseLine(deps: Pick<Deps, 'db'>, stores: LineStores, tenantId: string, options: ChooseOptions, now: Date): Promise<LineChoice | null> {
  const probeIntervalMs = options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
  const exclude = new Set(options.exclude ?? []);
  const enabled = (await allLines(deps.db, tenantId)).filter((l) => l.enabled && !exclude.has(l.id));
  const tiers = eligibleTiers(options.wantTier, new Set(enabled.map((l) => l.tier)));
  const candidates = enabled.filter((l) => tiers.includes(l.tier)).sort(byTierCostName(tiers));
  if (!candidates.length) return null;

  // A line over the threshold whose drain another process has not written yet is passed over.
  const minSample = options.minSample ?? 20;
  const maxFailureRate = options.maxFailureRate ?? 0.1;
  const stats = await stores.health.stats(
    candidates.filter((l) => !l.drainedAt).map((l) => l.id),
    now,
  );
  const failing = (l: Line) => {
    const s = stats.get(l.id);
    return s !== undefined && s.sample >= minSample && s.failureRate >= maxFailureRate;
  };
  const probeDueAt = (l: Line) => Date.parse(l.lastProbeAt ?? l.drainedAt!) + probeIntervalMs;
  const drained = candidates.filter((l) => l.drainedAt);
  const probes = drained.filter((l) => probeDueAt(l) <= now.getTime());
  // Failing-but-not-drained lines go last rather than nowhere: a drain lost to a crash must not stop all calls.
  const live = candidates.filter((l) => !l.drainedAt);
  const healthy = [...live.filter((l) => !failing(l)), ...live.filter(failing)];

  let waitMs = Infinity;
  for (const line of probes) {
    const wait = await stores.cps.take(lineBucketKey(tenantId, line.id), line.cps);
    if (wait > 0) {
      waitMs = Math.min(waitMs, wait);
      continue;
    }
    // The claim is what makes it one probe per interval across all workers; losing it wastes one token.
    const claimed = await deps.db.query<{ last_probe_at: Date }>(
      `update lines set last_probe_at = $3
        where tenant_id = $1 and id = $2 and drained_at is not null and enabled
          and coalesce(last_probe_at, drained_at) <= $3::timestamptz - make_interval(secs => $4::double precision / 1000)
        returning last_probe_at`,
      [tenantId, line.id, now, probeIntervalMs],
    );
    if (claimed.rowCount) return { line: { ...line, lastProbeAt: now.toISOString() }, probe: true };
    waitMs = Math.min(waitMs, probeIntervalMs); // another worker took this interval's probe
  }
  for (const line of healthy) {
    const wait = await stores.cps.take(lineBucketKey(tenantId, line.id), line.cps);
    if (wait === 0) return { line, probe: false };
    waitMs = Math.min(waitMs, wait);
  }
  // Only drained lines, none due: wait for the soonest probe.
  for (const line of drained) if (!probes.includes(line)) waitMs = Math.min(waitMs, Math.max(1, probeDueAt(line) - now.getTime()));
  return { waitMs };
}
