// The line pool's Redis stores: one CPS bucket shared by two separate worker processes holds
// the rate, and health windows are shared across connections. Needs a Redis (CI sets REDIS_URL).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { redisHealthStore, redisTokenBucket } from './lines.ts';
import { createLineStores } from './index.ts';
import type { LineResult } from '../../core/lines/stores.ts';

const url = process.env.REDIS_URL;
const skip = url ? false : 'REDIS_URL is not set: the Redis line stores need a Redis server (CI sets one)';

let redis: Redis;
let prefix: string;
before(async () => {
  if (!url) return;
  redis = new Redis(url);
  prefix = `chaseline-test:${randomUUID()}:`;
});
after(async () => {
  if (!redis) return;
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

const worker = fileURLToPath(new URL('./cps.process.ts', import.meta.url));

/** Starts a worker process; `ready` resolves once it is connected, `go(startAt, endAt)` starts it, `result` is its takes. */
function startWorker(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (d) => {
    out += d;
    if (out.startsWith('ready\n')) markReady();
  });
  const result = new Promise<number[]>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.slice('ready\n'.length)) as number[]) : reject(new Error(`worker exited ${code}`))));
  });
  return { ready, result, go: (startAt: number, endAt: number) => child.stdin.end(`${startAt} ${endAt}\n`) };
}

describe('Redis CPS bucket', { skip }, () => {
  test('two worker processes on one bucket at 5 cps for 3 s: never more than cps + burst a second, the rate in total', async () => {
    const cps = 5;
    const burst = 5;
    const args = [url!, prefix, `shared-${randomUUID()}`, String(cps)];
    const workers = [startWorker(args), startWorker(args)];
    await Promise.all(workers.map((w) => Promise.race([w.ready, w.result]))); // a worker dying early fails, not hangs
    const startAt = Date.now() + 200;
    const endAt = startAt + 3000;
    for (const w of workers) w.go(startAt, endAt);
    const [a, b] = (await Promise.all(workers.map((w) => w.result))) as [number[], number[]];
    assert.ok(a.length > 0 && b.length > 0, `both processes got calls (${a.length}, ${b.length})`);
    const all = [...a, ...b].sort((x, y) => x - y);
    for (let s = 0; s < 3; s++) {
      const n = all.filter((t) => t >= startAt + s * 1000 && t < startAt + (s + 1) * 1000).length;
      assert.ok(n <= cps + burst, `second ${s}: ${n} calls (limit ${cps + burst})`);
    }
    // burst at the first take, then cps a second until the end: 5 + 15 when the first take is on
    // time (counted from the first take, so a loaded machine waking late does not fail the test).
    const expected = burst + (cps * (endAt - all[0]!)) / 1000;
    assert.ok(all.length >= Math.floor(expected) - 1 && all.length <= Math.ceil(expected) + 1, `${all.length} calls, expected about ${expected}`);
  });

  test('the wait it answers is the time to the next token; nothing is taken while waiting', async () => {
    const bucket = redisTokenBucket(redis, { prefix });
    const key = `wait-${randomUUID()}`;
    assert.equal(await bucket.take(key, 2), 0);
    assert.equal(await bucket.take(key, 2), 0, 'burst 2 at 2 cps');
    const wait = await bucket.take(key, 2);
    assert.ok(wait > 400 && wait <= 500, `wait ${wait}`);
    await new Promise((r) => setTimeout(r, wait + 20));
    assert.equal(await bucket.take(key, 2), 0);
    assert.ok((await redis.pttl(`${prefix}cps:${key}`)) > 0, 'an idle bucket expires');
  });
});

describe('Redis health store', { skip }, () => {
  test('counts over the sliding window, shared by two connections; reset forgets', async () => {
    const other = new Redis(url!);
    try {
      const writer = redisHealthStore(redis, { prefix });
      const reader = redisHealthStore(other, { prefix });
      const line = randomUUID();
      const t0 = new Date('2026-03-01T10:00:00Z');
      const at = (ms: number) => new Date(t0.getTime() + ms);
      for (const r of ['answered', 'failed', 'failed', 'no-answer'] as LineResult[]) await writer.record(line, r, t0);
      assert.deepEqual((await reader.stats([line], at(1000))).get(line), { sample: 4, answered: 1, failed: 2, answerRate: 0.25, failureRate: 0.5 });
      await writer.record(line, 'answered', at(10 * 60_000));
      assert.equal((await reader.stats([line], at(16 * 60_000))).get(line)!.sample, 1, 'the first minute slid out');
      await writer.record(line, 'busy', at(16 * 60_000));
      assert.equal(await redis.hlen(`${prefix}health:${line}`), 2, 'the first minute’s counts are pruned on record');
      await reader.reset(line);
      assert.equal((await writer.stats([line], at(16 * 60_000))).get(line)!.sample, 0);
      assert.deepEqual([...(await reader.stats([], t0)).keys()], []);
    } finally {
      await other.quit();
    }
  });

  test('createLineStores picks Redis with a URL and memory without', async () => {
    const shared = createLineStores({ redisUrl: url, prefix });
    const local = createLineStores();
    try {
      assert.equal(shared.kind, 'redis');
      assert.equal(local.kind, 'memory');
      assert.equal(await shared.cps.take(`k-${randomUUID()}`, 1), 0);
      assert.equal(await local.cps.take('k', 1), 0);
    } finally {
      await shared.close();
      await local.close();
    }
  });
});
