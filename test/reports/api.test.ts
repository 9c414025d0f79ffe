/**
 * The reports API as an integrator meets it: bad input is a 400 naming the field, the CSV is
 * for admin and analyst keys only and cannot smuggle a formula into a spreadsheet, the
 * definitions are in the OpenAPI document, and the timeseries has every bucket.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../support/app.ts';
import { createKey, trpcQuery, type Role } from '../support/api.ts';
import { definitions } from '../../core/reports/definitions.ts';

let app: TestApp;
const keys = {} as Record<Role, string>;
let campaignId: string;

before(async () => {
  app = await testApp();
  for (const role of ['viewer', 'analyst', 'operator', 'admin'] as Role[]) keys[role] = (await createKey(app, role)).key;
  campaignId = randomUUID();
  // A campaign whose script name is a formula, with one chase and one answered call, counted by the triggers.
  await app.db.pool.query(
    `insert into campaigns (tenant_id, id, name, trigger, channel, rules, scripts, lines, industry) values ($1, $2, 'c', '{"type":"manual"}', '{"policy":"voice"}', '{}', '[]', '[]', 'travel')`,
    [app.tenantId, campaignId],
  );
  const chaseId = randomUUID();
  await app.db.pool.query(
    `insert into chases (tenant_id, id, campaign_id, contact_id, phone_hash, status, next_channel, due_at, deadline_at, script, created_at)
     values ($1, $2, $3, $4, '\\x01', 'completed', 'voice', now(), now(), '=HYPERLINK("http://evil.example")', '2026-03-02T10:15:00Z')`,
    [app.tenantId, chaseId, campaignId, randomUUID()],
  );
  await app.db.pool.query(
    `insert into attempts (tenant_id, id, chase_id, campaign_id, phone_hash, channel, status, outcome, from_number, duration_seconds, time_zone, created_at)
     values ($1, $2, $3, $4, '\\x01', 'voice', 'completed', 'answered', '+14155550100', 42, 'Asia/Shanghai', '2026-03-02T10:16:00Z')`,
    [app.tenantId, randomUUID(), chaseId, campaignId],
  );
});
after(() => app?.close());

const get = (path: string, role: Role = 'viewer') => app.request('GET', path, { key: keys[role] });
const RANGE = 'from=2026-03-01&to=2026-03-04';

describe('GET /v1/reports/summary', () => {
  test('every role reads it; the row carries the counts and rates', { timeout: 30_000 }, async () => {
    for (const role of ['viewer', 'analyst', 'operator', 'admin'] as Role[]) {
      const res = await get(`/v1/reports/summary?${RANGE}&groupBy=localHour`, role);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(
        res.body.rows.map((r: { key: number }) => r.key),
        [18],
        'the call was at 18:16 in Shanghai',
      );
      assert.equal(res.body.rows[0].answered, 1);
      assert.equal(res.body.rows[0].connectRate, 1);
      assert.equal(res.body.rows[0].talkSeconds, 42);
    }
    const industry = await get(`/v1/reports/summary?${RANGE}&groupBy=industry`);
    assert.deepEqual(
      industry.body.rows.map((r: { key: string; chases: number }) => [r.key, r.chases]),
      [['travel', 1]],
    );
    const none = await get(`/v1/reports/summary?from=2025-01-01&to=2025-01-02`);
    assert.equal(none.body.rows.length, 1, 'without groupBy: one total row, even when nothing happened');
    assert.equal(none.body.rows[0].key, null);
    assert.equal(none.body.rows[0].chases, 0);
    assert.equal(none.body.rows[0].connectRate, null, 'a rate with nothing to divide is null');
  });

  test('bad input is a 400 naming the field', { timeout: 30_000 }, async () => {
    const cases: [string, string][] = [
      ['groupBy=colour', 'groupBy'],
      ['from=2026-03-05&to=2026-03-01', 'from'],
      ['from=2025-01-01&to=2026-03-01', 'from'],
      ['from=yesterday', 'from'],
      ['to=2026-02-30', 'to'],
      ['from=0000-01-01&to=0000-01-02', 'from'],
      ['campaignId=42', 'campaignId'],
      ['format=xml', 'format'],
      ['thenBy=weekday', 'thenBy'],
      ['groupBy=weekday&thenBy=weekday', 'thenBy'],
      ['groupBy=localHour&thenBy=colour', 'thenBy'],
    ];
    for (const [query, field] of cases) {
      const res = await get(`/v1/reports/summary?${query}`);
      assert.equal(res.status, 400, `${query}: ${res.text}`);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.equal(res.body.field, field, `${query}: ${res.text}`);
    }
    for (const [query, field] of [
      ['metric=happiness', 'metric'],
      ['metric=chases&interval=week', 'interval'],
      ['metric=chases&from=2026-03-05&to=2026-03-01', 'from'],
    ]) {
      const res = await get(`/v1/reports/timeseries?${query}`);
      assert.equal(res.status, 400, `${query}: ${res.text}`);
      assert.equal(res.body.field, field, `${query}: ${res.text}`);
    }
  });
});

test('a second dimension: one row per pair, over REST, tRPC and CSV; the definitions are served', { timeout: 30_000 }, async () => {
  const res = await get(`/v1/reports/summary?${RANGE}&groupBy=localHour&thenBy=weekday`);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(
    res.body.rows.map((r: { key: number; subKey: number; answered: number }) => [r.key, r.subKey, r.answered]),
    [[18, 1, 1]],
    '18:16 on a Monday in Shanghai',
  );
  const trpc = await trpcQuery(app, 'reports.summary', { from: '2026-03-01', to: '2026-03-04', groupBy: 'campaign', thenBy: 'localHour' }, keys.viewer);
  assert.equal(trpc.status, 200);
  assert.match(JSON.stringify(trpc.body), new RegExp(`"key":"${campaignId}","subKey":18`));
  const csv = await get(`/v1/reports/summary?${RANGE}&groupBy=localHour&thenBy=weekday&format=csv`, 'analyst');
  assert.equal(csv.status, 200, csv.text);
  assert.match(csv.headers.get('content-disposition') ?? '', /report-localHour-weekday-2026-03-01\.csv/);
  assert.match(csv.text, /^localHour,weekday,chases,attempts,[^\r]*\r\n18,1,1,1,1,1,/);
  const defs = await get('/v1/reports/definitions');
  assert.equal(defs.status, 200, defs.text);
  assert.equal(defs.body.definitions.connectRate, definitions.connectRate);
  assert.equal(defs.body.definitions.revenue, definitions.revenue);
});

describe('CSV export', () => {
  test('admin and analyst keys download it; viewer and operator keys are refused, over REST and tRPC', { timeout: 30_000 }, async () => {
    for (const role of ['admin', 'analyst'] as Role[]) {
      const res = await get(`/v1/reports/summary?${RANGE}&groupBy=script&format=csv`, role);
      assert.equal(res.status, 200, res.text);
      assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
      assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="?report-script-2026-03-01.csv"?/);
      const [head, row] = res.text.split('\r\n');
      assert.match(head!, /^script,chases,attempts,answered,connectRate,/);
      // The formula is shown as text, not run: a leading quote, and the cell quoted for its own quotes and comma-free text.
      assert.ok(row!.startsWith(`"'=HYPERLINK(""http://evil.example"")",1,1,1,1,`), row);
    }
    for (const role of ['viewer', 'operator'] as Role[]) {
      const res = await get(`/v1/reports/summary?${RANGE}&format=csv`, role);
      assert.equal(res.status, 403, `${role}: ${res.text}`);
      assert.equal(res.body.code, 'FORBIDDEN');
      const trpc = await trpcQuery(app, 'reports.summary', { format: 'csv' }, keys[role]);
      assert.equal(trpc.status, 403, `tRPC ${role}`);
    }
    const trpc = await trpcQuery(app, 'reports.summary', { from: '2026-03-01', to: '2026-03-04', format: 'csv' }, keys.analyst);
    assert.equal(trpc.status, 200);
    assert.match(JSON.stringify(trpc.body), /key,chases,attempts/);
  });

  test('the timeseries has every bucket, and exports too', { timeout: 30_000 }, async () => {
    const res = await get(`/v1/reports/timeseries?metric=answered&interval=day&${RANGE}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.points, [
      { at: '2026-03-01T00:00:00.000Z', value: 0 },
      { at: '2026-03-02T00:00:00.000Z', value: 1 },
      { at: '2026-03-03T00:00:00.000Z', value: 0 },
    ]);
    const rate = await get(`/v1/reports/timeseries?metric=connectRate&interval=hour&from=2026-03-02T09:00:00Z&to=2026-03-02T12:00:00Z`);
    assert.deepEqual(
      rate.body.points.map((p: { value: number | null }) => p.value),
      [null, 1, null],
    );
    const csv = await get(`/v1/reports/timeseries?metric=answered&${RANGE}&format=csv`, 'analyst');
    assert.equal(csv.text, 'at,answered\r\n2026-03-01T00:00:00.000Z,0\r\n2026-03-02T00:00:00.000Z,1\r\n2026-03-03T00:00:00.000Z,0\r\n');
  });
});

test('the OpenAPI document shows the definitions and the CSV answer', { timeout: 30_000 }, async () => {
  const doc = (await app.request('GET', '/openapi.json')).body;
  const text = JSON.stringify(doc);
  for (const d of [definitions.connectRate, definitions.complaints, definitions.conversions]) assert.ok(text.includes(JSON.stringify(d).slice(1, -1)), d);
  assert.ok(doc.paths['/v1/reports/summary'].get.responses['200'].content['text/csv']);
});
