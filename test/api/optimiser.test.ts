/**
 * The best-hours optimiser as a user meets it: a campaign that opts in has most of its new
 * chases scheduled in the local hour that converted best (never outside its window), the rest
 * spread by exploration; a campaign that does not opt in is scheduled as before; real calls and
 * a clicked link are counted in the hour they were placed in; GET /v1/optimiser/hours shows
 * credible intervals that narrow with data.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { startChase, getChase } from '../../core/chases/chases.ts';
import { withTransaction } from '../../core/db/pool.ts';
import { isCallable, type CallingWindow } from '../../core/campaigns/calling-window.ts';
import { localHour } from '../../core/optimiser/schedule.ts';
import { recordCallEnded, recordConversion } from '../../core/optimiser/stats.ts';
import { assertProblem, createKey, trpcQuery } from '../support/api.ts';
import { campaignBody, eventually } from '../support/data.ts';
import { contact, engineAppPerFile, mobile, waitForChase } from '../chases/support.ts';

const app = engineAppPerFile();
const T = { timeout: 90_000 };
const HOUR = 3_600_000;
const ZONE = 'Asia/Shanghai'; // the zone of every +86 mobile below
const EVENINGS: CallingWindow = { days: Object.fromEntries(['1', '2', '3', '4', '5', '6', '7'].map((d) => [d, [{ start: '09:00', end: '21:00' }]])) };

async function createCampaign(overrides: Record<string, unknown>) {
  const res = await app.request('POST', '/v1/campaigns', { key: app.adminKey, body: campaignBody(overrides) });
  assert.equal(res.status, 201, res.text);
  return res.body as { id: string };
}

const hoursOf = async (campaignId: string, key = app.adminKey) => {
  const res = await app.request('GET', `/v1/optimiser/hours?campaignId=${campaignId}`, { key });
  assert.equal(res.status, 200, res.text);
  return res.body as {
    optimise: string | null;
    tiers: {
      tier: string | null;
      buckets: { hour: number; trials: number; connects: number; conversions: number; mean: number; lower: number; upper: number }[];
    }[];
  };
};

/**
 * Past calls of the campaign, as rows the engine would have left (a chase, its placed call and
 * the call's `dialing` event with the zone), fed through the stats module as each call ends and
 * each chase converts: `calls` per hour, `converted(hour)` of them converting.
 */
async function feedHistory(campaignId: string, hours: number[], calls: number, converted: (hour: number) => number) {
  const t = app.tenantId;
  const day = Date.parse('2024-06-03T00:00:00+08:00');
  await withTransaction(app.worker.db, async (tx) => {
    for (const hour of hours) {
      for (let i = 0; i < calls; i++) {
        const chaseId = randomUUID();
        const attemptId = randomUUID();
        const at = new Date(day + hour * HOUR + i * 1000);
        const hash = Buffer.from(randomUUID());
        await tx.query(
          `insert into chases (tenant_id, id, campaign_id, contact_id, phone_hash, status, next_channel, due_at, deadline_at)
           values ($1, $2, $3, $4, $5, 'completed', 'voice', $6, $6)`,
          [t, chaseId, campaignId, randomUUID(), hash, at],
        );
        await tx.query(
          `insert into attempts (tenant_id, id, chase_id, campaign_id, phone_hash, channel, status, outcome, from_number, created_at)
           values ($1, $2, $3, $4, $5, 'voice', 'completed', 'answered', '+14155550100', $6)`,
          [t, attemptId, chaseId, campaignId, hash, at],
        );
        await tx.query(`insert into chase_events (tenant_id, chase_id, type, attempt_id, detail) values ($1, $2, 'dialing', $3, $4)`, [
          t,
          chaseId,
          attemptId,
          { timeZone: ZONE },
        ]);
        assert.equal(await recordCallEnded(tx, t, attemptId, true), true);
        assert.equal(await recordCallEnded(tx, t, attemptId, true), false, 'a call is counted once');
        if (i < converted(hour)) {
          assert.equal(await recordConversion(tx, t, chaseId, 'interested', new Date(at.getTime() + 60_000)), true);
          assert.equal(await recordConversion(tx, t, chaseId, 'interested', new Date(at.getTime() + 90_000)), false, 'a chase converts once');
        }
      }
    }
  });
}

describe('scheduling by the best hour', () => {
  test(
    'fed outcomes where 19:00 converts best, most new chases of an opted-in campaign are due at 19:00, all inside the window; exploration sends a few elsewhere',
    T,
    async () => {
      const c = await createCampaign({
        name: 'Evenings',
        schedule: { optimise: 'conversion' },
        rules: { window: EVENINGS, delayMinutes: 30, expireAfterHours: 72 },
      });
      assert.deepEqual((await app.request('GET', `/v1/campaigns/${c.id}`, { key: app.adminKey })).body.schedule, { optimise: 'conversion' });
      const hours = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
      await feedHistory(c.id, hours, 40, (h) => (h === 19 ? 12 : 1));

      const started = [];
      for (let i = 0; i < 120; i++) {
        const id = await contact(app.worker, app.tenantId, mobile(1000 + i));
        started.push(await startChase(app.worker, app.tenantId, { campaignId: c.id, contact: { id } }));
      }
      const now = Date.now();
      const byHour = new Map<number, number>();
      let exploring = 0;
      for (const chase of started) {
        const due = new Date(chase.dueAt);
        const hour = localHour(due, ZONE);
        byHour.set(hour, (byHour.get(hour) ?? 0) + 1);
        assert.ok(isCallable(due, ZONE, EVENINGS), `${chase.dueAt} is outside 09:00–21:00 Shanghai`);
        assert.ok(due.getTime() >= now + 29 * 60_000, 'not before the delay');
        // The choice is on the timeline.
        const scheduled = chase.timeline.find((e) => e.type === 'scheduled')!;
        const { explored, ...choice } = scheduled.detail?.optimiser as { explored: unknown };
        assert.deepEqual(choice, { optimise: 'conversion', hour, tier: null });
        assert.equal(typeof explored, 'boolean');
        if (explored) exploring++;
        assert.equal(Date.parse(String(scheduled.detail?.at)), due.getTime());
      }
      const at19 = byHour.get(19) ?? 0;
      assert.ok(at19 >= 84, `only ${at19} of 120 chases at 19:00: ${JSON.stringify([...byHour])}`);
      assert.ok(at19 < 120, 'exploration sends a few chases to other hours');
      assert.ok(exploring > 0 && exploring < 40, `about one in ten chases explores: ${exploring} of 120`);
      // Read back through the API, the same due time.
      const one = await getChase(app.worker, app.tenantId, started[0]!.id);
      assert.equal(one.dueAt, started[0]!.dueAt);
    },
  );

  test('a campaign without schedule.optimise is scheduled as before: due after its delay, nothing on the timeline about hours', T, async () => {
    const c = await createCampaign({ name: 'Plain', rules: { window: EVENINGS, delayMinutes: 600 } });
    assert.equal((await app.request('GET', `/v1/campaigns/${c.id}`, { key: app.adminKey })).body.schedule, undefined);
    const id = await contact(app.worker, app.tenantId, mobile(2001));
    const before = Date.now();
    const chase = await startChase(app.worker, app.tenantId, { campaignId: c.id, contact: { id } });
    const due = Date.parse(chase.dueAt);
    assert.ok(due >= before + 600 * 60_000 && due <= Date.now() + 600 * 60_000, chase.dueAt);
    assert.deepEqual(Object.keys(chase.timeline.find((e) => e.type === 'scheduled')!.detail ?? {}), ['at']);
  });

  test('turning it off with schedule {} schedules as before again', T, async () => {
    const c = await createCampaign({ name: 'On then off', schedule: { optimise: 'connect' }, rules: { window: EVENINGS, delayMinutes: 600 } });
    const off = await app.request('PATCH', `/v1/campaigns/${c.id}`, { key: app.adminKey, body: { schedule: {} } });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.body.schedule, undefined);
    const id = await contact(app.worker, app.tenantId, mobile(2002));
    const chase = await startChase(app.worker, app.tenantId, { campaignId: c.id, contact: { id } });
    assert.equal(chase.timeline.find((e) => e.type === 'scheduled')!.detail?.optimiser, undefined);
  });
});

describe('what the optimiser learns from real chases', () => {
  test('an answered call counts a connect; an unanswered call whose SMS link is clicked counts the conversion in that call’s hour', T, async () => {
    const c = await createCampaign({ name: 'Clicks', goal: 'link-clicked' });
    const answered = mobile(3001);
    const unanswered = mobile(3002);
    app.sim.setProfile(answered, { outcomes: { answered: 1 }, ringSeconds: [1, 1] });
    app.sim.setProfile(unanswered, { outcomes: { 'no-answer': 1 }, ringSeconds: [1, 1] });
    const chases = [];
    for (const phone of [answered, unanswered]) {
      const id = await contact(app.worker, app.tenantId, phone);
      chases.push(await startChase(app.worker, app.tenantId, { campaignId: c.id, contact: { id }, context: { link: 'https://shop.example/cart' } }));
    }
    const [, missed] = await Promise.all(chases.map((ch) => waitForChase(app.worker, app.tenantId, ch.id)));
    const sms = await eventually(() => app.sim.messages().find((m) => m.to === unanswered), 'the SMS');
    const code = /\/l\/([\w-]+)/.exec(sms.body)![1]!;
    const click = await fetch(`${app.url}/l/${code}`, { redirect: 'manual' });
    assert.equal(click.status, 302);
    await fetch(`${app.url}/l/${code}`, { redirect: 'manual' }); // a second click converts nothing more

    const table = await hoursOf(c.id);
    assert.equal(table.optimise, null);
    const buckets = table.tiers.flatMap((t) => t.buckets);
    const sum = (k: 'trials' | 'connects' | 'conversions') => buckets.reduce((n, b) => n + b[k], 0);
    assert.deepEqual([sum('trials'), sum('connects'), sum('conversions')], [2, 1, 1]);
    const call = missed!.attempts.find((a) => a.channel === 'voice')!;
    assert.equal(buckets.find((b) => b.conversions === 1)!.hour, localHour(new Date(call.createdAt), ZONE));
  });
});

describe('GET /v1/optimiser/hours', () => {
  test('every allowed hour with its interval, narrowing as outcomes come in; readable by a viewer', T, async () => {
    const c = await createCampaign({ name: 'Table', schedule: { optimise: 'connect' }, rules: { window: EVENINGS } });
    const viewer = await createKey(app, 'viewer');
    const empty = await hoursOf(c.id, viewer.key);
    assert.equal(empty.optimise, 'connect');
    assert.equal(empty.tiers.length, 1);
    assert.deepEqual(
      empty.tiers[0]!.buckets.map((b) => b.hour),
      [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
    );
    const wide = empty.tiers[0]!.buckets.find((b) => b.hour === 19)!;
    assert.equal(wide.trials, 0);

    await feedHistory(c.id, [19], 200, () => 0);
    const fed = await hoursOf(c.id);
    const narrow = fed.tiers[0]!.buckets.find((b) => b.hour === 19)!;
    assert.deepEqual([narrow.trials, narrow.connects], [200, 200]);
    assert.ok(narrow.lower <= narrow.mean && narrow.mean <= narrow.upper);
    assert.ok(narrow.upper - narrow.lower < (wide.upper - wide.lower) / 5, `${JSON.stringify(narrow)} vs ${JSON.stringify(wide)}`);
    assert.ok(narrow.lower > 0.95);
    // The same table over tRPC.
    const viaTrpc = await trpcQuery(app, 'optimiser.hours', { campaignId: c.id });
    assert.equal(viaTrpc.status, 200, JSON.stringify(viaTrpc.body));
    assert.deepEqual(JSON.stringify(viaTrpc.body).includes('"trials":200'), true);
  });

  test('a campaign id that is not a UUID is a 400 naming campaignId; an unknown one a 404', T, async () => {
    assertProblem(await app.request('GET', '/v1/optimiser/hours?campaignId=nope', { key: app.adminKey }), 400, 'VALIDATION', 'campaignId');
    assertProblem(await app.request('GET', '/v1/optimiser/hours', { key: app.adminKey }), 400, 'VALIDATION', 'campaignId');
    assertProblem(await app.request('GET', `/v1/optimiser/hours?campaignId=${randomUUID()}`, { key: app.adminKey }), 404, 'NOT_FOUND', 'campaignId');
  });

  test('an unknown optimise target, or optimising the calls of an SMS-only campaign, is a 400 naming schedule.optimise', T, async () => {
    assertProblem(
      await app.request('POST', '/v1/campaigns', { key: app.adminKey, body: campaignBody({ schedule: { optimise: 'revenue' } }) }),
      400,
      'VALIDATION',
      'schedule.optimise',
    );
    assertProblem(
      await app.request('POST', '/v1/campaigns', { key: app.adminKey, body: campaignBody({ channel: { policy: 'sms' }, schedule: { optimise: 'connect' } }) }),
      400,
      'VALIDATION',
      'schedule.optimise',
    );
  });
});
