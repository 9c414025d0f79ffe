// Segments over imported contacts: rule tiers computed in SQL by a refresh, with counts;
// bad definitions named by path; other tenants see nothing; k-means via ml-kmeans.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../support/app.ts';
import { csvBytes, importCsv, listAll, newTenant } from '../support/data.ts';
import { assertProblem, cnE164, cnMobile, trpcMutation, trpcQuery } from '../support/api.ts';

let app: TestApp;
let tenant: { key: string; tenantId: string };
after(() => app?.close());

// 30 contacts: intent cycles high/mid/low/(none) and order values spread around 300,
// including exactly 300, a formatted amount and a missing one; some are VIP, some blocked.
interface Person {
  n: number;
  intent: string;
  orderValue: string;
  tags: string[];
}
const people: Person[] = Array.from({ length: 30 }, (_, i) => ({
  n: i + 1,
  intent: ['high', 'mid', 'low', '高', ''][i % 5]!,
  orderValue: i === 7 ? '300' : i === 11 ? '¥1,299.00' : i === 13 ? '' : String((i * 83) % 600),
  tags: [...(i % 4 === 0 ? ['VIP'] : []), ...(i % 6 === 0 ? ['blocked'] : [])],
}));

const intentOf = (p: Person) => (p.intent === '高' ? 'high' : p.intent);
const amountOf = (p: Person) => (p.orderValue === '' ? null : Number(p.orderValue.replace(/[¥,]/g, '')));
/** The tier the example puts a person in: intent × order value ≥ 300 / < 300. */
function expectedTier(p: Person): string | null {
  const amount = amountOf(p);
  if (!intentOf(p) || amount === null) return null;
  return `${intentOf(p)}-${amount >= 300 ? '300+' : 'under-300'}`;
}

const intentTiers = ['high', 'mid', 'low'].flatMap((intent) => [
  {
    name: `${intent}-300+`,
    when: {
      all: [
        { attribute: 'intent', op: 'eq', value: intent },
        { attribute: 'orderValue', op: 'gte', value: 300 },
      ],
    },
  },
  {
    name: `${intent}-under-300`,
    when: {
      all: [
        { attribute: 'intent', op: 'eq', value: intent },
        { attribute: 'orderValue', op: 'lt', value: 300 },
      ],
    },
  },
]);

let idByPhone: Map<string, string>;
const req = (method: string, path: string, body?: unknown, key = tenant.key) => app.request(method, path, { key, body });

async function createSegment(name: string, definition: unknown, key = tenant.key): Promise<string> {
  const res = await req('POST', '/v1/segments', { name, definition }, key);
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

/** contact id → tier, straight from segment_members. */
async function members(segmentId: string, tenantId = tenant.tenantId): Promise<Map<string, string>> {
  const { rows } = await app.db.pool.query<{ contact_id: string; tier: string }>(
    `select contact_id, tier from segment_members where tenant_id = $1 and segment_id = $2`,
    [tenantId, segmentId],
  );
  return new Map(rows.map((r) => [r.contact_id, r.tier]));
}

before(async () => {
  app = await testApp();
  tenant = await newTenant(app, 'Segments A');
  const lines = ['name,phone,tags,intent,orderValue', ...people.map((p) => `P${p.n},${cnMobile(p.n)},"${p.tags.join(',')}",${p.intent},"${p.orderValue}"`)];
  const res = await importCsv(app, csvBytes(lines), { key: tenant.key });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.created, 30, res.text);
  const { items } = await listAll<{ id: string; phone: string }>(app, '/v1/contacts', { key: tenant.key });
  idByPhone = new Map(items.map((c) => [c.phone, c.id]));
  assert.equal(idByPhone.size, 30);
});

describe('rule tiers', () => {
  let segmentId: string;

  test('intent × order value puts every contact in the expected tier, with counts', async () => {
    segmentId = await createSegment('intent by value', { kind: 'rules', tiers: intentTiers });
    const before = await req('GET', `/v1/segments/${segmentId}`);
    assert.equal(before.status, 200, before.text);
    assert.equal(before.body.refreshedAt, null);
    assert.deepEqual(before.body.counts, {});

    const refreshed = await req('POST', `/v1/segments/${segmentId}/refresh`);
    assert.equal(refreshed.status, 200, refreshed.text);

    const expected = new Map<string, string>();
    for (const p of people) {
      const tier = expectedTier(p);
      if (tier) expected.set(idByPhone.get(cnE164(p.n))!, tier);
    }
    assert.deepEqual(await members(segmentId), expected);
    // Written out too, so a mistake in the oracle above cannot hide one in the SQL.
    // 300 itself is in "300+"; "¥1,299.00" is 1299; a missing value or intent is in no tier.
    const counts = { 'high-300+': 3, 'high-under-300': 8, 'mid-300+': 4, 'mid-under-300': 2, 'low-300+': 3, 'low-under-300': 3 };
    assert.deepEqual(refreshed.body, { counts, total: 23 });
    assert.equal(expected.size, 23);

    const got = await req('GET', `/v1/segments/${segmentId}`);
    assert.deepEqual(got.body.counts, counts);
    assert.equal(got.body.total, 23);
    assert.ok(Date.parse(got.body.refreshedAt) > 0);
    assert.deepEqual(got.body.definition, { kind: 'rules', tiers: intentTiers });
  });

  test('a changed contact moves tier after the next refresh, not before', async () => {
    const p = people.find((x) => expectedTier(x) === 'high-300+')!;
    const id = idByPhone.get(cnE164(p.n))!;
    const res = await req('POST', '/v1/contacts', { id, name: `P${p.n}`, phone: cnMobile(p.n), attributes: { orderValue: 120 } });
    assert.equal(res.status, 200, res.text);
    assert.equal((await members(segmentId)).get(id), 'high-300+');
    const refreshed = await req('POST', `/v1/segments/${segmentId}/refresh`);
    assert.equal((await members(segmentId)).get(id), 'high-under-300');
    assert.equal(refreshed.body.counts['high-300+'], 2);
    assert.equal(refreshed.body.counts['high-under-300'], 9);
  });

  test('a non-numeric order value matches no numeric rule and breaks nothing; numeric text does match', async () => {
    const a = people.find((x) => expectedTier(x) === 'mid-300+');
    const b = people.find((x) => expectedTier(x) === 'mid-under-300');
    const idA = idByPhone.get(cnE164(a!.n))!;
    const idB = idByPhone.get(cnE164(b!.n))!;
    for (const [p, orderValue] of [
      [a!, 'unknown'],
      [b!, ' 450 '],
    ] as const) {
      const res = await req('POST', '/v1/contacts', { id: idByPhone.get(cnE164(p.n)), name: `P${p.n}`, phone: cnMobile(p.n), attributes: { orderValue } });
      assert.equal(res.status, 200, res.text);
    }
    const refreshed = await req('POST', `/v1/segments/${segmentId}/refresh`);
    assert.equal(refreshed.status, 200, refreshed.text);
    const now = await members(segmentId);
    assert.equal(now.has(idA), false);
    assert.equal(now.get(idB), 'mid-300+');
    assert.deepEqual([refreshed.body.counts['mid-300+'], refreshed.body.counts['mid-under-300'], refreshed.body.total], [4, 1, 22]);
  });

  test('tags and notTag; the first matching tier wins', async () => {
    const id = await createSegment('vip first', {
      kind: 'rules',
      tiers: [
        { name: 'vip', when: { all: [{ tag: 'VIP' }, { notTag: 'blocked' }] } },
        { name: 'callable', when: { notTag: 'blocked' } },
      ],
    });
    const res = await req('POST', `/v1/segments/${id}/refresh`);
    assert.equal(res.status, 200, res.text);
    const expected = new Map<string, string>();
    for (const p of people) {
      if (p.tags.includes('blocked')) continue;
      expected.set(idByPhone.get(cnE164(p.n))!, p.tags.includes('VIP') ? 'vip' : 'callable');
    }
    assert.deepEqual(await members(id), expected);
    assert.deepEqual(res.body, { counts: { vip: 5, callable: 20 }, total: 25 });
  });

  test('in, neq and any over attributes', async () => {
    const id = await createSegment('warm', {
      kind: 'rules',
      tiers: [
        {
          name: 'warm',
          when: {
            any: [
              { attribute: 'intent', op: 'in', value: ['high', 'mid'] },
              { attribute: 'intent', op: 'neq', value: 'low' },
            ],
          },
        },
      ],
    });
    // neq keeps contacts without an intent: everyone but the six "low" ones.
    const res = await req('POST', `/v1/segments/${id}/refresh`);
    assert.deepEqual(res.body, { counts: { warm: 24 }, total: 24 });
  });

  test('segments are listed with a cursor', async () => {
    const page1 = await req('GET', '/v1/segments?limit=2');
    assert.equal(page1.status, 200, page1.text);
    assert.equal(page1.body.items.length, 2);
    const page2 = await req('GET', `/v1/segments?limit=2&cursor=${page1.body.nextCursor}`);
    assert.equal(page2.body.items.length, 1);
    assert.equal(page2.body.nextCursor, null);
    const ids = [...page1.body.items, ...page2.body.items].map((s: { id: string }) => s.id);
    assert.equal(new Set(ids).size, 3);
    assert.ok(ids.includes(segmentId));
  });
});

describe('validation and tenancy', () => {
  test('an invalid definition is a 400 naming the bad rule', async () => {
    const tiers = [intentTiers[0], { name: 'bad', when: { all: [{ tag: 'VIP' }, { attribute: 'orderValue', op: 'between', value: 1 }] } }];
    const res = await req('POST', '/v1/segments', { name: 'bad', definition: { kind: 'rules', tiers } });
    assertProblem(res, 400, 'VALIDATION', 'definition.tiers.1.when.all.1.op');

    const wrongType = await req('POST', '/v1/segments', {
      name: 'bad',
      definition: { kind: 'rules', tiers: [{ name: 'x', when: { any: [{ attribute: 'orderValue', op: 'gte', value: '300' }] } }] },
    });
    assertProblem(wrongType, 400, 'VALIDATION', 'definition.tiers.0.when.any.0.value');

    const twoShapes = await req('POST', '/v1/segments', {
      name: 'bad',
      definition: { kind: 'rules', tiers: [{ name: 'x', when: { tag: 'a', notTag: 'b' } }] },
    });
    assertProblem(twoShapes, 400, 'VALIDATION', 'definition.tiers.0.when');
    assertProblem(
      await req('POST', '/v1/segments', { name: 'k', definition: { kind: 'kmeans', attributes: ['orderValue'], k: 1 } }),
      400,
      'VALIDATION',
      'definition.k',
    );
  });

  test('tRPC reads what REST reads and names the bad rule the same way', async () => {
    const { items } = (await req('GET', '/v1/segments?limit=1')).body;
    const viaTrpc = await trpcQuery(app, 'segments.get', { id: items[0].id }, tenant.key);
    assert.deepEqual(viaTrpc.body.result.data, (await req('GET', `/v1/segments/${items[0].id}`)).body);
    const bad = await trpcMutation(
      app,
      'segments.create',
      { name: 'x', definition: { kind: 'rules', tiers: [{ name: 'x', when: { attribute: 'a', op: 'gt', value: 'x' } }] } },
      { key: tenant.key },
    );
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.data.field, 'definition.tiers.0.when.value');
  });

  test('a viewer may read but not create or refresh', async () => {
    const viewer = await app.request('POST', '/v1/api-keys', { key: tenant.key, body: { role: 'viewer', name: 'v' } });
    const key = viewer.body.key as string;
    assert.equal((await req('GET', '/v1/segments', undefined, key)).status, 200);
    assertProblem(await req('POST', '/v1/segments', { name: 'x', definition: { kind: 'rules', tiers: intentTiers } }, key), 403, 'FORBIDDEN');
    const { items } = (await req('GET', '/v1/segments', undefined, key)).body;
    assertProblem(await req('POST', `/v1/segments/${items[0].id}/refresh`, {}, key), 403, 'FORBIDDEN');
  });

  test("another tenant gets 404 for this tenant's segment and its refresh", async () => {
    const id = (await req('GET', '/v1/segments?limit=1')).body.items[0].id;
    const b = await newTenant(app, 'Segments B');
    assertProblem(await req('GET', `/v1/segments/${id}`, undefined, b.key), 404, 'NOT_FOUND');
    assertProblem(await req('POST', `/v1/segments/${id}/refresh`, {}, b.key), 404, 'NOT_FOUND');
    assert.deepEqual((await req('GET', '/v1/segments', undefined, b.key)).body, { items: [], nextCursor: null });
    // B's own segment over B's (empty) contacts counts nobody from A.
    const own = await createSegment('b', { kind: 'rules', tiers: [{ name: 'all', when: { all: [] } }] }, b.key);
    assert.deepEqual((await req('POST', `/v1/segments/${own}/refresh`, {}, b.key)).body, { counts: { all: 0 }, total: 0 });
  });
});

describe('k-means', () => {
  test('k=2 on two clearly separated order-value groups puts each group in its own cluster, every time', async () => {
    const c = await newTenant(app, 'Segments K');
    const low = [40, 55, 60, 72, 80, 95, 101, 66];
    const high = [2100, 2250, 1980, 2400, 2050, 2320];
    const ids = new Map<string, number>();
    for (const [i, orderValue] of [...low, ...high].entries()) {
      const res = await req('POST', '/v1/contacts', { name: `K${i}`, phone: cnMobile(500 + i), attributes: { orderValue, intent: 'mid' } }, c.key);
      assert.equal(res.status, 201, res.text);
      ids.set(res.body.id, orderValue);
    }
    // Left out: no order value, and a non-numeric one.
    await req('POST', '/v1/contacts', { name: 'none', phone: cnMobile(600), attributes: { intent: 'high' } }, c.key);
    await req('POST', '/v1/contacts', { name: 'text', phone: cnMobile(601), attributes: { orderValue: 'lots' } }, c.key);

    const id = await createSegment('value clusters', { kind: 'kmeans', attributes: ['orderValue'], k: 2 }, c.key);
    const first = await req('POST', `/v1/segments/${id}/refresh`, {}, c.key);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.body, { counts: { 'cluster-1': low.length, 'cluster-2': high.length }, total: low.length + high.length });
    const got = await members(id, c.tenantId);
    assert.equal(got.size, ids.size);
    for (const [contactId, value] of ids) assert.equal(got.get(contactId), value < 1000 ? 'cluster-1' : 'cluster-2', `orderValue ${value}`);

    const again = await req('POST', `/v1/segments/${id}/refresh`, {}, c.key);
    assert.deepEqual(again.body, first.body);
    assert.deepEqual(await members(id, c.tenantId), got);
  });

  test('more clusters than distinct points is a 409, not a crash', async () => {
    const d = await newTenant(app, 'Segments tiny');
    await req('POST', '/v1/contacts', { name: 'one', phone: cnMobile(700), attributes: { orderValue: 5 } }, d.key);
    const id = await createSegment('too many', { kind: 'kmeans', attributes: ['orderValue'], k: 3 }, d.key);
    assertProblem(await req('POST', `/v1/segments/${id}/refresh`, {}, d.key), 409, 'CONFLICT');
    assert.equal((await req('GET', `/v1/segments/${id}`, undefined, d.key)).body.refreshedAt, null);
  });
});
