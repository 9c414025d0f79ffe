// Experiments over the real HTTP server (no worker: chases stay where they are put): an
// experiment is created on a campaign and read back with per-arm results; arms that contradict
// the campaign are 400s naming the arm's field; one running experiment per campaign (409);
// stop; roles and tenants; new chases are assigned arms by weight, and the arm's script and
// delay replace the campaign's on the chase, its timeline and the chases API.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../support/app.ts';
import { assertProblem, cnMobile, trpcQuery } from '../support/api.ts';
import { ALL_DAY, newCampaign, newKey, newTenant, type KeyInfo } from '../support/data.ts';
import { startChase } from '../../core/chases/chases.ts';
import { upsertContact } from '../../core/contacts/contacts.ts';
import { seededRandom } from '../../core/common/random.ts';

let app: TestApp;
let viewer: KeyInfo;
let operator: KeyInfo;
let other: KeyInfo & { tenantId: string };

const OFFICE = { days: Object.fromEntries(['1', '2', '3', '4', '5'].map((d) => [d, [{ start: '09:00', end: '18:00' }]])) };
const scripts = [
  { name: 'plain', say: 'Hello {{name}}, your cart is waiting.', sms: 'Your cart: {{context.link}}' },
  { name: 'discount', when: { tags: ['vip'] }, say: 'Hello {{name}}, 10% off your cart today.', sms: 'Your cart, 10% off: {{context.link}}' },
];

before(async () => {
  app = await testApp({ engine: { worker: false } });
  viewer = await newKey(app, 'viewer');
  operator = await newKey(app, 'operator');
  other = await newTenant(app, 'Other shop');
});
after(() => app?.close());

const post = (path: string, body: unknown, key = operator.key, headers?: Record<string, string>) => app.request('POST', path, { key, body, headers });
const experimentBody = (campaignId: string, overrides: Record<string, unknown> = {}) => ({
  campaignId,
  name: 'Discount or not',
  arms: [{ name: 'control' }, { name: 'discount', script: 'discount' }],
  ...overrides,
});

describe('create, read, stop', () => {
  test('an experiment is created running, with empty results per arm, and reads back the same over REST and tRPC', { timeout: 20_000 }, async () => {
    const campaign = await newCampaign(app, { name: 'Carts A', scripts, rules: { window: OFFICE } });
    const res = await post(
      '/v1/experiments',
      experimentBody(campaign.id, { arms: [{ name: 'control' }, { name: 'discount', script: 'discount', weight: 2 }] }),
    );
    assert.equal(res.status, 201, res.text);
    const e = res.body;
    assert.equal(e.status, 'running');
    assert.equal(e.alpha, 0.05);
    assert.equal(e.verdict, null);
    assert.deepEqual(
      e.arms.map((a: { name: string; weight: number; chases: number; conversions: number; conversionRate: number; complaints: number; revenue: unknown[] }) => [
        a.name,
        a.weight,
        a.chases,
        a.conversions,
        a.conversionRate,
        a.complaints,
        a.revenue.length,
      ]),
      [
        ['control', 1, 0, 0, 0, 0, 0],
        ['discount', 2, 0, 0, 0, 0, 0],
      ],
    );
    assert.equal(e.progress.waiting, 'min-chases');
    const got = await app.request('GET', `/v1/experiments/${e.id}`, { key: viewer.key });
    assert.equal(got.status, 200, got.text);
    assert.deepEqual(got.body, e);
    const trpc = await trpcQuery(app, 'experiments.get', { id: e.id }, viewer.key);
    assert.equal(trpc.status, 200, JSON.stringify(trpc.body));
    assert.deepEqual(trpc.body.result.data, e, 'tRPC answers the same');
    const list = await app.request('GET', `/v1/experiments?campaignId=${campaign.id}`, { key: viewer.key });
    assert.deepEqual(
      list.body.items.map((x: { id: string }) => x.id),
      [e.id],
    );

    // One running experiment per campaign.
    assertProblem(await post('/v1/experiments', experimentBody(campaign.id, { name: 'Second' })), 409, 'CONFLICT', 'campaignId');
    const stopped = await post(`/v1/experiments/${e.id}/stop`, {});
    assert.equal(stopped.status, 200, stopped.text);
    assert.equal(stopped.body.status, 'stopped');
    assert.ok(stopped.body.endedAt);
    assert.equal((await post(`/v1/experiments/${e.id}/stop`, {})).body.status, 'stopped', 'stopping twice is harmless');
    // Stopped, the campaign may run another.
    assert.equal((await post('/v1/experiments', experimentBody(campaign.id, { name: 'Again' }))).status, 201);
    const running = await app.request('GET', `/v1/experiments?campaignId=${campaign.id}&status=running`, { key: viewer.key });
    assert.deepEqual(
      running.body.items.map((x: { name: string }) => x.name),
      ['Again'],
    );
  });

  test('the same Idempotency-Key twice creates one experiment', { timeout: 20_000 }, async () => {
    const campaign = await newCampaign(app, { name: 'Carts I', scripts });
    const headers = { 'idempotency-key': 'experiment-once' };
    const first = await post('/v1/experiments', experimentBody(campaign.id), operator.key, headers);
    const again = await post('/v1/experiments', experimentBody(campaign.id), operator.key, headers);
    assert.equal(first.status, 201, first.text);
    assert.equal(again.status, 201, again.text);
    assert.equal(again.body.id, first.body.id);
  });
});

describe('arms that contradict the campaign are 400s naming the field', () => {
  test('unknown script, window outside the campaign’s, a delay past the expiry, too few arms, twin names, bad alpha', { timeout: 20_000 }, async () => {
    const campaign = await newCampaign(app, { name: 'Carts V', scripts, rules: { window: OFFICE, expireAfterHours: 24 } });
    const bad = async (overrides: Record<string, unknown>, field: string, pattern?: RegExp) => {
      const res = await post('/v1/experiments', experimentBody(campaign.id, overrides));
      assertProblem(res, 400, 'VALIDATION', field);
      if (pattern) assert.match(res.body.detail, pattern);
    };
    await bad({ arms: [{ name: 'control' }, { name: 'b', script: 'nope' }] }, 'arms.1.script', /no script named "nope"/);
    // Saturday is not in the campaign's window; nor is 08:00 on a Monday.
    await bad({ arms: [{ name: 'control' }, { name: 'weekend', window: { days: { 6: [{ start: '10:00', end: '12:00' }] } } }] }, 'arms.1.window', /days\.6/);
    await bad(
      {
        arms: [
          { name: 'early', window: { days: { 1: [{ start: '08:00', end: '10:00' }] } } },
          { name: 'b', script: 'plain' },
        ],
      },
      'arms.0.window',
      /08:00/,
    );
    await bad({ arms: [{ name: 'control' }, { name: 'late', delayMinutes: 24 * 60 }] }, 'arms.1.delayMinutes', /expires/);
    await bad({ arms: [{ name: 'only', script: 'plain' }] }, 'arms');
    await bad({ arms: [{ name: 'a' }, { name: 'b' }] }, 'arms', /at least one arm/);
    await bad({ arms: [{ name: 'a' }, { name: 'a', script: 'discount' }] }, 'arms.1.name');
    await bad({ arms: Array.from({ length: 6 }, (_, i) => ({ name: `a${i}`, delayMinutes: i })) }, 'arms');
    await bad({ arms: [{ name: 'control' }, { name: 'b', window: { days: { 1: [{ start: '12:00', end: '10:00' }] } } }] }, 'arms.1.window');
    await bad({ alpha: 0 }, 'alpha');
    await bad({ arms: [{ name: 'control' }, { name: 'b', script: 'discount', weight: 0 }] }, 'arms.1.weight');
    // A window inside the campaign's, and a delay short of the expiry, are fine.
    const ok = await post(
      '/v1/experiments',
      experimentBody(campaign.id, {
        arms: [
          { name: 'control' },
          { name: 'mornings', window: { days: { 1: [{ start: '09:00', end: '12:00' }], 3: [{ start: '09:30', end: '11:00' }] } }, delayMinutes: 60 },
        ],
      }),
    );
    assert.equal(ok.status, 201, ok.text);
    assertProblem(await post('/v1/experiments', experimentBody('00000000-0000-4000-8000-000000000000')), 404, 'NOT_FOUND', 'campaignId');
  });
});

describe('roles and tenants', () => {
  test('a viewer reads but cannot create or stop; another tenant sees nothing', { timeout: 20_000 }, async () => {
    const campaign = await newCampaign(app, { name: 'Carts R', scripts });
    assertProblem(await post('/v1/experiments', experimentBody(campaign.id), viewer.key), 403, 'FORBIDDEN');
    const e = (await post('/v1/experiments', experimentBody(campaign.id))).body;
    assertProblem(await post(`/v1/experiments/${e.id}/stop`, {}, viewer.key), 403, 'FORBIDDEN');
    assert.equal((await app.request('GET', `/v1/experiments/${e.id}`, { key: viewer.key })).status, 200);
    assertProblem(await app.request('GET', `/v1/experiments/${e.id}`, { key: other.key }), 404, 'NOT_FOUND', 'id');
    assertProblem(await post(`/v1/experiments/${e.id}/stop`, {}, other.key), 404, 'NOT_FOUND');
    assert.deepEqual((await app.request('GET', '/v1/experiments', { key: other.key })).body.items, []);
    assertProblem(await post('/v1/experiments', experimentBody(campaign.id), other.key), 404, 'NOT_FOUND', 'campaignId');
  });
});

describe('assignment', () => {
  test(
    'new chases draw arms by weight; the arm’s script and delay replace the campaign’s; the API and timeline show the arm',
    { timeout: 60_000 },
    async () => {
      const campaign = await newCampaign(app, { name: 'Carts W', scripts, rules: { window: ALL_DAY, delayMinutes: 5 } });
      const before = await app.request('POST', '/v1/chases', { key: operator.key, body: { campaignId: campaign.id, contact: { phone: cnMobile(500) } } });
      assert.equal(before.body.experiment, null, 'a chase outside any experiment says so');
      const e = (
        await post(
          '/v1/experiments',
          experimentBody(campaign.id, {
            arms: [
              { name: 'control', weight: 1 },
              { name: 'discount', script: 'discount', delayMinutes: 90, weight: 3 },
            ],
          }),
        )
      ).body;
      const viaApi = await app.request('POST', '/v1/chases', { key: operator.key, body: { campaignId: campaign.id, contact: { phone: cnMobile(502) } } });
      assert.equal(viaApi.status, 201, viaApi.text);
      assert.equal(viaApi.body.experiment.id, e.id, 'a chase started through the API draws an arm (crypto randomness)');
      const deps = { ...app.worker!, random: seededRandom(11) };
      const n = 400;
      const chases = [];
      for (let i = 0; i < n; i++) {
        const contact = (await upsertContact(deps, app.tenantId, { phone: `+86139${String(20_000_000 + i)}` }, 'api')).contact.id;
        chases.push(await startChase(deps, app.tenantId, { campaignId: campaign.id, contact: { id: contact } }));
      }
      const discount = chases.filter((c) => c.experiment?.arm === 'discount');
      const share = discount.length / n;
      assert.ok(share > 0.68 && share < 0.82, `weights 1:3 gave the discount arm ${discount.length} of ${n}`);
      for (const c of chases) {
        assert.equal(c.experiment?.id, e.id);
        const minutes = (Date.parse(c.dueAt) - Date.parse(c.createdAt)) / 60_000;
        if (c.experiment?.arm === 'discount') {
          assert.equal(c.script, 'discount', 'the arm’s script, though the contact has no vip tag');
          assert.ok(Math.abs(minutes - 90) < 1, `the arm's delay: ${minutes}`);
        } else {
          assert.equal(c.script, 'plain');
          assert.ok(Math.abs(minutes - 5) < 1, `the campaign's delay: ${minutes}`);
        }
        assert.deepEqual(c.timeline[0]!.detail, { experimentId: e.id, experiment: 'Discount or not', arm: c.experiment!.arm });
      }
      const one = await app.request('GET', `/v1/chases/${discount[0]!.id}`, { key: viewer.key });
      assert.deepEqual(one.body.experiment, { id: e.id, arm: 'discount' });
      const listed = await app.request('GET', `/v1/chases?campaignId=${campaign.id}&limit=500`, { key: viewer.key });
      // The chase started through the API drew its arm too.
      const apiArm = viaApi.body.experiment.arm === 'discount' ? 1 : 0;
      assert.equal(listed.body.items.filter((c: { experiment: { arm: string } | null }) => c.experiment?.arm === 'discount').length, discount.length + apiArm);
      const results = (await app.request('GET', `/v1/experiments/${e.id}`, { key: viewer.key })).body;
      assert.deepEqual(
        results.arms.map((a: { chases: number }) => a.chases),
        [n - discount.length + 1 - apiArm, discount.length + apiArm],
      );
      // Orders recovered by chases (the store's order webhook sets chases.revenue; see the commerce tests)
      // are summed per arm and currency.
      const control = chases.filter((c) => c.experiment?.arm === 'control');
      const recovered = [
        [discount[0]!.id, '19.90', 'EUR'],
        [discount[1]!.id, '5.10', 'EUR'],
        [discount[2]!.id, '100.00', 'CNY'],
        [control[0]!.id, '7.00', 'EUR'],
      ];
      for (const [id, amount, currency] of recovered) {
        await app.db.pool.query(`update chases set revenue = $3, revenue_currency = $4 where tenant_id = $1 and id = $2`, [app.tenantId, id, amount, currency]);
      }
      const withRevenue = (await app.request('GET', `/v1/experiments/${e.id}`, { key: viewer.key })).body;
      assert.deepEqual(
        withRevenue.arms.map((a: { name: string; revenue: unknown }) => [a.name, a.revenue]),
        [
          ['control', [{ currency: 'EUR', amount: 7 }]],
          [
            'discount',
            [
              { currency: 'CNY', amount: 100 },
              { currency: 'EUR', amount: 25 },
            ],
          ],
        ],
      );

      // Stopped: new chases are the campaign's again; assigned ones keep their arm.
      await post(`/v1/experiments/${e.id}/stop`, {});
      const afterStop = await app.request('POST', '/v1/chases', { key: operator.key, body: { campaignId: campaign.id, contact: { phone: cnMobile(501) } } });
      assert.equal(afterStop.body.experiment, null);
      assert.deepEqual((await app.request('GET', `/v1/chases/${discount[0]!.id}`)).body.experiment, { id: e.id, arm: 'discount' });
    },
  );
});
