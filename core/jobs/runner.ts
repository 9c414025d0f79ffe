/**
 * A worker loop over one pg-boss queue. pg-boss's own `work()` waits at least 500 ms between
 * polls even when jobs keep coming; a chase due now should be dialled well within that, so
 * this loop keeps up to `batchSize` jobs running at once and fetches more as soon as half of
 * those slots are free, rather than waiting for a whole batch to finish (one slow carrier
 * request would hold back every other job fetched with it). When the queue is empty it polls
 * every `idleMs`. Each job is completed or failed on its own; finished jobs are completed in
 * one statement before the next fetch. A failed job goes back to pg-boss, which retries it
 * with backoff and finally dead-letters it.
 */
import type PgBoss from 'pg-boss';

export interface RunnerOptions {
  /** Jobs running at once. */
  batchSize?: number;
  idleMs?: number;
  onError?: (err: unknown, job: PgBoss.Job<object> | null) => void;
}

export interface Runner {
  stop(): Promise<void>;
}

export function runQueue<T extends object>(
  boss: PgBoss,
  name: string,
  handler: (data: T, job: PgBoss.Job<T>) => Promise<void>,
  options: RunnerOptions = {},
): Runner {
  const batchSize = options.batchSize ?? 20;
  const idleMs = options.idleMs ?? 100;
  // Fetch again once this many slots are free: a fetch per job would cost a statement each.
  const refillAt = Math.max(1, Math.ceil(batchSize / 2));
  let stopping = false;
  let running = 0;
  let done: string[] = [];
  /** The loop waits for slots (all taken), rather than for the next poll. */
  let full = false;
  /** Wakes the loop early: slots were freed while it waited for them, or stop() was called. */
  let wake: (() => void) | null = null;
  const nudge = () => wake?.();
  const pause = (ms: number | null) =>
    new Promise<void>((resolve) => {
      const timer = ms === null ? null : setTimeout(resolve, ms);
      wake = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      wake = null;
    });

  const flush = async () => {
    if (!done.length) return;
    const ids = done;
    done = [];
    await boss.complete(name, ids).catch((e: unknown) => options.onError?.(e, null));
  };

  const run = async (job: PgBoss.Job<T>) => {
    try {
      await handler(job.data, job);
      done.push(job.id);
    } catch (err) {
      options.onError?.(err, job);
      await boss.fail(name, job.id, { message: err instanceof Error ? err.message : String(err) }).catch((e: unknown) => options.onError?.(e, job));
    } finally {
      running--;
      if (stopping || (full && batchSize - running >= refillAt)) nudge();
    }
  };

  const loop = (async () => {
    while (!stopping) {
      if (batchSize - running < refillAt) {
        full = true;
        await pause(null);
        full = false;
        continue;
      }
      await flush();
      let jobs: PgBoss.Job<T>[] = [];
      try {
        jobs = await boss.fetch<T>(name, { batchSize: batchSize - running, priority: true });
      } catch (err) {
        options.onError?.(err, null);
      }
      if (jobs.length === 0) {
        // Busy (jobs still running): look again soon. Idle: every idleMs.
        await pause(running ? Math.min(idleMs, 20) : idleMs);
        continue;
      }
      running += jobs.length;
      for (const job of jobs) void run(job);
    }
    while (running) await pause(null);
    await flush();
  })();

  return {
    async stop() {
      stopping = true;
      nudge();
      await loop;
    },
  };
}
