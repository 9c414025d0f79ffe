// Choosing a pool line: premium contacts get premium lines, a drained line's calls fail over
// to a same- or higher-tier backup, a drained line gets exactly one probe per interval and a
// good probe restores it, and CPS tokens decide between lines or say how long to wait.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { testDatabase, type TestDatabase } from '../../test/support/db.ts';
import { createLine, getLine, lineRoute, type Line } from './lines.ts';
import { memoryHealthStore, recordLineResult } from './health.ts';
import { type LineResult } from './stores.ts';
import { memoryTokenBucket } from '../common/token-bucket.ts';
import { chooseLine, eligibleTiers, linePolicyTier, type LineChoice } from './select.ts';
import { type LineStores } from './stores.ts';

let db: TestDatabase;
let tenantId: string;
let clockMs: number;
let stores: LineStores;
const t0 = Date.parse('2026-03-01T10:00:00Z');
const now = () => new Date(clockMs);

before(async () => {
  db = await testDatabase();
});
after(() => db?.drop());
beforeEach(async () => {
  tenantId = randomUUID();
  await db.pool.query(`insert into tenants (id, name, default_region) values ($1, 'Pool', 'US')`, [tenantId]);
  clockMs = t0;
  // The bucket runs on the same simulated clock as `now`.
  stores = { health: memoryHealthStore(), cps: memoryTokenBucket(() => clockMs) };
});

const deps = () => ({ db: db.pool });
const line = (input: Record<string, unknown>) => createLine(deps(), tenantId, { fromNumber: '+14155550100', ...input });
const choose = (wantTier: 'premium' | 'standard', exclude?: string[]) => chooseLine(deps(), stores, tenantId, { wantTier, exclude }, now());
const chosen = (c: LineChoice | null): { name: string; probe: boolean } => {
  assert.ok(c && 'line' in c, `expected a line, got ${JSON.stringify(c)}`);
  return { name: c.line.name, probe: c.probe };
};

async function failThirtyPercent(l: Line, calls = 20) {
  // 30% failed over 20 calls.
  for (let i = 0; i < calls; i++) {
    const r: LineResult = i % 10 < 3 ? 'failed' : 'answered';
    await recordLineResult(deps(), stores.health, tenantId, l.id, r, now());
  }
}

describe('tiers', () => {
  test('premium wanted → the premium line, even when a standard one is cheaper; standard wanted → cheapest standard', async () => {
    await line({ name: 'std-cheap', tier: 'standard', costPerMinute: 0.01, cps: 10 });
    await line({ name: 'std-dear', tier: 'standard', costPerMinute: 0.02, cps: 10 });
    await line({ name: 'prem', tier: 'premium', costPerMinute: 0.05, cps: 10 });
    assert.deepEqual(chosen(await choose('premium')), { name: 'prem', probe: false });
    assert.deepEqual(chosen(await choose('standard')), { name: 'std-cheap', probe: false });
  });

  test('no premium line at all: a premium contact is called on standard; no standard line: standard contacts go premium', async () => {
    const std = await line({ name: 'std', tier: 'standard' });
    assert.equal(chosen(await choose('premium')).name, 'std');
    await db.pool.query(`update lines set enabled = false where id = $1`, [std.id]);
    assert.equal(await choose('standard'), null, 'no enabled line: null');
    await line({ name: 'prem', tier: 'premium' });
    assert.equal(chosen(await choose('standard')).name, 'prem');
    assert.deepEqual(eligibleTiers('premium', new Set(['premium', 'standard'])), ['premium']);
    assert.deepEqual(eligibleTiers('standard', new Set(['premium', 'standard'])), ['standard', 'premium']);
    assert.equal(linePolicyTier(10, 10), 'premium');
    assert.equal(linePolicyTier(9, 10), 'standard');
  });

  test('exclude skips a line (the one that just failed this chase)', async () => {
    const a = await line({ name: 'a', costPerMinute: 0.01 });
    await line({ name: 'b', costPerMinute: 0.01 });
    assert.equal(chosen(await choose('standard', [a.id])).name, 'b');
  });
});

describe('drain, fail over, probe', () => {
  test('a line 30% failed over 20 calls is drained and its calls go to its same-tier backup', async () => {
    const main = await line({ name: 'main', costPerMinute: 0.01, cps: 100 });
    await line({ name: 'backup', costPerMinute: 0.02, cps: 100 });
    await line({ name: 'prem', tier: 'premium', cps: 100 });
    assert.equal(chosen(await choose('standard')).name, 'main');
    await failThirtyPercent(main);
    assert.notEqual((await getLine(deps(), tenantId, main.id)).drainedAt, null);
    assert.deepEqual(chosen(await choose('standard')), { name: 'backup', probe: false });
  });

  test('with no same-tier backup, a standard line fails over to premium; a premium contact waits for the probe rather than drop', async () => {
    const std = await line({ name: 'std', cps: 100 });
    const prem = await line({ name: 'prem', tier: 'premium', cps: 100 });
    await failThirtyPercent(std);
    assert.equal(chosen(await choose('standard')).name, 'prem', 'higher tier backup');
    await failThirtyPercent(prem);
    const waiting = await choose('premium');
    assert.ok(waiting && 'waitMs' in waiting, JSON.stringify(waiting));
    assert.equal(waiting.waitMs, 60_000, 'the first probe comes one interval after the drain');
  });

  test('one probe per interval, before healthy lines; a good probe restores the line', async () => {
    const main = await line({ name: 'main', costPerMinute: 0.01, cps: 100 });
    await line({ name: 'backup', costPerMinute: 0.02, cps: 100 });
    await failThirtyPercent(main);
    const picks = async () => {
      const out = [];
      for (let i = 0; i < 5; i++) out.push(chosen(await choose('standard')));
      return out;
    };
    clockMs += 30_000;
    assert.ok(
      (await picks()).every((p) => p.name === 'backup' && !p.probe),
      'no probe before the interval',
    );
    clockMs += 30_000;
    const round = await picks();
    assert.deepEqual(round[0], { name: 'main', probe: true }, 'the probe goes first');
    assert.ok(
      round.slice(1).every((p) => p.name === 'backup' && !p.probe),
      'exactly one probe in the interval',
    );

    // A failed probe: the line stays drained; the next probe one interval later.
    await recordLineResult(deps(), stores.health, tenantId, main.id, 'failed', now(), { probe: true });
    clockMs += 59_000;
    assert.ok((await picks()).every((p) => p.name === 'backup'));
    clockMs += 1_000;
    const second = await picks();
    assert.deepEqual(
      second.filter((p) => p.probe),
      [{ name: 'main', probe: true }],
    );

    // Two workers racing for one due probe: exactly one wins it.
    clockMs += 60_000;
    const raced = await Promise.all([choose('standard'), choose('standard'), choose('standard')]);
    assert.equal(raced.map(chosen).filter((p) => p.probe).length, 1);

    await recordLineResult(deps(), stores.health, tenantId, main.id, 'answered', now(), { probe: true });
    assert.deepEqual(chosen(await choose('standard')), { name: 'main', probe: false }, 'restored: cheapest again');
  });
});

describe('CPS', () => {
  test('a line out of tokens passes calls to the next line; when all are out, the smallest wait', async () => {
    await line({ name: 'cheap', cps: 1, costPerMinute: 0.01 });
    await line({ name: 'dear', cps: 2, costPerMinute: 0.02 });
    const names = [];
    for (let i = 0; i < 3; i++) names.push(chosen(await choose('standard')).name);
    assert.deepEqual(names, ['cheap', 'dear', 'dear']);
    const wait = await choose('standard');
    assert.deepEqual(wait, { waitMs: 500 }, 'dear refills first: 1 token at 2 cps');
    clockMs += 500;
    assert.equal(chosen(await choose('standard')).name, 'dear');
    clockMs += 500;
    assert.equal(chosen(await choose('standard')).name, 'cheap');
  });
});

describe('lineRoute', () => {
  test('a number line calls from its number, a BYOC line through its trunk, a SIP line to its domain', () => {
    const base = { byocTrunkSid: null, sipDomain: null };
    assert.deepEqual(lineRoute({ ...base, kind: 'number' }), { kind: 'number' });
    const sid = `BY${'a'.repeat(32)}`;
    assert.deepEqual(lineRoute({ ...base, kind: 'byoc', byocTrunkSid: sid }), { kind: 'trunk', trunkId: sid });
    assert.deepEqual(lineRoute({ ...base, kind: 'sip', sipDomain: 'sip.example.com' }), { kind: 'sip', domain: 'sip.example.com' });
  });
});
