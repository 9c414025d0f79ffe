/**
 * The caps hand out slots, through the API with the carrier simulator: chases of one number
 * in several campaigns get one call now and distinct later slots in priority order within the
 * caps; a later, higher-priority chase takes its place in the queue and the chases behind it
 * move (or expire, past their deadline); every waiting chase keeps exactly one job, for its
 * slot; a job that fires early changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type PgBoss from 'pg-boss';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { cnE164 } from '../support/api.ts';
import { ALL_DAY, eventually, newCampaign } from '../support/data.ts';
import { startWorker } from '../../core/jobs/worker.ts';
import { queues } from '../../core/jobs/queue.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import type { TwilioSim } from '../../sim/twilio/index.ts';

const H = 3_600_000;
let app: TestApp & { sim: TwilioSim; worker: WorkerDeps; boss: PgBoss };
let stopWorker: () => Promise<void>;

before(async () => {
  app = await testEngineApp({ worker: false, sim: { clockSpeed: 50, callsPerSecond: 1000 } });
});
after(async () => {
  await stopWorker?.();
  await app.close();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Chase = any;
const getChase = async (id: string): Promise<Chase> => {
  const res = await app.request('GET', `/v1/chases/${id}`);
  assert.equal(res.status, 200, res.text);
  return res.body;
};
const lastScheduled = (c: Chase) => c.timeline.filter((e: { type: string }) => e.type === 'scheduled').at(-1)?.detail;
const voice = (name: string, rules: Record<string, unknown>) =>
  newCampaign(app, { name, channel: { policy: 'voice' }, scripts: [{ name: 'd', say: 'Hi' }], rules: { window: ALL_DAY, maxCallAttempts: 1, ...rules } });

/** Each live chase has exactly one job that will step it: for its current step, starting at its due time. */
async function assertOneJobPerChase(ids: string[]) {
  const { rows } = await app.db.pool.query<{ id: string; step: number; due_at: Date; status: string; jobs: { step: number; start_after: string }[] }>(
    `select ch.id, ch.step, ch.due_at, ch.status,
            coalesce((select json_agg(json_build_object('step', (j.data->>'step')::int, 'start_after', j.start_after))
                        from pgboss.job j where j.name = $2 and j.data->>'chaseId' = ch.id::text and j.state in ('created', 'retry')), '[]') as jobs
       from chases ch where ch.id = any($1)`,
    [ids, queues.chaseStep],
  );
  for (const r of rows.filter((c) => c.status === 'scheduled')) {
    const live = r.jobs.filter((j) => j.step === r.step);
    assert.equal(live.length, 1, `chase ${r.id} has ${live.length} jobs for its step`);
    assert.equal(Date.parse(live[0]!.start_after), r.due_at.getTime(), 'the job starts at the due time');
  }
}

test('three chases of one number in three campaigns: one call now, the others +6 h and the next day, higher priority first', async () => {
  const phone = cnE164(7001);
  app.sim.setProfile(phone, { outcomes: { 'no-answer': 1 }, ringSeconds: [1, 1] });
  const contact = await app.request('POST', '/v1/contacts', { body: { name: 'Queue', phone } });
  assert.ok([200, 201].includes(contact.status), contact.text);
  const contactId = contact.body.id;
  const low = await voice('low', { priority: 1, expireAfterHours: 40 });
  const mid = await voice('mid', { priority: 5 });
  const high = await voice('high', { priority: 9 });
  // Started lowest first, so running them first-come would give the call to the wrong one.
  const ids: Record<string, string> = {};
  for (const [name, c] of [
    ['low', low],
    ['mid', mid],
    ['high', high],
  ] as const) {
    const res = await app.request('POST', '/v1/chases', { body: { campaignId: c.id, contact: { id: contactId } } });
    assert.equal(res.status, 201, res.text);
    ids[name] = res.body.id;
  }
  const worker = await startWorker(app.worker, app.boss, { schedule: false, idleMs: 20 });
  stopWorker = () => worker.stop();

  let seen: unknown;
  const settled = async () => {
    const [l, m, h] = await Promise.all([getChase(ids.low!), getChase(ids.mid!), getChase(ids.high!)]);
    seen = [l, m, h].map((c) => [c.status, c.timeline]);
    return h.status === 'completed' && [l, m].every((c) => c.status === 'scheduled' && lastScheduled(c)?.reason === 'frequency cap') && { l, m, h };
  };
  const { l, m, h } = await eventually(settled, () => `one call and two chases waiting their slots: ${JSON.stringify(seen)}`, 20_000);
  await app.sim.settled();
  assert.equal(app.sim.calls().filter((c) => c.to === phone).length, 1, 'one call');
  assert.equal(h.attempts.length, 1, 'the highest priority got the call');
  const called = Date.parse(h.attempts[0].createdAt);
  assert.equal(Date.parse(m.dueAt) - called, 6 * H, 'the next priority: the gap after the call');
  assert.equal(Date.parse(l.dueAt) - called, 24 * H, 'the last: when the first call leaves the 24 hours');
  for (const [c, position] of [
    [m, 2],
    [l, 3],
  ] as const) {
    assert.equal(Date.parse(lastScheduled(c).at), Date.parse(c.dueAt), 'the timeline says the due time');
    assert.equal(lastScheduled(c).queuePosition, position);
  }
  const listed = await app.request('GET', `/v1/chases?contactId=${contactId}`);
  assert.deepEqual(Object.fromEntries(listed.body.items.map((c: Chase) => [c.id, c.dueAt])), {
    [ids.low!]: l.dueAt,
    [ids.mid!]: m.dueAt,
    [ids.high!]: h.dueAt,
  });
  await assertOneJobPerChase(Object.values(ids));

  // Later, more urgent campaigns take the next slots and the chases behind them move back: three
  // deferred chases, three distinct slots within the caps. The one a move pushes past its
  // deadline (40 h) ends, saying why.
  const startLater = async (name: string, priority: number) => {
    const res = await app.request('POST', '/v1/chases', { body: { campaignId: (await voice(name, { priority })).id, contact: { id: contactId } } });
    assert.equal(res.status, 201, res.text);
    return eventually(async () => {
      const c = await getChase(res.body.id);
      return c.status === 'scheduled' && lastScheduled(c)?.reason === 'frequency cap' && c;
    }, `the ${name} chase to take its slot`);
  };
  const hours = async (id: string) => {
    const c = await getChase(id);
    assert.equal(Date.parse(lastScheduled(c)?.at), Date.parse(c.dueAt), 'the timeline says the due time');
    return (Date.parse(c.dueAt) - called) / H;
  };
  const urgent = await startLater('urgent', 7);
  assert.deepEqual([await hours(urgent.id), await hours(ids.mid!), await hours(ids.low!)], [6, 24, 30]);
  // The published slots with the call made: never two within the gap, never three in 24 hours.
  const slots = [0, 6, 24, 30];
  for (const [i, t] of slots.entries()) {
    if (i > 0) assert.ok(t - slots[i - 1]! >= 6);
    assert.ok(slots.filter((u) => u > t - 24 && u <= t).length <= 2);
  }
  const vip = await startLater('vip', 8);
  assert.deepEqual([await hours(vip.id), await hours(urgent.id), await hours(ids.mid!)], [6, 24, 30]);
  const l2 = await getChase(ids.low!);
  assert.equal(l2.status, 'expired', 'its next slot (48 h) is past its deadline');
  assert.match(l2.timeline.at(-1).detail.reason, /no time left before the deadline \(frequency cap\)/);
  const all = [...Object.values(ids), urgent.id, vip.id];
  await assertOneJobPerChase(all);
  const m2 = await getChase(ids.mid!);

  // The waiting chase's job firing early (as one would if a slot's call was placed late) just waits again, quietly.
  const { rows } = await app.db.pool.query<{ step: number }>(`select step from chases where id = $1`, [ids.mid!]);
  await app.worker.jobs.send(app.db.pool, queues.chaseStep, { tenantId: app.tenantId, chaseId: ids.mid!, step: rows[0]!.step });
  await eventually(
    async () => (await app.db.pool.query<{ step: number }>(`select step from chases where id = $1`, [ids.mid!])).rows[0]!.step > rows[0]!.step,
    'the early job to run',
  );
  const m3 = await getChase(ids.mid!);
  assert.equal(m3.dueAt, m2.dueAt);
  assert.equal(m3.timeline.length, m2.timeline.length, 'nothing new on the timeline');
  await assertOneJobPerChase(all);
  assert.equal(app.sim.calls().filter((c) => c.to === phone).length, 1, 'still one call');
});
