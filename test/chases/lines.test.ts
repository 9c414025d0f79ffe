/**
 * The line pool under real traffic: calls go out on the tenant's lines through the
 * simulator; a line that fails 30% of its calls is drained and the calls move to its
 * backup; premium chases get premium lines.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { startChase } from '../../core/chases/chases.ts';
import { createLine } from '../../core/lines/lines.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import type { TwilioSim } from '../../sim/twilio/index.ts';
import { campaign, contact, mobile, waitForChase } from './support.ts';

let app: TestApp & { sim: TwilioSim; worker: WorkerDeps };
let deps: WorkerDeps;
let t: string;

before(async () => {
  app = await testEngineApp({ sim: { clockSpeed: 100, callsPerSecond: 1000 }, concurrency: 4 });
  deps = app.worker;
  t = app.tenantId;
});
after(() => app.close());

const FLAKY = '+14155550111';
const BACKUP = '+14155550112';
const PREMIUM = '+14155550113';

test('a line failing 30% of its calls is drained and the calls move to its backup', async () => {
  const flaky = await createLine(deps, t, { name: 'flaky', kind: 'number', fromNumber: FLAKY, tier: 'standard', costPerMinute: 0.01, cps: 50 });
  await createLine(deps, t, { name: 'backup', kind: 'number', fromNumber: BACKUP, tier: 'standard', costPerMinute: 0.02, cps: 50 });
  app.sim.setProfile(FLAKY, { outcomes: { answered: 0.7, failed: 0.3 }, ringSeconds: [1, 2], seed: 7 });
  app.sim.setProfile(BACKUP, { outcomes: { answered: 1 }, ringSeconds: [1, 2] });
  const c = await campaign(deps, t, { lines: [], channel: { policy: 'voice' } });

  // One chase at a time, so each call's result is known before the next line is chosen.
  const froms: string[] = [];
  for (let i = 0; i < 60; i++) {
    const id = await contact(deps, t, mobile(300 + i));
    const done = await waitForChase(deps, t, (await startChase(deps, t, { campaignId: c.id, contact: { id } })).id);
    froms.push(done.attempts[0]!.from);
  }
  const firstBackup = froms.indexOf(BACKUP);
  assert.ok(firstBackup >= 20, `the cheaper line is used until its sample says otherwise (first backup call: ${firstBackup})`);
  const { rows } = await deps.db.query<{ drained_at: Date | null; drain_reason: string | null }>(`select drained_at, drain_reason from lines where id = $1`, [
    flaky.id,
  ]);
  assert.ok(rows[0]!.drained_at, 'the flaky line is drained');
  const after = froms.slice(firstBackup);
  // A drained line gets one probe a minute; the rest of the traffic is on the backup.
  assert.ok(after.filter((f) => f === FLAKY).length <= 1, `after the drain: ${after.join(' ')}`);

  const listed = await app.request('GET', '/v1/lines');
  assert.equal(listed.status, 200);
  const health = (listed.body as { items: { name: string; health: { status: string; failureRate: number } }[] }).items;
  assert.equal(health.find((l) => l.name === 'flaky')?.health.status, 'drained');
  assert.equal(health.find((l) => l.name === 'backup')?.health.status, 'healthy');
});

test('premium chases go out on premium lines, the rest on standard ones', async () => {
  await createLine(deps, t, { name: 'premium', kind: 'number', fromNumber: PREMIUM, tier: 'premium', costPerMinute: 0.05, cps: 50 });
  const c = await campaign(deps, t, { name: 'tiers', lines: [], channel: { policy: 'voice' }, rules: { premiumFromPriority: 50, tierPriority: {} } });
  const vip = await campaign(deps, t, { name: 'vip', lines: [], channel: { policy: 'voice' }, rules: { priority: 60, premiumFromPriority: 50 } });
  const a = await waitForChase(deps, t, (await startChase(deps, t, { campaignId: vip.id, contact: { id: await contact(deps, t, mobile(400)) } })).id);
  const b = await waitForChase(deps, t, (await startChase(deps, t, { campaignId: c.id, contact: { id: await contact(deps, t, mobile(401)) } })).id);
  assert.equal(a.attempts[0]!.from, PREMIUM);
  assert.equal(b.attempts[0]!.from, BACKUP);
});
