/**
 * Line health: the results of each line's calls over a sliding window, and the drain decision.
 * The counts are shared and fast (Redis, or memory in a single process: the Redis store lives
 * in connectors/redis/ because core/ imports no vendor SDK); the decision is written to
 * PostgreSQL so every process and GET /v1/lines see the same drained lines.
 */
import type { Deps } from '../deps.ts';

import { lineResults, type LineHealthStore, type LineResult, type LineStats } from './stores.ts';

export interface HealthWindow {
  /** Default 15 minutes. */
  windowMs?: number;
  /** Counts are kept per bucket of this size; default 1 minute (so the window slides by the minute). */
  bucketMs?: number;
}

export const DEFAULT_WINDOW_MS = 15 * 60_000;
export const DEFAULT_BUCKET_MS = 60_000;

export const emptyStats = (): LineStats => ({ sample: 0, answered: 0, failed: 0, answerRate: 0, failureRate: 0 });

/** Stats from raw counts per result. */
export function statsOf(counts: Partial<Record<LineResult, number>>): LineStats {
  const sample = lineResults.reduce((n, r) => n + (counts[r] ?? 0), 0);
  const answered = counts.answered ?? 0;
  const failed = counts.failed ?? 0;
  return { sample, answered, failed, answerRate: sample ? answered / sample : 0, failureRate: sample ? failed / sample : 0 };
}

/** The oldest bucket still inside the window that ends at `now`. */
export const firstBucket = (now: Date, windowMs: number, bucketMs: number) => Math.floor((now.getTime() - windowMs) / bucketMs) + 1;

/** One process only: counts per line per bucket in a Map. */
export function memoryHealthStore(options: HealthWindow = {}): LineHealthStore {
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const bucketMs = options.bucketMs ?? DEFAULT_BUCKET_MS;
  const lines = new Map<string, Map<number, Partial<Record<LineResult, number>>>>();
  const prune = (buckets: Map<number, unknown>, now: Date) => {
    const first = firstBucket(now, windowMs, bucketMs);
    for (const b of buckets.keys()) if (b < first) buckets.delete(b);
  };
  return {
    async record(lineId, result, at) {
      let buckets = lines.get(lineId);
      if (!buckets) lines.set(lineId, (buckets = new Map()));
      const b = Math.floor(at.getTime() / bucketMs);
      const counts = buckets.get(b) ?? {};
      counts[result] = (counts[result] ?? 0) + 1;
      buckets.set(b, counts);
      prune(buckets, at);
    },
    async stats(lineIds, now) {
      const first = firstBucket(now, windowMs, bucketMs);
      const last = Math.floor(now.getTime() / bucketMs);
      const out = new Map<string, LineStats>();
      for (const id of lineIds) {
        const total: Partial<Record<LineResult, number>> = {};
        for (const [b, counts] of lines.get(id) ?? []) {
          if (b < first || b > last) continue;
          for (const r of lineResults) total[r] = (total[r] ?? 0) + (counts[r] ?? 0);
        }
        out.set(id, statsOf(total));
      }
      return out;
    },
    async reset(lineId) {
      lines.delete(lineId);
    },
  };
}

export interface DrainPolicy {
  /** No verdict on fewer calls than this in the window; default 20. */
  minSample?: number;
  /** Drain at this failure rate or above; default 0.10. */
  maxFailureRate?: number;
}

type HealthLog = { info(o: object, msg: string): void; warn(o: object, msg: string): void };

export type LineResultEffect = 'recorded' | 'drained' | 'restored' | 'still-drained' | 'unknown-line';

/**
 * Records a call's result on its line and acts on it: a line whose failure rate reaches the
 * threshold over at least `minSample` calls is drained; on a drained line, the probe's result
 * decides — anything but `failed` restores it with a fresh window, `failed` keeps it drained.
 *
 * @param options.probe whether this call was the line's probe (chooseLine says so). When not
 *   given, a result on a drained line counts as the probe's once a probe was claimed after the
 *   drain: a late result of a call placed before the drain must not restore the line.
 */
export async function recordLineResult(
  deps: Pick<Deps, 'db'> & { log?: HealthLog },
  store: LineHealthStore,
  tenantId: string,
  lineId: string,
  result: LineResult,
  now: Date,
  options: DrainPolicy & { probe?: boolean } = {},
): Promise<LineResultEffect> {
  const { rows } = await deps.db.query<{ drained_at: Date | null; last_probe_at: Date | null }>(
    `select drained_at, last_probe_at from lines where tenant_id = $1 and id = $2`,
    [tenantId, lineId],
  );
  const line = rows[0];
  if (!line) return 'unknown-line'; // deleted since the call was placed: nothing to judge
  await store.record(lineId, result, now);

  if (line.drained_at) {
    const probe = options.probe ?? (line.last_probe_at !== null && line.last_probe_at >= line.drained_at);
    if (!probe) return 'still-drained';
    if (result === 'failed') {
      deps.log?.info({ tenantId, lineId }, 'line probe failed: the line stays drained');
      return 'still-drained';
    }
    const restored = await deps.db.query(
      `update lines set drained_at = null, drain_reason = null, updated_at = now()
        where tenant_id = $1 and id = $2 and drained_at is not null`,
      [tenantId, lineId],
    );
    await store.reset(lineId);
    if (restored.rowCount) deps.log?.info({ tenantId, lineId, result }, 'line probe succeeded: the line is back in the pool');
    return 'restored';
  }

  const minSample = options.minSample ?? 20;
  const maxFailureRate = options.maxFailureRate ?? 0.1;
  const stats = (await store.stats([lineId], now)).get(lineId) ?? emptyStats();
  if (stats.sample < minSample || stats.failureRate < maxFailureRate) return 'recorded';
  const reason = `${Math.round(stats.failureRate * 100)}% of ${stats.sample} calls failed`;
  // last_probe_at is cleared so the first probe waits a full interval after the drain.
  const drained = await deps.db.query(
    `update lines set drained_at = $3, drain_reason = $4, last_probe_at = null, updated_at = now()
      where tenant_id = $1 and id = $2 and drained_at is null`,
    [tenantId, lineId, now, reason],
  );
  if (drained.rowCount) {
    deps.log?.warn({ tenantId, lineId, sample: stats.sample, failureRate: stats.failureRate }, 'line drained: its calls fail over to other lines');
  }
  return 'drained';
}
