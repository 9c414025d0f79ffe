// tRPC at /trpc over plain fetch: the same procedures as REST give the same results, and
// errors map onto tRPC codes with our code and field in `data`.
import assert from 'node:assert/strict';
import { appRouter } from '../../api/trpc.ts';
import { procedures } from '../../api/procedures/index.ts';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../support/app.ts';
import { assertTrpcError, type Body, cnE164, cnMobile, createKey, trpcMutation, trpcQuery } from '../support/api.ts';

let app: TestApp;
const restIds: string[] = [];
before(async () => {
  app = await testApp();
  for (const n of [1, 2, 3]) {
    const res = await app.request('POST', '/v1/contacts', { body: { name: `Rest ${n}`, phone: cnMobile(n), tags: ['rest'] } });
    assert.equal(res.status, 201, res.text);
    restIds.push(res.body.id);
  }
  assert.equal((await app.request('POST', '/v1/opt-outs', { body: { phone: cnMobile(2), channel: 'sms' } })).status, 201);
});
after(() => app?.close());

const data = (res: { body: Body }): Body => res.body?.result?.data;

describe('same results as REST', () => {
  test('contacts.list pages like GET /v1/contacts', async () => {
    const rest1 = await app.request('GET', '/v1/contacts?limit=2');
    const trpc1 = await trpcQuery(app, 'contacts.list', { limit: 2 });
    assert.equal(trpc1.status, 200);
    assert.deepEqual(data(trpc1), rest1.body);
    assert.equal(data(trpc1).items.length, 2);
    assert.notEqual(data(trpc1).nextCursor, null);

    const cursor = data(trpc1).nextCursor;
    const rest2 = await app.request('GET', `/v1/contacts?limit=2&cursor=${cursor}`);
    const trpc2 = await trpcQuery(app, 'contacts.list', { limit: 2, cursor });
    assert.deepEqual(data(trpc2), rest2.body);
    const all = [...data(trpc1).items, ...data(trpc2).items].map((c: { id: string }) => c.id).sort();
    assert.deepEqual(all, [...restIds].sort());

    const byPhone = await trpcQuery(app, 'contacts.list', { phone: cnMobile(2) });
    assert.deepEqual(data(byPhone), (await app.request('GET', `/v1/contacts?phone=${cnMobile(2)}`)).body);
    assert.deepEqual(data(byPhone).items[0].optedOut, { voice: false, sms: true });
  });

  test('contacts.get, tenants.current, optOuts.list and apiKeys.list equal their REST twins', async () => {
    for (const id of restIds) {
      assert.deepEqual(data(await trpcQuery(app, 'contacts.get', { id })), (await app.request('GET', `/v1/contacts/${id}`)).body);
    }
    assert.deepEqual(data(await trpcQuery(app, 'tenants.current', {})), (await app.request('GET', '/v1/tenants/current')).body);
    assert.deepEqual(data(await trpcQuery(app, 'optOuts.list', {})), (await app.request('GET', '/v1/opt-outs')).body);
    const keys = data(await trpcQuery(app, 'apiKeys.list', {}));
    const restKeys = (await app.request('GET', '/v1/api-keys')).body;
    assert.deepEqual(
      keys.items.map((k: { id: string }) => k.id),
      restKeys.items.map((k: { id: string }) => k.id),
    );
  });

  test('contacts.upsert creates what REST then reads, and updates by phone', async () => {
    const created = await trpcMutation(app, 'contacts.upsert', { name: 'Via tRPC', phone: cnMobile(10), email: 'trpc@example.com', tags: ['t'] });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const contact = data(created);
    assert.equal(contact.phone, cnE164(10));
    assert.deepEqual((await app.request('GET', `/v1/contacts/${contact.id}`)).body, contact);

    const updated = await trpcMutation(app, 'contacts.upsert', { name: 'Renamed', phone: cnE164(10) });
    assert.equal(data(updated).id, contact.id, 'same phone, same contact');
    assert.equal(data(updated).name, 'Renamed');
    assert.deepEqual(data(updated).tags, ['t'], 'tags kept when not sent');
  });

  test('contacts.validate answers like POST /v1/contacts/validate', async () => {
    const input = { phones: [cnMobile(5), '12', '+1 201 555 0123'] };
    const viaTrpc = await trpcMutation(app, 'contacts.validate', input);
    assert.deepEqual(data(viaTrpc), (await app.request('POST', '/v1/contacts/validate', { body: input })).body);
    assert.deepEqual(
      data(viaTrpc).results.map((r: { valid: boolean }) => r.valid),
      [true, false, true],
    );
  });

  test('Idempotency-Key is honoured over tRPC too', async () => {
    const headers = { 'idempotency-key': 'trpc-key-1' };
    const count = async () => (await app.request('GET', '/v1/api-keys')).body.items.length as number;
    const before = await count();
    const first = await trpcMutation(app, 'apiKeys.create', { role: 'viewer', name: 'trpc' }, { headers });
    const again = await trpcMutation(app, 'apiKeys.create', { role: 'viewer', name: 'trpc' }, { headers });
    assert.equal(first.status, 200);
    assert.deepEqual(data(again), data(first));
    assert.equal(await count(), before + 1);
    const other = await trpcMutation(app, 'apiKeys.create', { role: 'admin', name: 'trpc' }, { headers });
    assertTrpcError(other, 422, 'UNPROCESSABLE_CONTENT', 'IDEMPOTENCY_CONFLICT', 'Idempotency-Key');
  });

  test('batched calls answer each procedure in order', async () => {
    const input = encodeURIComponent(JSON.stringify({ 0: { id: restIds[0] }, 1: {} }));
    const res = await fetch(`${app.url}/trpc/contacts.get,tenants.current?batch=1&input=${input}`, {
      headers: { authorization: `Bearer ${app.adminKey}` },
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body[0].result.data.id, restIds[0]);
    assert.equal(body[1].result.data.id, app.tenantId);
  });
});

describe('errors', () => {
  test('validation errors are BAD_REQUEST with data.code VALIDATION and the field', async () => {
    assertTrpcError(await trpcMutation(app, 'contacts.upsert', { name: 'No phone' }), 400, 'BAD_REQUEST', 'VALIDATION', 'phone');
    assertTrpcError(await trpcMutation(app, 'contacts.upsert', { name: 'x', phone: cnMobile(20), tags: 'x' }), 400, 'BAD_REQUEST', 'VALIDATION', 'tags');
    assertTrpcError(await trpcMutation(app, 'contacts.upsert', { name: 'x', phone: '12' }), 400, 'BAD_REQUEST', 'VALIDATION', 'phone');
    assertTrpcError(
      await trpcMutation(app, 'contacts.upsert', { name: 'x', phone: cnMobile(21), timeZone: 'Nowhere/City' }),
      400,
      'BAD_REQUEST',
      'VALIDATION',
      'timeZone',
    );
    assertTrpcError(await trpcQuery(app, 'contacts.list', { limit: 0 }), 400, 'BAD_REQUEST', 'VALIDATION', 'limit');
    assertTrpcError(await trpcQuery(app, 'contacts.list', { cursor: 'garbage' }), 400, 'BAD_REQUEST', 'VALIDATION', 'cursor');
    assertTrpcError(await trpcQuery(app, 'contacts.get', { id: 'nope' }), 400, 'BAD_REQUEST', 'VALIDATION', 'id');
    assertTrpcError(await trpcMutation(app, 'tenants.create', { name: 'T', defaultRegion: 'XX' }), 400, 'BAD_REQUEST', 'VALIDATION', 'defaultRegion');
    const none = await trpcQuery(app, 'contacts.list', { phone: cnMobile(20) });
    assert.deepEqual(data(none).items, [], 'nothing invalid was stored');
  });

  test('a validation message reads like the REST detail, not a dump of the schema issues', async () => {
    const viaRest = await app.request('POST', '/v1/contacts', { body: { name: 'No phone' } });
    const viaTrpc = await trpcMutation(app, 'contacts.upsert', { name: 'No phone' });
    assert.equal(viaTrpc.body.error.message, viaRest.body.detail);
  });

  test('missing, garbage and revoked keys are UNAUTHORIZED', async () => {
    const revoked = await createKey(app, 'admin');
    await app.request('DELETE', `/v1/api-keys/${revoked.id}`);
    for (const key of [null, 'garbage', revoked.key]) {
      assertTrpcError(await trpcQuery(app, 'contacts.list', {}, key), 401, 'UNAUTHORIZED', 'UNAUTHENTICATED', 'Authorization');
      assertTrpcError(
        await trpcMutation(app, 'contacts.upsert', { name: 'x', phone: cnMobile(30) }, { key }),
        401,
        'UNAUTHORIZED',
        'UNAUTHENTICATED',
        'Authorization',
      );
    }
    assert.deepEqual(data(await trpcQuery(app, 'contacts.list', { phone: cnMobile(30) })).items, []);
  });

  test('a role too low is FORBIDDEN', async () => {
    const viewer = await createKey(app, 'viewer');
    const operator = await createKey(app, 'operator');
    assert.equal((await trpcQuery(app, 'contacts.list', {}, viewer.key)).status, 200);
    assertTrpcError(await trpcMutation(app, 'contacts.upsert', { name: 'x', phone: cnMobile(31) }, { key: viewer.key }), 403, 'FORBIDDEN', 'FORBIDDEN');
    assertTrpcError(await trpcMutation(app, 'optOuts.create', { phone: cnMobile(31) }, { key: viewer.key }), 403, 'FORBIDDEN', 'FORBIDDEN');
    assertTrpcError(await trpcMutation(app, 'apiKeys.create', { role: 'admin', name: 'x' }, { key: operator.key }), 403, 'FORBIDDEN', 'FORBIDDEN');
    assertTrpcError(await trpcQuery(app, 'audit.list', {}, operator.key), 403, 'FORBIDDEN', 'FORBIDDEN');
    const tenantAdmin = (await app.request('POST', '/v1/tenants', { body: { name: 'Sub', defaultRegion: 'CN' } })).body.adminKey.key;
    assertTrpcError(await trpcMutation(app, 'tenants.create', { name: 'x', defaultRegion: 'CN' }, { key: tenantAdmin }), 403, 'FORBIDDEN', 'FORBIDDEN');
  });

  test('auth and role are checked before the input, as over REST', async () => {
    const viewer = await createKey(app, 'viewer');
    // REST: a wrong role is 403 whatever the body. tRPC must not tell a viewer (or a stranger) more.
    assertTrpcError(await trpcMutation(app, 'contacts.upsert', { tags: 'x' }, { key: viewer.key }), 403, 'FORBIDDEN', 'FORBIDDEN');
    assertTrpcError(await trpcMutation(app, 'contacts.upsert', { tags: 'x' }, { key: null }), 401, 'UNAUTHORIZED', 'UNAUTHENTICATED', 'Authorization');
  });

  test('an unknown procedure is NOT_FOUND', async () => {
    const res = await trpcQuery(app, 'contacts.nothing', {});
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, -32004);
  });

  test('malformed JSON gets a tRPC PARSE_ERROR, not a REST problem', async () => {
    const res = await fetch(`${app.url}/trpc/contacts.upsert`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.adminKey}`, 'content-type': 'application/json' },
      body: '{"name": ',
    });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.error?.code, -32700, `a tRPC client cannot read ${JSON.stringify(body)}`);
    assert.equal(body.error.data.code, 'MALFORMED_JSON');
  });

  test('an unexpected failure is INTERNAL_SERVER_ERROR and hides its cause', async () => {
    // Break the database under the running app (no product code changed), then restore it.
    await app.db.pool.query('alter table audit_log rename to audit_log_broken');
    let broken;
    try {
      broken = await trpcQuery(app, 'audit.list', {});
    } finally {
      await app.db.pool.query('alter table audit_log_broken rename to audit_log');
    }
    assertTrpcError(broken, 500, 'INTERNAL_SERVER_ERROR', 'INTERNAL');
    assert.doesNotMatch(JSON.stringify(broken.body), /audit_log|relation/);
    assert.ok(
      app.logs.some((line) => line.includes('audit_log')),
      'the cause is in the server log',
    );
  });
});

test('the typed router serves exactly the REST procedures, GETs as queries and the rest as mutations', () => {
  const served = (appRouter as unknown as { _def: { procedures: Record<string, { _def: { type: string } }> } })._def.procedures;
  assert.deepEqual(Object.keys(served).sort(), procedures.map((p) => p.name).sort());
  for (const p of procedures) assert.equal(served[p.name]?._def.type, p.method === 'get' ? 'query' : 'mutation', p.name);
});
