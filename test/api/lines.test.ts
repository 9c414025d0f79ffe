// The line pool over the real HTTP server: lines are created and changed with their
// contradictions refused naming the field, listed with their health (a line failing 30% of
// its calls shows drained), and another tenant can neither see nor touch them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../support/app.ts';
import { assertProblem, trpcQuery } from '../support/api.ts';
import { newKey, newTenant, type KeyInfo } from '../support/data.ts';
import { memoryHealthStore, recordLineResult } from '../../core/lines/health.ts';
import { memoryTokenBucket } from '../../core/common/token-bucket.ts';
import type { LineStores } from '../../core/lines/stores.ts';

let app: TestApp;
let viewer: KeyInfo;
let operator: KeyInfo;
let other: KeyInfo & { tenantId: string };
const stores: LineStores = { health: memoryHealthStore(), cps: memoryTokenBucket() };

before(async () => {
  app = await testApp();
  // What a process wires in at boot (Redis or memory); the procedures read health from it.
  app.deps.lines = stores;
  viewer = await newKey(app, 'viewer');
  operator = await newKey(app, 'operator');
  other = await newTenant(app, 'Other shop');
});
after(() => app?.close());

const BYOC = `BY${'0123456789abcdef'.repeat(2)}`;
const post = (body: unknown, key = operator.key, headers?: Record<string, string>) => app.request('POST', '/v1/lines', { key, body, headers });

describe('create', () => {
  test('a number line gets its defaults and a healthy, empty health', async () => {
    const res = await post({ name: 'US main', fromNumber: '+14155550100', costPerMinute: 0.013, region: 'US' });
    assert.equal(res.status, 201, res.text);
    const l = res.body;
    assert.equal(l.kind, 'number');
    assert.equal(l.tier, 'standard');
    assert.equal(l.cps, 1);
    assert.equal(l.costPerMinute, 0.013);
    assert.equal(l.enabled, true);
    assert.deepEqual(l.health, { status: 'healthy', sample: 0, answerRate: 0, failureRate: 0, drainedAt: null, drainReason: null, lastProbeAt: null });
    const got = await app.request('GET', `/v1/lines/${l.id}`, { key: viewer.key });
    assert.deepEqual(got.body, l);
  });

  test('BYOC and SIP lines keep their trunk and domain', async () => {
    const byoc = await post({ name: 'trunk', kind: 'byoc', fromNumber: '+14155550101', byocTrunkSid: BYOC, tier: 'premium', cps: 10 });
    assert.equal(byoc.status, 201, byoc.text);
    assert.equal(byoc.body.byocTrunkSid, BYOC);
    const sip = await post({ name: 'sip', kind: 'sip', fromNumber: '+14155550102', sipDomain: 'SIP.Example.com' });
    assert.equal(sip.status, 201, sip.text);
    assert.equal(sip.body.sipDomain, 'sip.example.com');
  });

  test('the same Idempotency-Key twice creates one line', async () => {
    const headers = { 'idempotency-key': 'line-once' };
    const first = await post({ name: 'once', fromNumber: '+14155550103' }, operator.key, headers);
    const second = await post({ name: 'once', fromNumber: '+14155550103' }, operator.key, headers);
    assert.equal(first.status, 201, first.text);
    assert.equal(second.body.id, first.body.id);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ['byoc without its trunk sid', { kind: 'byoc' }, 'byocTrunkSid'],
    ['a malformed trunk sid', { kind: 'byoc', byocTrunkSid: 'BY123' }, 'byocTrunkSid'],
    ['sip without a domain', { kind: 'sip' }, 'sipDomain'],
    ['a domain on a number line', { sipDomain: 'sip.example.com' }, 'sipDomain'],
    ['a trunk on a sip line', { kind: 'sip', sipDomain: 'sip.example.com', byocTrunkSid: BYOC }, 'byocTrunkSid'],
    ['cps 0', { cps: 0 }, 'cps'],
    ['negative cps', { cps: -1 }, 'cps'],
    ['a caller id that is not E.164', { fromNumber: '4155550100' }, 'fromNumber'],
    ['an unknown tier', { tier: 'gold' }, 'tier'],
  ];
  for (const [what, fields, field] of bad) {
    test(`refused, naming the field: ${what}`, async () => {
      const res = await post({ name: `bad ${what}`, fromNumber: '+14155550199', ...fields });
      assertProblem(res, 400, 'VALIDATION', field);
    });
  }

  test('a second line with the same name is a conflict; a viewer may not create', async () => {
    assertProblem(await post({ name: 'US main', fromNumber: '+14155550104' }), 409, 'CONFLICT', 'name');
    assertProblem(await post({ name: 'viewer line', fromNumber: '+14155550105' }, viewer.key), 403, 'FORBIDDEN');
  });
});

describe('health in the list', () => {
  test('a line failing 30% of 20 calls shows drained with its rates; a disabled one says so', async () => {
    const failing = (await post({ name: 'failing', fromNumber: '+14155550110' })).body;
    const fine = (await post({ name: 'fine', fromNumber: '+14155550111' })).body;
    const off = (await post({ name: 'off', fromNumber: '+14155550112', enabled: false })).body;
    const now = new Date();
    for (let i = 0; i < 20; i++) {
      await recordLineResult(app.deps, stores.health, app.tenantId, failing.id, i < 6 ? 'failed' : 'answered', now);
      await recordLineResult(app.deps, stores.health, app.tenantId, fine.id, i < 15 ? 'answered' : 'no-answer', now);
    }
    const res = await app.request('GET', '/v1/lines?limit=500', { key: viewer.key });
    assert.equal(res.status, 200, res.text);
    const byName = new Map(res.body.items.map((l: { name: string }) => [l.name, l]));
    const f = byName.get('failing') as { health: Record<string, unknown> };
    assert.equal(f.health.status, 'drained');
    assert.equal(f.health.sample, 20);
    assert.equal(f.health.failureRate, 0.3);
    assert.equal(f.health.answerRate, 0.7);
    assert.equal(f.health.drainReason, '30% of 20 calls failed');
    assert.equal(f.health.drainedAt, now.toISOString());
    const h = byName.get('fine') as { health: Record<string, unknown> };
    assert.deepEqual([h.health.status, h.health.sample, h.health.answerRate, h.health.failureRate], ['healthy', 20, 0.75, 0]);
    assert.equal((byName.get('off') as { health: { status: string } }).health.status, 'disabled');
    assert.ok(off.id);
    assert.ok(!app.logs.join('').includes('+1415555011'), 'no caller id in the logs');

    const viaTrpc = await trpcQuery(app, 'lines.list', { limit: 500 }, viewer.key);
    assert.deepEqual(viaTrpc.body.result.data, res.body, 'tRPC answers the same');
  });
});

describe('change and delete', () => {
  test('PATCH replaces the fields given and checks the merged line', async () => {
    const l = (await post({ name: 'changing', fromNumber: '+14155550120' })).body;
    const toSip = await app.request('PATCH', `/v1/lines/${l.id}`, { key: operator.key, body: { kind: 'sip', sipDomain: 'pbx.example.com', cps: 2.5 } });
    assert.equal(toSip.status, 200, toSip.text);
    assert.deepEqual([toSip.body.kind, toSip.body.sipDomain, toSip.body.cps, toSip.body.name], ['sip', 'pbx.example.com', 2.5, 'changing']);
    assertProblem(
      await app.request('PATCH', `/v1/lines/${l.id}`, { key: operator.key, body: { kind: 'byoc', byocTrunkSid: BYOC } }),
      400,
      'VALIDATION',
      'sipDomain',
    );
    const toByoc = await app.request('PATCH', `/v1/lines/${l.id}`, { key: operator.key, body: { kind: 'byoc', byocTrunkSid: BYOC, sipDomain: null } });
    assert.equal(toByoc.status, 200, toByoc.text);
    assert.equal(toByoc.body.sipDomain, null);
    assertProblem(await app.request('PATCH', `/v1/lines/${l.id}`, { key: operator.key, body: { cps: 0 } }), 400, 'VALIDATION', 'cps');
    const off = await app.request('PATCH', `/v1/lines/${l.id}`, { key: operator.key, body: { enabled: false } });
    assert.equal(off.body.health.status, 'disabled');
    assertProblem(await app.request('PATCH', `/v1/lines/${l.id}`, { key: viewer.key, body: { enabled: true } }), 403, 'FORBIDDEN');
  });

  test('DELETE removes the line', async () => {
    const l = (await post({ name: 'going', fromNumber: '+14155550130' })).body;
    const del = await app.request('DELETE', `/v1/lines/${l.id}`, { key: operator.key });
    assert.equal(del.status, 200, del.text);
    assertProblem(await app.request('GET', `/v1/lines/${l.id}`), 404, 'NOT_FOUND', 'id');
    assertProblem(await app.request('DELETE', `/v1/lines/${l.id}`, { key: operator.key }), 404, 'NOT_FOUND', 'id');
  });
});

describe('tenants are isolated', () => {
  test('another tenant gets 404 for a line, cannot change or delete it, and lists none of ours', async () => {
    const l = (await post({ name: 'ours', fromNumber: '+14155550140' })).body;
    assertProblem(await app.request('GET', `/v1/lines/${l.id}`, { key: other.key }), 404, 'NOT_FOUND', 'id');
    assertProblem(await app.request('PATCH', `/v1/lines/${l.id}`, { key: other.key, body: { enabled: false } }), 404, 'NOT_FOUND', 'id');
    assertProblem(await app.request('DELETE', `/v1/lines/${l.id}`, { key: other.key }), 404, 'NOT_FOUND', 'id');
    const theirs = await app.request('GET', '/v1/lines', { key: other.key });
    assert.deepEqual(theirs.body, { items: [], nextCursor: null });
    assert.equal((await app.request('GET', `/v1/lines/${l.id}`)).body.enabled, true, 'untouched');
    // The same name is free in another tenant.
    assert.equal((await post({ name: 'ours', fromNumber: '+14155550140' }, other.key)).status, 201);
  });

  test('the OpenAPI document lists the lines operations under their tag', async () => {
    const doc = (await app.request('GET', '/openapi.json')).body;
    assert.deepEqual(Object.keys(doc.paths['/v1/lines']).sort(), ['get', 'post']);
    assert.deepEqual(Object.keys(doc.paths['/v1/lines/{id}']).sort(), ['delete', 'get', 'patch']);
    assert.deepEqual(doc.paths['/v1/lines'].get.tags, ['lines']);
  });
});
