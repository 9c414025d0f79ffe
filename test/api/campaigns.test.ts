// Campaigns and the tenant's chase rules over the real HTTP server: what a campaign is made of
// is checked once (core's schema) and a rule that could never call is refused naming the rule;
// viewers read, operators write; another tenant sees nothing; pause/resume/cancel hold, requeue
// and end the campaign's chases.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../support/app.ts';
import { assertProblem, cnMobile, trpcMutation, trpcQuery } from '../support/api.ts';
import { ALL_DAY, campaignBody, listAll, newCampaign, newKey, newTenant, type KeyInfo } from '../support/data.ts';

let app: TestApp;
let viewer: KeyInfo;
let operator: KeyInfo;
let other: KeyInfo & { tenantId: string };

before(async () => {
  // The queue is needed by pause/resume/cancel; no worker, so chases stay where they are put.
  app = await testApp({ engine: { worker: false } });
  viewer = await newKey(app, 'viewer');
  operator = await newKey(app, 'operator');
  other = await newTenant(app, 'Other shop');
});
after(() => app?.close());

const weekdays = (spans: unknown[], days = ['1', '2', '3', '4', '5', '6', '7']) => Object.fromEntries(days.map((d) => [d, spans]));
const post = (path: string, body: unknown, key?: string, headers?: Record<string, string>) => app.request('POST', path, { key, body, headers });

describe('create and read', () => {
  test("a campaign's goal (what counts as a conversion) defaults by trigger, is kept, and a wrong one names the field", async () => {
    const manual = await post('/v1/campaigns', campaignBody({ name: 'Leads' }), operator.key);
    assert.equal(manual.body.goal, 'interested', manual.text);
    const clicks = await post('/v1/campaigns', campaignBody({ name: 'Clicks', goal: 'link-clicked' }), operator.key);
    assert.equal(clicks.body.goal, 'link-clicked', clicks.text);
    const renamed = await app.request('PATCH', `/v1/campaigns/${clicks.body.id}`, { key: operator.key, body: { name: 'Clicks 2' } });
    assert.equal(renamed.body.goal, 'link-clicked', renamed.text);
    const changed = await app.request('PATCH', `/v1/campaigns/${clicks.body.id}`, { key: operator.key, body: { goal: 'order' } });
    assert.equal(changed.body.goal, 'order', changed.text);
    assertProblem(await post('/v1/campaigns', campaignBody({ name: 'Bad', goal: 'sale' }), operator.key), 400, 'VALIDATION', 'goal');
  });

  test('a campaign is created with its defaults filled in, and reads back the same', async () => {
    const res = await post('/v1/campaigns', campaignBody({ name: 'Carts', rules: { window: ALL_DAY, caps: { callsPerDay: 3 } } }), operator.key);
    assert.equal(res.status, 201, res.text);
    const c = res.body;
    assert.equal(c.status, 'active');
    assert.equal(c.name, 'Carts');
    assert.deepEqual(c.trigger, { type: 'manual' });
    assert.equal(c.rules.maxCallAttempts, 1);
    assert.equal(c.rules.expireAfterHours, 72);
    assert.deepEqual(c.rules.caps, { callsPerDay: 3 });
    assert.deepEqual(c.lines, [{ from: '+14155550100', minPriority: 0 }]);
    const got = await app.request('GET', `/v1/campaigns/${c.id}`, { key: viewer.key });
    assert.equal(got.status, 200, got.text);
    assert.deepEqual(got.body, c);
    assert.deepEqual((await trpcQuery(app, 'campaigns.get', { id: c.id }, viewer.key)).body.result.data, c, 'tRPC answers the same');
  });

  test('the same Idempotency-Key twice creates one campaign and replays the first answer', async () => {
    const headers = { 'idempotency-key': 'campaign-once' };
    const body = campaignBody({ name: 'Once only' });
    const first = await post('/v1/campaigns', body, operator.key, headers);
    const second = await post('/v1/campaigns', body, operator.key, headers);
    assert.equal(first.status, 201, first.text);
    assert.equal(second.status, 201, second.text);
    assert.equal(second.body.id, first.body.id);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    const { items } = await listAll<{ name: string }>(app, '/v1/campaigns');
    assert.equal(items.filter((c) => c.name === 'Once only').length, 1);
  });

  test('list pages with a cursor and filters by status', async () => {
    const t = await newTenant(app, 'Lister');
    const ids = [];
    for (const n of [1, 2, 3]) ids.push((await newCampaign(app, { name: `L${n}` }, t.key)).id);
    const paused = await post(`/v1/campaigns/${ids[1]}/pause`, undefined, t.key);
    assert.equal(paused.status, 200, paused.text);

    const { items, pages } = await listAll<{ id: string }>(app, '/v1/campaigns', { key: t.key, limit: 2 });
    assert.equal(pages, 2);
    assert.deepEqual(items.map((c) => c.id).sort(), [...ids].sort());

    const onlyPaused = await app.request('GET', '/v1/campaigns?status=paused', { key: t.key });
    assert.deepEqual(
      onlyPaused.body.items.map((c: { id: string }) => c.id),
      [ids[1]],
    );
    const active = await app.request('GET', '/v1/campaigns?status=active', { key: t.key });
    assert.deepEqual(active.body.items.map((c: { id: string }) => c.id).sort(), [ids[0], ids[2]].sort());
    assertProblem(await app.request('GET', '/v1/campaigns?status=running', { key: t.key }), 400, 'VALIDATION', 'status');
  });
});

describe('a campaign no line can serve is saved with a warning', () => {
  test('no lines of its own and an empty pool: warnings say no-line at "lines", until a pool line is there and enabled', async () => {
    const t = await newTenant(app, 'No lines yet');
    const poolOnly = campaignBody({ lines: [] });
    const created = await post('/v1/campaigns', poolOnly, t.key);
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(
      created.body.warnings.map((w: { code: string; field: string }) => [w.code, w.field]),
      [['no-line', 'lines']],
    );
    assert.match(created.body.warnings[0].message, /line pool is empty.*POST \/v1\/lines/);
    const viaTrpc = await trpcMutation(app, 'campaigns.create', { ...poolOnly, name: 'over tRPC' }, { key: t.key });
    assert.equal(viaTrpc.body.result.data.warnings[0].code, 'no-line', 'tRPC says the same');
    const ownLines = await post('/v1/campaigns', campaignBody(), t.key);
    assert.deepEqual(ownLines.body.warnings, [], 'a campaign with lines of its own can always call');

    const line = await post('/v1/lines', { name: 'main', fromNumber: '+14155550123' }, t.key);
    assert.equal(line.status, 201, line.text);
    const get = (id: string) => app.request('GET', `/v1/campaigns/${id}`, { key: t.key });
    assert.deepEqual((await get(created.body.id)).body.warnings, [], 'an enabled pool line serves it');
    await app.request('PATCH', `/v1/lines/${line.body.id}`, { key: t.key, body: { enabled: false } });
    const disabled = await get(created.body.id);
    assert.match(disabled.body.warnings[0]?.message ?? '', /all 1 lines of the tenant's pool are disabled/);
    const { items } = await listAll<{ id: string; warnings: { code: string }[] }>(app, '/v1/campaigns', { key: t.key });
    assert.deepEqual(items.map((c) => c.warnings.map((w) => w.code)).sort(), [[], ['no-line'], ['no-line']]);
  });
});

describe('rules that could never call are refused, naming the rule', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['a window with no spans on any day', { rules: { window: { days: weekdays([]) } } }, 'rules.window'],
    [
      'a window whose exclusion covers every span',
      { rules: { window: { days: weekdays([{ start: '09:00', end: '12:00' }]), exclude: [{ start: '08:00', end: '13:00' }] } } },
      'rules.window',
    ],
    ['a span that ends before it starts', { rules: { window: { days: weekdays([{ start: '18:00', end: '09:00' }]) } } }, 'rules.window'],
    ['a cap of 0 calls a day', { rules: { window: ALL_DAY, caps: { callsPerDay: 0 } } }, 'rules.caps.callsPerDay'],
    ['no script without `when` (no default script)', { scripts: [{ name: 'vip', when: { tags: ['VIP'] }, say: 'Hi', sms: 'Hi' }] }, 'scripts'],
    ['an SMS policy with a script lacking its SMS text', { scripts: [{ name: 'default', say: 'Hi' }] }, 'scripts.0.sms'],
    ['no line every chase may use (minPriority 0)', { lines: [{ from: '+14155550100', minPriority: 5 }] }, 'lines'],
    ['a caller id that is not E.164', { lines: [{ from: '4155550100' }] }, 'lines.0.from'],
    ['no scripts at all', { scripts: [] }, 'scripts'],
  ];
  for (const [what, overrides, field] of cases) {
    test(`${what} → 400 at ${field}`, async () => {
      const res = await post('/v1/campaigns', campaignBody(overrides), operator.key);
      assertProblem(res, 400, 'VALIDATION', field);
      assert.ok(
        res.body.errors.some((e: { field: string }) => e.field === field),
        res.text,
      );
    });
  }

  test('the refusal says why in words a person can act on', async () => {
    const res = await post('/v1/campaigns', campaignBody({ rules: { window: { days: weekdays([]) } } }), operator.key);
    assert.match(res.body.detail, /empty window/);
    const cap = await post('/v1/campaigns', campaignBody({ rules: { window: ALL_DAY, caps: { callsPerDay: 0 } } }), operator.key);
    assert.match(cap.body.detail, /pause the campaign instead/);
  });

  test('a segment that does not exist (in this tenant) is 404 at segmentId', async () => {
    assertProblem(
      await post('/v1/campaigns', campaignBody({ segmentId: '00000000-0000-4000-8000-000000000000' }), operator.key),
      404,
      'NOT_FOUND',
      'segmentId',
    );
    const trigger = { type: 'segment-entry', segmentId: '00000000-0000-4000-8000-000000000000' };
    assertProblem(await post('/v1/campaigns', campaignBody({ trigger }), operator.key), 404, 'NOT_FOUND', 'trigger.segmentId');
  });

  test('a weekdays-only window (the days left out have no calls) is accepted', async () => {
    const window = { days: weekdays([{ start: '09:00', end: '18:00' }], ['1', '2', '3', '4', '5']) };
    const res = await post('/v1/campaigns', campaignBody({ rules: { window } }), operator.key);
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body.rules.window, window);
    const put = await app.request('PUT', '/v1/chase-rules', { key: operator.key, body: { window } });
    assert.equal(put.status, 200, put.text);
  });
});

describe('update', () => {
  test('PATCH replaces only the fields sent; the rest is kept', async () => {
    const c = await newCampaign(app, { name: 'Before', rules: { window: ALL_DAY, maxCallAttempts: 3 } });
    const res = await app.request('PATCH', `/v1/campaigns/${c.id}`, { key: operator.key, body: { name: 'After' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.name, 'After');
    assert.deepEqual(res.body.rules, c.rules, 'rules untouched');
    assert.deepEqual(res.body.scripts, c.scripts);
    assert.deepEqual(res.body.trigger, c.trigger);
    assert.ok(res.body.updatedAt >= c.updatedAt);

    const lines = [
      { from: '+14155550100', minPriority: 0 },
      { from: '+14155550199', minPriority: 10 },
    ];
    const relined = await app.request('PATCH', `/v1/campaigns/${c.id}`, { key: operator.key, body: { lines } });
    assert.deepEqual(relined.body.lines, lines);
    assert.equal(relined.body.name, 'After');
    assert.deepEqual((await app.request('GET', `/v1/campaigns/${c.id}`)).body, relined.body);
  });

  test('a PATCH that breaks a rule is refused like a create, and changes nothing', async () => {
    const c = await newCampaign(app);
    const patch = (body: unknown) => app.request('PATCH', `/v1/campaigns/${c.id}`, { key: operator.key, body });
    assertProblem(await patch({ rules: { window: ALL_DAY, caps: { callsPerDay: 0 } } }), 400, 'VALIDATION', 'rules.caps.callsPerDay');
    assertProblem(await patch({ rules: { window: { days: weekdays([]) } } }), 400, 'VALIDATION', 'rules.window');
    // Only the merged campaign can tell there is no default script left.
    assertProblem(await patch({ scripts: [{ name: 'vip', when: { tags: ['VIP'] }, say: 'Hi', sms: 'Hi' }] }), 400, 'VALIDATION', 'scripts');
    // Switching to voice+SMS needs SMS text in the scripts the campaign already has.
    const voice = await newCampaign(app, { channel: { policy: 'voice' }, scripts: [{ name: 'default', say: 'Hi' }] });
    const toSms = await app.request('PATCH', `/v1/campaigns/${voice.id}`, { key: operator.key, body: { channel: { policy: 'sms' } } });
    assertProblem(toSms, 400, 'VALIDATION', 'scripts.0.sms');
    assert.deepEqual((await app.request('GET', `/v1/campaigns/${c.id}`)).body, c, 'unchanged');
  });

  test('an unknown campaign is 404', async () => {
    const res = await app.request('PATCH', '/v1/campaigns/00000000-0000-4000-8000-000000000000', { key: operator.key, body: { name: 'x' } });
    assertProblem(res, 404, 'NOT_FOUND', 'id');
  });
});

describe('pause, resume, cancel', () => {
  test('pause holds, resume reactivates, cancel is final; repeating an action is harmless', async () => {
    const c = await newCampaign(app);
    const act = (action: string) => post(`/v1/campaigns/${c.id}/${action}`, undefined, operator.key);
    assert.equal((await act('pause')).body.status, 'paused');
    assert.equal((await act('pause')).body.status, 'paused');
    assert.equal((await act('resume')).body.status, 'active');
    assert.equal((await act('resume')).body.status, 'active');
    const canceled = await act('cancel');
    assert.equal(canceled.status, 200, canceled.text);
    assert.equal(canceled.body.status, 'canceled');
    assert.equal((await act('cancel')).body.status, 'canceled');
    assertProblem(await act('resume'), 409, 'CONFLICT', 'status');
    assertProblem(await act('pause'), 409, 'CONFLICT', 'status');
    const patch = await app.request('PATCH', `/v1/campaigns/${c.id}`, { key: operator.key, body: { name: 'Revived?' } });
    assertProblem(patch, 409, 'CONFLICT', 'status');
    assert.equal((await app.request('GET', `/v1/campaigns/${c.id}`)).body.status, 'canceled');
  });

  test('cancelling a campaign ends its live chases as canceled; a canceled campaign starts no more', async () => {
    const c = await newCampaign(app, { rules: { window: ALL_DAY, delayMinutes: 60 } });
    const started = await post('/v1/chases', { campaignId: c.id, contact: { phone: cnMobile(4101) } }, operator.key);
    assert.equal(started.status, 201, started.text);
    assert.equal(started.body.status, 'scheduled');
    assert.equal((await post(`/v1/campaigns/${c.id}/cancel`, undefined, operator.key)).status, 200);
    const chase = await app.request('GET', `/v1/chases/${started.body.id}`);
    assert.equal(chase.body.status, 'canceled');
    assert.equal(chase.body.timeline.at(-1).type, 'canceled');
    const again = await post('/v1/chases', { campaignId: c.id, contact: { phone: cnMobile(4102) } }, operator.key);
    assertProblem(again, 409, 'CONFLICT', 'campaignId');
  });
});

describe('who may do what', () => {
  test('a viewer reads but cannot create, change, pause or set chase rules', async () => {
    const c = await newCampaign(app);
    assertProblem(await post('/v1/campaigns', campaignBody(), viewer.key), 403, 'FORBIDDEN');
    assertProblem(await app.request('PATCH', `/v1/campaigns/${c.id}`, { key: viewer.key, body: { name: 'x' } }), 403, 'FORBIDDEN');
    for (const action of ['pause', 'resume', 'cancel']) {
      assertProblem(await post(`/v1/campaigns/${c.id}/${action}`, undefined, viewer.key), 403, 'FORBIDDEN');
    }
    assertProblem(await app.request('PUT', '/v1/chase-rules', { key: viewer.key, body: {} }), 403, 'FORBIDDEN');
    assert.equal((await app.request('GET', `/v1/campaigns/${c.id}`, { key: viewer.key })).status, 200);
    assert.equal((await app.request('GET', '/v1/campaigns', { key: viewer.key })).status, 200);
    assert.equal((await app.request('GET', '/v1/chase-rules', { key: viewer.key })).status, 200);
    assert.equal((await app.request('GET', `/v1/campaigns/${c.id}`)).body.status, 'active', 'nothing changed');
  });

  test('another tenant gets 404 for every campaign action and does not see it listed', async () => {
    const c = await newCampaign(app);
    const key = other.key;
    assertProblem(await app.request('GET', `/v1/campaigns/${c.id}`, { key }), 404, 'NOT_FOUND', 'id');
    assertProblem(await app.request('PATCH', `/v1/campaigns/${c.id}`, { key, body: { name: 'Mine now' } }), 404, 'NOT_FOUND');
    for (const action of ['pause', 'resume', 'cancel']) {
      assertProblem(await post(`/v1/campaigns/${c.id}/${action}`, undefined, key), 404, 'NOT_FOUND');
    }
    const { items } = await listAll<{ id: string }>(app, '/v1/campaigns', { key });
    assert.ok(!items.some((x) => x.id === c.id));
    const still = (await app.request('GET', `/v1/campaigns/${c.id}`)).body;
    assert.equal(still.name, c.name);
    assert.equal(still.status, 'active');
  });
});

describe('tenant chase rules', () => {
  test('GET starts empty (built-in defaults); PUT replaces and GET reads it back', async () => {
    const t = await newTenant(app, 'Rules');
    assert.deepEqual((await app.request('GET', '/v1/chase-rules', { key: t.key })).body, {});
    const ops = await newKey(app, 'operator', t.key);
    const rules = {
      window: { days: weekdays([{ start: '09:00', end: '20:00' }]), exclude: [{ start: '12:00', end: '13:30' }] },
      caps: { callsPerDay: 3, minHoursBetweenCalls: 4 },
    };
    const put = await app.request('PUT', '/v1/chase-rules', { key: ops.key, body: rules });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.body, rules);
    assert.deepEqual((await app.request('GET', '/v1/chase-rules', { key: t.key })).body, rules);
    // PUT replaces: what is left out goes back to the defaults.
    const capsOnly = await app.request('PUT', '/v1/chase-rules', { key: t.key, body: { caps: { callsPerDay: 1 } } });
    assert.deepEqual(capsOnly.body, { caps: { callsPerDay: 1 } });
    assert.deepEqual((await app.request('GET', '/v1/chase-rules', { key: t.key })).body, { caps: { callsPerDay: 1 } });
    assert.deepEqual((await app.request('GET', '/v1/chase-rules', { key: other.key })).body, {}, 'other tenants unaffected');
  });

  test('PUT validates like a campaign: the same rules, named at the same place', async () => {
    const before = (await app.request('GET', '/v1/chase-rules')).body;
    const put = (body: unknown) => app.request('PUT', '/v1/chase-rules', { key: operator.key, body });
    assertProblem(await put({ caps: { callsPerDay: 0 } }), 400, 'VALIDATION', 'caps.callsPerDay');
    assertProblem(await put({ window: { days: weekdays([]) } }), 400, 'VALIDATION', 'window');
    assertProblem(await put({ window: { days: weekdays([{ start: '25:00', end: '26:00' }]) } }), 400, 'VALIDATION', 'window');
    assertProblem(await put({ caps: { minHoursBetweenCalls: -1 } }), 400, 'VALIDATION', 'caps.minHoursBetweenCalls');
    assert.deepEqual((await app.request('GET', '/v1/chase-rules')).body, before, 'nothing stored');
  });
});
