// The worker loop against real pg-boss on a real PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type PgBoss from 'pg-boss';
import { testDatabase, type TestDatabase } from '../../test/support/db.ts';
import { startBoss } from './queue.ts';
import { runQueue } from './runner.ts';

let db: TestDatabase;
let boss: PgBoss;

before(async () => {
  db = await testDatabase({ migrations: false });
  boss = await startBoss(db.pool, { expireInSeconds: 60, retryLimit: 0, retryDelay: 1 }, { supervise: false });
});

after(async () => {
  await boss.stop({ graceful: false, wait: true });
  await db.drop();
});

const states = async (name: string) =>
  (await db.pool.query<{ state: string; n: number }>(`select state, count(*)::int as n from pgboss.job where name = $1 group by state`, [name])).rows;

test('a slow job does not hold back the jobs fetched with it: the others finish and new ones start while it runs', async () => {
  const name = 'runner-slow';
  await boss.createQueue(name);
  await boss.insert([{ name, data: { slow: true } }, ...Array.from({ length: 11 }, (_, i) => ({ name, data: { i } }))]);
  const finished: number[] = [];
  let release!: () => void;
  const slowDone = new Promise<void>((resolve) => (release = resolve));
  const runner = runQueue<{ slow?: boolean; i?: number }>(
    boss,
    name,
    async (data) => {
      if (data.slow) return slowDone;
      finished.push(data.i!);
    },
    { batchSize: 4, idleMs: 20 },
  );
  try {
    // With 4 slots and one held, the 11 quick jobs need several fetches: they must all run while the slow one waits.
    const until = Date.now() + 10_000;
    while (finished.length < 11 && Date.now() < until) await sleep(10);
    assert.equal(finished.length, 11, 'every quick job ran while the slow one was still running');
    // Finished jobs are completed in the database with the next poll, still while the slow one runs.
    let active = -1;
    while (Date.now() < until && active !== 1) {
      active = (await states(name)).find((s) => s.state === 'active')?.n ?? 0;
      if (active !== 1) await sleep(10);
    }
    assert.equal(active, 1, 'only the slow job is still active');
  } finally {
    release();
    await runner.stop();
  }
  assert.deepEqual(await states(name), [{ state: 'completed', n: 12 }], 'stopping waits for the running job and completes it');
});

test('a job that throws is failed on its own, and the others of its fetch complete', async () => {
  const name = 'runner-fail';
  await boss.createQueue(name, { name, retryLimit: 0 });
  await boss.insert(Array.from({ length: 5 }, (_, i) => ({ name, data: { i } })));
  const errors: unknown[] = [];
  const runner = runQueue<{ i: number }>(
    boss,
    name,
    async ({ i }) => {
      if (i === 2) throw new Error('job 2 fails');
    },
    { batchSize: 5, idleMs: 20, onError: (err) => errors.push(err) },
  );
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const s = await states(name);
    if (s.reduce((n, x) => n + (x.state === 'completed' || x.state === 'failed' ? x.n : 0), 0) === 5) break;
    await sleep(20);
  }
  await runner.stop();
  const s = Object.fromEntries((await states(name)).map((x) => [x.state, x.n]));
  assert.deepEqual(s, { completed: 4, failed: 1 });
  assert.equal(errors.length, 1);
});
