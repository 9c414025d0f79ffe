/**
 * Priority: when chases queue up behind a busy worker, the higher tier is dialled first, and
 * within a tier the earliest deadline.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { startChase } from '../../core/chases/chases.ts';
import { startWorker } from '../../core/jobs/worker.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import type PgBoss from 'pg-boss';
import type { TwilioSim } from '../../sim/twilio/index.ts';
import { campaign, contact, mobile, waitForChase } from './support.ts';

let app: TestApp & { sim: TwilioSim; worker: WorkerDeps; boss: PgBoss };

before(async () => {
  app = await testEngineApp({ worker: false, sim: { clockSpeed: 50, callsPerSecond: 1000 } });
});
after(() => app.close());

test('one worker, a backlog: higher priority first, then the earliest deadline', async () => {
  const deps = app.worker;
  const t = app.tenantId;
  const voice = { channel: { policy: 'voice' }, scripts: [{ name: 'd', say: 'Hi' }] };
  const low = await campaign(deps, t, { ...voice, rules: { priority: 1, expireAfterHours: 48 } });
  const lowSoon = await campaign(deps, t, { ...voice, rules: { priority: 1, expireAfterHours: 2 } });
  const high = await campaign(deps, t, { ...voice, rules: { priority: 9, expireAfterHours: 48 } });
  // Started in the opposite order to the one expected, so first-in-first-out would fail.
  const order: [string, string][] = [];
  for (const [i, c] of [low, lowSoon, high].entries()) {
    const phone = mobile(300 + i);
    await startChase(deps, t, { campaignId: c.id, contact: { id: await contact(deps, t, phone) } });
    order.push([c === high ? 'high' : c === lowSoon ? 'low, deadline soon' : 'low', phone]);
  }
  await new Promise((r) => setTimeout(r, 200)); // all due
  const worker = await startWorker(deps, app.boss, { schedule: false, concurrency: 1, idleMs: 20 });
  try {
    for (const [, phone] of order) {
      const { rows } = await app.db.pool.query<{ id: string }>(`select ch.id from chases ch join contacts c on c.id = ch.contact_id where c.phone_hash = $1`, [
        deps.pii.phoneIndex(phone),
      ]);
      await waitForChase(deps, t, rows[0]!.id);
    }
  } finally {
    await worker.stop();
  }
  const dialled = app.sim
    .calls()
    .sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime())
    .map((c) => order.find(([, p]) => p === c.to)![0]);
  assert.deepEqual(dialled, ['high', 'low, deadline soon', 'low']);
});
