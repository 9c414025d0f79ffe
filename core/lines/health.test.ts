// Line health: the sliding window counts what it should, and recordLineResult drains a line
// at a 10% failure rate over 20+ calls (in PostgreSQL, so every process sees it), and only a
// probe's good result brings it back.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { testDatabase, type TestDatabase } from '../../test/support/db.ts';
import { createLine, getLine } from './lines.ts';
import { memoryHealthStore, recordLineResult } from './health.ts';
import { type LineResult } from './stores.ts';

const t0 = new Date('2026-03-01T10:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('memory health window', () => {
  test('counts answers and failures, and forgets results older than the window', async () => {
    const store = memoryHealthStore({ windowMs: 15 * 60_000, bucketMs: 60_000 });
    for (const r of ['answered', 'answered', 'failed', 'busy', 'machine'] as LineResult[]) await store.record('a', r, t0);
    const now = (await store.stats(['a', 'unknown'], at(30_000))).get('a')!;
    assert.deepEqual(now, { sample: 5, answered: 2, failed: 1, answerRate: 0.4, failureRate: 0.2 });
    assert.equal((await store.stats(['unknown'], t0)).get('unknown')!.sample, 0, 'a line with no calls has zeros');

    await store.record('a', 'failed', at(10 * 60_000));
    assert.equal((await store.stats(['a'], at(14 * 60_000))).get('a')!.sample, 6);
    const later = (await store.stats(['a'], at(16 * 60_000))).get('a')!;
    assert.equal(later.sample, 1, 'the first five calls slid out of the window');
    assert.equal(later.failureRate, 1);

    await store.reset('a');
    assert.equal((await store.stats(['a'], at(16 * 60_000))).get('a')!.sample, 0);
  });
});

describe('draining and probing', () => {
  let db: TestDatabase;
  const tenantId = randomUUID();
  const logs: object[] = [];
  const log = { info: (o: object) => void logs.push(o), warn: (o: object) => void logs.push(o) };
  before(async () => {
    db = await testDatabase();
    await db.pool.query(`insert into tenants (id, name, default_region) values ($1, 'Lines', 'US')`, [tenantId]);
  });
  after(() => db?.drop());

  test('30% failed over 20 calls drains the line; a good probe brings it back with a fresh window', async () => {
    const deps = { db: db.pool, log };
    const line = await createLine(deps, tenantId, { name: 'main', fromNumber: '+14155550100' });
    const store = memoryHealthStore();
    // 19 calls, 6 failed: over 10%, but too few to judge.
    const results: LineResult[] = [...Array(6).fill('failed'), ...Array(8).fill('answered'), ...Array(5).fill('no-answer')];
    for (const [i, r] of results.entries()) {
      assert.equal(await recordLineResult(deps, store, tenantId, line.id, r, at(i * 1000)), 'recorded');
    }
    assert.equal((await getLine(deps, tenantId, line.id)).drainedAt, null, 'no verdict under 20 calls');
    assert.equal(await recordLineResult(deps, store, tenantId, line.id, 'busy', at(20_000)), 'drained');
    const drained = await getLine(deps, tenantId, line.id);
    assert.equal(drained.drainedAt, at(20_000).toISOString());
    assert.equal(drained.drainReason, '30% of 20 calls failed');
    assert.ok(!JSON.stringify(logs).includes('+1415'), 'logs carry ids, not numbers');

    // A late result of a call placed before the drain is no probe: the line stays drained.
    assert.equal(await recordLineResult(deps, store, tenantId, line.id, 'answered', at(21_000)), 'still-drained');
    // A failed probe keeps it drained; a good one restores it.
    assert.equal(await recordLineResult(deps, store, tenantId, line.id, 'failed', at(90_000), { probe: true }), 'still-drained');
    assert.notEqual((await getLine(deps, tenantId, line.id)).drainedAt, null);
    assert.equal(await recordLineResult(deps, store, tenantId, line.id, 'no-answer', at(150_000), { probe: true }), 'restored');
    const back = await getLine(deps, tenantId, line.id);
    assert.equal(back.drainedAt, null);
    assert.equal(back.drainReason, null);
    assert.equal((await store.stats([line.id], at(150_000))).get(line.id)!.sample, 0, 'its window starts afresh');
  });

  test('without a probe flag, a result after a claimed probe counts as the probe', async () => {
    const deps = { db: db.pool };
    const line = await createLine(deps, tenantId, { name: 'second', fromNumber: '+14155550101' });
    const store = memoryHealthStore();
    for (let i = 0; i < 20; i++) await recordLineResult(deps, store, tenantId, line.id, i < 2 ? 'failed' : 'answered', at(i));
    assert.notEqual((await getLine(deps, tenantId, line.id)).drainedAt, null, 'exactly 10% drains');
    await db.pool.query(`update lines set last_probe_at = $3 where tenant_id = $1 and id = $2`, [tenantId, line.id, at(61_000)]);
    assert.equal(await recordLineResult(deps, store, tenantId, line.id, 'answered', at(70_000)), 'restored');
  });

  test('busy and no-answer are the callee, not the line: they never drain it', async () => {
    const deps = { db: db.pool };
    const line = await createLine(deps, tenantId, { name: 'busy', fromNumber: '+14155550102' });
    const store = memoryHealthStore();
    for (let i = 0; i < 40; i++) await recordLineResult(deps, store, tenantId, line.id, i % 2 ? 'busy' : 'no-answer', at(i));
    assert.equal((await getLine(deps, tenantId, line.id)).drainedAt, null);
    assert.equal(await recordLineResult(deps, store, tenantId, randomUUID(), 'failed', t0), 'unknown-line');
  });
});
