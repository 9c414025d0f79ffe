/**
 * A worker loop over one pg-boss queue. pg-boss's own `work()` waits at least 500 ms between
 * polls even when jobs keep coming; a chase due now should be dialled well within that, so
 * this loop fetches again at once while there is work and polls every `idleMs` when idle.
 * Jobs of a batch run concurrently; each is completed or failed on its own, and a failed
 * job goes back to pg-boss, which retries it with backoff and finally dead-letters it.
 */
import type PgBoss from 'pg-boss';

export interface RunnerOptions {
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
  let stopping = false;
  let wake: (() => void) | null = null;

  const loop = (async () => {
    while (!stopping) {
      let jobs: PgBoss.Job<T>[] = [];
      try {
        jobs = await boss.fetch<T>(name, { batchSize, priority: true });
      } catch (err) {
        options.onError?.(err, null);
      }
      if (jobs.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, idleMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
        continue;
      }
      const done: string[] = [];
      await Promise.all(
        jobs.map(async (job) => {
          try {
            await handler(job.data, job);
            done.push(job.id);
          } catch (err) {
            options.onError?.(err, job);
            await boss.fail(name, job.id, { message: err instanceof Error ? err.message : String(err) }).catch((e: unknown) => options.onError?.(e, job));
          }
        }),
      );
      if (done.length) await boss.complete(name, done).catch((e: unknown) => options.onError?.(e, null));
    }
  })();

  return {
    async stop() {
      stopping = true;
      wake?.();
      await loop;
    },
  };
}
