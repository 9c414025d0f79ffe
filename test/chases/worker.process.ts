/**
 * A worker in its own process, for the crash and concurrency tests: the same startWorker as
 * `npm run worker`, pointed by environment at the test's database and carrier simulator.
 */
import { createPool } from '../../core/db/pool.ts';
import { createPii } from '../../core/privacy/pii.ts';
import { createJobQueue, startBoss } from '../../core/jobs/queue.ts';
import { startWorker } from '../../core/jobs/worker.ts';
import { createLineStores } from '../../connectors/redis/index.ts';
import { composeWorker } from '../../api/runtime/compose.ts';

const env = process.env as Record<string, string>;
const pool = createPool(env.TEST_DATABASE_URL!, { max: 12 });
const boss = await startBoss(pool, { expireInSeconds: Number(env.TEST_EXPIRE_SECONDS ?? 5), retryLimit: 2, retryDelay: 1 }, { supervise: false });
const jobs = createJobQueue(boss);
const { worker } = composeWorker({ db: pool, pii: createPii(Buffer.from(env.TEST_MASTER_KEY!, 'base64')) }, jobs, {
  publicBaseUrl: env.TEST_PUBLIC_URL!,
  carrier: { accountSid: env.TEST_SIM_SID!, authToken: env.TEST_SIM_TOKEN!, apiBaseUrl: env.TEST_SIM_URL! },
  // The line pool's CPS buckets and health, shared with the other worker processes through Redis when given.
  lines: createLineStores({ redisUrl: env.TEST_REDIS_URL, prefix: env.TEST_REDIS_PREFIX }),
  tuning: { busyRetryMs: Number(env.TEST_BUSY_RETRY_MS ?? 300_000), slotSpacingMs: Number(env.TEST_SLOT_SPACING_MS ?? 60_000) },
});
await startWorker(worker, boss, { schedule: false, idleMs: 20, concurrency: Number(env.TEST_CONCURRENCY ?? 10) });
process.send?.('ready');
