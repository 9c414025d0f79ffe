/**
 * The invariants under real processes: worker processes killed with SIGKILL at random
 * moments over 1,000 chases never make a second call for an attempt and lose no chase; and
 * several workers on overlapping campaigns over the same numbers never break a cap.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { startChase } from '../../core/chases/chases.ts';
import { reapAttempts } from '../../core/chases/reaper.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import type { TwilioSim } from '../../sim/twilio/index.ts';
import { campaign, contact, mobile } from './support.ts';
import { workerProcesses, type WorkerProcesses } from './workers.ts';

let app: TestApp & { sim: TwilioSim; worker: WorkerDeps };
let workers: WorkerProcesses;

before(async () => {
  app = await testEngineApp({
    worker: false,
    reapAfterMs: 2000,
    staleCallMs: 30_000,
    queue: { expireInSeconds: 4 },
    sim: { clockSpeed: 20, callsPerSecond: 500, profile: { outcomes: { answered: 3, 'no-answer': 1, busy: 1 }, ringSeconds: [1, 20] } },
  });
  // A chase finding its number on the line waits 1 s, not 5 minutes, so the test can see every call the caps allow.
  // Calls here last seconds, not minutes: the queue's slots and the busy-line wait are as short.
  workers = workerProcesses(app, { TEST_BUSY_RETRY_MS: '1000', TEST_SLOT_SPACING_MS: '1000' });
});
after(async () => {
  workers.killAll();
  await app.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function liveChases(campaignIds: string[]): Promise<number> {
  const { rows } = await app.db.pool.query<{ n: number }>(
    `select count(*)::int as n from chases where campaign_id = any($1) and status in ('scheduled', 'dialing')`,
    [campaignIds],
  );
  return rows[0]!.n;
}

/** Calls the simulator received per attempt id (from the attempt in each call's callback URL). */
function callsPerAttempt(sim: TwilioSim): Map<string, number> {
  const counts = new Map<string, number>();
  for (const call of sim.calls()) {
    const attempt = /attempt=([0-9a-f-]{36})/.exec(call.request.StatusCallback?.[0] ?? '')?.[1] ?? 'none';
    counts.set(attempt, (counts.get(attempt) ?? 0) + 1);
  }
  return counts;
}

describe('crash safety and concurrency', () => {
  test('kill -9 of workers at random moments over 1,000 chases: no second call for any attempt, every chase ends', { timeout: 480_000 }, async () => {
    const c = await campaign(app.worker, app.tenantId, {
      channel: { policy: 'voice' },
      scripts: [{ name: 'd', say: 'Hi' }],
      rules: { maxCallAttempts: 1 },
      call: { maxReprompts: 0 },
    });
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) ids.push(await contact(app.worker, app.tenantId, mobile(100_000 + i)));
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(ids.slice(i, i + 50).map((id) => startChase(app.worker, app.tenantId, { campaignId: c.id, contact: { id } })));
    }
    const running = [await workers.spawn(), await workers.spawn()];
    // The reaper runs beside the killing, as the scheduled job would in a surviving worker.
    let reaping = false;
    const reaper = setInterval(() => {
      if (reaping) return;
      reaping = true;
      void reapAttempts(app.worker)
        .catch(() => undefined)
        .finally(() => (reaping = false));
    }, 1000);
    let kills = 0;
    const deadline = Date.now() + 420_000;
    while ((await liveChases([c.id])) > 0) {
      assert.ok(Date.now() < deadline, `${await liveChases([c.id])} chases still live`);
      await sleep(200 + Math.random() * 600);
      if (kills < 12) {
        const victim = running.splice(Math.floor(Math.random() * running.length), 1)[0]!;
        victim.kill('SIGKILL');
        kills++;
        running.push(await workers.spawn());
      }
    }
    clearInterval(reaper);
    const perAttempt = callsPerAttempt(app.sim);
    const twice = [...perAttempt].filter(([, n]) => n > 1);
    assert.deepEqual(twice, [], 'an attempt was called more than once');
    assert.equal(perAttempt.get('none'), undefined);
    const { rows } = await app.db.pool.query<{ status: string; n: number }>(
      `select status, count(*)::int as n from chases where campaign_id = $1 group by status`,
      [c.id],
    );
    const total = rows.reduce((a, r) => a + r.n, 0);
    assert.equal(total, 1000);
    assert.ok(
      rows.every((r) => ['completed', 'failed', 'expired'].includes(r.status)),
      JSON.stringify(rows),
    );
    // Every call the carrier placed belongs to an attempt we recorded, and each attempt has at most one.
    const { rows: attempts } = await app.db.pool.query<{ id: string }>(`select id from attempts where campaign_id = $1`, [c.id]);
    const known = new Set(attempts.map((a) => a.id));
    assert.ok([...perAttempt.keys()].every((id) => known.has(id)));
    assert.ok(kills >= 3, `only ${kills} kills happened`);
    workers.killAll();
  });

  test('three workers, four campaigns over the same numbers: never more than the cap, never two calls at once', { timeout: 120_000 }, async () => {
    await app.sim.settled();
    const caps = { callsPerDay: 2, minHoursBetweenCalls: 0 };
    const campaigns = [];
    for (let k = 0; k < 4; k++) {
      campaigns.push(
        await campaign(app.worker, app.tenantId, {
          channel: { policy: 'voice' },
          scripts: [{ name: 'd', say: 'Hi' }],
          rules: { caps, maxCallAttempts: 1 },
          call: { maxReprompts: 0 },
        }),
      );
    }
    const phones = Array.from({ length: 40 }, (_, i) => mobile(200_000 + i));
    for (const p of phones) app.sim.setProfile(p, { outcomes: { answered: 1 }, ringSeconds: [1, 3] });
    const ids = [];
    for (const p of phones) ids.push(await contact(app.worker, app.tenantId, p));
    for (const cp of campaigns) await Promise.all(ids.map((id) => startChase(app.worker, app.tenantId, { campaignId: cp.id, contact: { id } })));
    for (let k = 0; k < 3; k++) await workers.spawn(20);
    const campaignIds = campaigns.map((x) => x.id);
    // Done when each number has had its two calls and the rest wait for the cap.
    const deadline = Date.now() + 90_000;
    for (;;) {
      const { rows } = await app.db.pool.query<{ n: number }>(
        `select count(*)::int as n from chases where campaign_id = any($1) and (status = 'dialing' or (status = 'scheduled' and due_at < now() + interval '1 hour'))`,
        [campaignIds],
      );
      if (rows[0]!.n === 0) break;
      assert.ok(Date.now() < deadline, `${rows[0]!.n} chases not settled`);
      await sleep(300);
    }
    await app.sim.settled();
    workers.killAll();
    for (const p of phones) {
      const calls = app.sim.calls().filter((call) => call.to === p);
      assert.equal(calls.length, 2, `${calls.length} calls to one number`);
      const [a, b] = calls.sort((x, y) => x.dateCreated.getTime() - y.dateCreated.getTime());
      assert.ok(a!.endTime && a!.endTime <= b!.dateCreated, 'two calls to one number overlapped');
    }
    const { rows: capped } = await app.db.pool.query<{ n: number }>(
      `select count(*)::int as n from chases where campaign_id = any($1) and status = 'scheduled'`,
      [campaignIds],
    );
    assert.equal(capped[0]!.n, phones.length * 2);
  });
});
