// Tenants, API keys, roles and Idempotency-Key, through the real HTTP server.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../support/app.ts';
import { assertProblem, cnMobile, createKey, createTenant, csv } from '../support/api.ts';

let app: TestApp;
before(async () => {
  app = await testApp();
});
after(() => app?.close());

describe('tenants', () => {
  test('the bootstrap admin key creates a tenant whose admin key works at once', async () => {
    const res = await app.request('POST', '/v1/tenants', { body: { name: 'Acme', defaultRegion: 'us' } });
    assert.equal(res.status, 201, res.text);
    const { id, name, defaultRegion, createdAt, adminKey } = res.body;
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(name, 'Acme');
    assert.equal(defaultRegion, 'US', 'region codes are normalised to upper case');
    assert.ok(!Number.isNaN(Date.parse(createdAt)));
    assert.equal(adminKey.role, 'admin');
    assert.match(adminKey.id, /^[0-9a-f-]{36}$/);
    assert.match(adminKey.key, /^chl_/);

    const current = await app.request('GET', '/v1/tenants/current', { key: adminKey.key });
    assert.equal(current.status, 200);
    assert.deepEqual(current.body, { id, name: 'Acme', defaultRegion: 'US', createdAt });
    // The new tenant's region is the one used for national numbers: a US number validates.
    const check = await app.request('POST', '/v1/contacts/validate', { key: adminKey.key, body: { phones: ['(201) 555-0123'] } });
    assert.equal(check.body.results[0].e164, '+12015550123');
  });

  test("a new tenant's admin key may not create tenants", async () => {
    const t = await createTenant(app, 'Not a provider');
    const res = await app.request('POST', '/v1/tenants', { key: t.adminKey, body: { name: 'Nested', defaultRegion: 'CN' } });
    assertProblem(res, 403, 'FORBIDDEN');
  });

  test('an invalid defaultRegion is a 400 naming defaultRegion, and no tenant is made', async () => {
    for (const defaultRegion of ['XX', 'China', '']) {
      const res = await app.request('POST', '/v1/tenants', { body: { name: 'Bad region', defaultRegion } });
      assertProblem(res, 400, 'VALIDATION', 'defaultRegion');
    }
    const missing = await app.request('POST', '/v1/tenants', { body: { name: 'No region' } });
    assertProblem(missing, 400, 'VALIDATION', 'defaultRegion');
    const { rows } = await app.db.pool.query(`select count(*)::int as n from tenants where name in ('Bad region', 'No region')`);
    assert.equal(rows[0].n, 0);
  });
});

describe('api keys', () => {
  test('an admin creates a key that works, is listed without key material, and revokes it', async () => {
    const created = await app.request('POST', '/v1/api-keys', { body: { role: 'viewer', name: 'dashboard' } });
    assert.equal(created.status, 201, created.text);
    const { id, key, role } = created.body;
    assert.equal(role, 'viewer');
    assert.match(key, /^chl_/);

    const works = await app.request('GET', '/v1/contacts', { key });
    assert.equal(works.status, 200);

    const list = await app.request('GET', '/v1/api-keys');
    assert.equal(list.status, 200);
    const listed = list.body.items.find((k: { id: string }) => k.id === id);
    assert.equal(listed.name, 'dashboard');
    assert.equal(listed.role, 'viewer');
    assert.notEqual(listed.lastUsedAt, null, 'a used key shows when it was last used');
    assert.equal(listed.revokedAt, null);
    for (const item of list.body.items) {
      assert.deepEqual(Object.keys(item).sort(), ['createdAt', 'id', 'lastUsedAt', 'name', 'revokedAt', 'role']);
    }
    assert.ok(!list.text.includes(key), 'the key itself never appears in a listing');
    assert.ok(!list.text.includes(app.adminKey), 'nor does the bootstrap key');
    assert.ok(!/chl_/.test(list.text));

    const revoked = await app.request('DELETE', `/v1/api-keys/${id}`);
    assert.equal(revoked.status, 200, revoked.text);
    assert.equal(revoked.body.id, id);
    assert.notEqual(revoked.body.revokedAt, null);

    const after = await app.request('GET', '/v1/contacts', { key });
    assertProblem(after, 401, 'UNAUTHENTICATED', 'Authorization');
    const relisted = await app.request('GET', '/v1/api-keys');
    assert.notEqual(relisted.body.items.find((k: { id: string }) => k.id === id).revokedAt, null);
  });

  test('a key cannot revoke itself (409) and keeps working', async () => {
    const admin = await createKey(app, 'admin');
    const res = await app.request('DELETE', `/v1/api-keys/${admin.id}`, { key: admin.key });
    assertProblem(res, 409, 'CONFLICT');
    const still = await app.request('GET', '/v1/api-keys', { key: admin.key });
    assert.equal(still.status, 200);
  });

  test('revoking an unknown key id is 404', async () => {
    const res = await app.request('DELETE', '/v1/api-keys/00000000-0000-4000-8000-000000000000');
    assertProblem(res, 404, 'NOT_FOUND', 'id');
  });

  test('missing, malformed, garbage and revoked keys are 401 naming Authorization', async () => {
    const revoked = await createKey(app, 'operator');
    await app.request('DELETE', `/v1/api-keys/${revoked.id}`);
    const cases: Record<string, Record<string, string>> = {
      missing: {},
      basic: { authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` },
      'bearer without key': { authorization: 'Bearer ' },
      garbage: { authorization: 'Bearer not-a-key' },
      'almost right': { authorization: `Bearer ${app.adminKey}x` },
      revoked: { authorization: `Bearer ${revoked.key}` },
    };
    for (const [name, headers] of Object.entries(cases)) {
      for (const [method, path] of [
        ['GET', '/v1/contacts'],
        ['GET', '/v1/exports/contacts'],
        ['POST', '/v1/imports'],
      ] as const) {
        const res = await app.request(method, path, { key: null, headers });
        assert.equal(res.status, 401, `${name} ${method} ${path}`);
        assertProblem(res, 401, 'UNAUTHENTICATED', 'Authorization');
      }
    }
  });
});

describe('roles', () => {
  const contact = (n: number) => ({ name: `Role ${n}`, phone: cnMobile(9000 + n) });
  const tryAll = (key: string, n: number) => ({
    listContacts: () => app.request('GET', '/v1/contacts', { key }),
    createContact: () => app.request('POST', '/v1/contacts', { key, body: contact(n) }),
    importFile: () => app.request('POST', '/v1/imports', { key, raw: csv([[`Imp ${n}`, cnMobile(9100 + n)]]), headers: { 'content-type': 'text/csv' } }),
    optOut: () => app.request('POST', '/v1/opt-outs', { key, body: { phone: cnMobile(9200 + n) } }),
    exportContacts: () => app.request('GET', '/v1/exports/contacts', { key }),
    createKey: () => app.request('POST', '/v1/api-keys', { key, body: { role: 'viewer', name: 'x' } }),
    listKeys: () => app.request('GET', '/v1/api-keys', { key }),
    auditLog: () => app.request('GET', '/v1/audit-log', { key }),
  });

  test('viewer reads but changes nothing', async () => {
    const viewer = await createKey(app, 'viewer');
    const calls = tryAll(viewer.key, 1);
    assert.equal((await calls.listContacts()).status, 200);
    for (const name of ['createContact', 'importFile', 'optOut', 'exportContacts', 'createKey', 'listKeys', 'auditLog'] as const) {
      const res = await calls[name]();
      assert.equal(res.status, 403, `viewer ${name}: ${res.text}`);
      assertProblem(res, 403, 'FORBIDDEN');
    }
    const list = await app.request('GET', `/v1/contacts?phone=${cnMobile(9001)}`);
    assert.equal(list.body.items.length, 0, 'the refused contact was not created');
    const optOuts = await app.request('GET', `/v1/opt-outs?phone=${cnMobile(9201)}`);
    assert.equal(optOuts.body.items.length, 0, 'the refused opt-out was not recorded');
  });

  test('a wrong role is 403 even when the body is also invalid', async () => {
    const viewer = await createKey(app, 'viewer');
    const res = await app.request('POST', '/v1/contacts', { key: viewer.key, body: { tags: 'x' } });
    assertProblem(res, 403, 'FORBIDDEN');
  });

  test('operator writes contacts, imports and opt-outs but cannot export or manage keys', async () => {
    const operator = await createKey(app, 'operator');
    const calls = tryAll(operator.key, 2);
    assert.equal((await calls.listContacts()).status, 200);
    assert.equal((await calls.createContact()).status, 201);
    const imported = await calls.importFile();
    assert.equal(imported.status, 201, imported.text);
    assert.equal(imported.body.created, 1);
    assert.equal((await calls.optOut()).status, 201);
    for (const name of ['exportContacts', 'createKey', 'listKeys', 'auditLog'] as const) {
      assertProblem(await calls[name](), 403, 'FORBIDDEN');
    }
  });

  test('admin exports, and the export is audited', async () => {
    const admin = await createKey(app, 'admin');
    const res = await app.request('GET', '/v1/exports/contacts', { key: admin.key });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    const audit = await app.request('GET', '/v1/audit-log?limit=500');
    const entry = audit.body.items.find((e: { action: string; actorKeyId: string }) => e.action === 'contacts.export' && e.actorKeyId === admin.id);
    assert.ok(entry, 'the export is in the audit log with the exporting key');
  });
});

describe('Idempotency-Key', () => {
  test('same key and body replays the first response and creates nothing new', async () => {
    const before = (await app.request('GET', '/v1/api-keys')).body.items.length;
    const send = () => app.request('POST', '/v1/api-keys', { body: { role: 'viewer', name: 'ci' }, headers: { 'idempotency-key': 'key-create-1' } });
    const first = await send();
    assert.equal(first.status, 201);
    assert.equal(first.headers.get('idempotent-replayed'), null);
    const second = await send();
    assert.equal(second.status, 201);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(second.body, first.body, 'the same key id and key material');
    const afterwards = (await app.request('GET', '/v1/api-keys')).body.items.length;
    assert.equal(afterwards, before + 1, 'exactly one key was made');
  });

  test('a replayed contact create keeps its 201 and its id', async () => {
    const body = { name: 'Idem', phone: cnMobile(7001) };
    const headers = { 'idempotency-key': 'contact-7001' };
    const first = await app.request('POST', '/v1/contacts', { body, headers });
    const second = await app.request('POST', '/v1/contacts', { body, headers });
    assert.equal(first.status, 201);
    assert.equal(second.status, 201, 'a plain retry would have been a 200 update');
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(second.body.id, first.body.id);
    assert.equal(second.body.updatedAt, first.body.updatedAt, 'the contact was not written again');
    const list = await app.request('GET', `/v1/contacts?phone=${cnMobile(7001)}`);
    assert.equal(list.body.items.length, 1);
  });

  test('same key with a different body is 422 IDEMPOTENCY_CONFLICT', async () => {
    const headers = { 'idempotency-key': 'contact-7002' };
    const first = await app.request('POST', '/v1/contacts', { body: { name: 'A', phone: cnMobile(7002) }, headers });
    assert.equal(first.status, 201);
    const other = await app.request('POST', '/v1/contacts', { body: { name: 'B', phone: cnMobile(7003) }, headers });
    assertProblem(other, 422, 'IDEMPOTENCY_CONFLICT', 'Idempotency-Key');
    const list = await app.request('GET', `/v1/contacts?phone=${cnMobile(7003)}`);
    assert.equal(list.body.items.length, 0, 'the conflicting request did nothing');
  });

  test('a retried import is replayed (same id, Idempotent-Replayed) and imports nothing twice', async () => {
    const headers = { 'idempotency-key': 'import-1', 'content-type': 'text/csv' };
    const imports = async () => (await app.db.pool.query(`select count(*)::int as n from imports`)).rows[0].n as number;
    const before = await imports();
    const first = await app.request('POST', '/v1/imports', { raw: csv([['One', cnMobile(7101)]]), headers });
    assert.equal(first.status, 201, first.text);
    assert.equal(first.body.created, 1);
    const replay = await app.request('POST', '/v1/imports', { raw: csv([['One', cnMobile(7101)]]), headers });
    assert.equal(replay.status, 201);
    assert.deepEqual(replay.body, first.body);
    assert.equal(await imports(), before + 1, 'no second import was run');
    assert.equal(replay.headers.get('idempotent-replayed'), 'true', 'a replay says so, as on every other POST');
  });

  test('same key with a different file of the same size is 422, not a silent replay', async () => {
    const headers = { 'idempotency-key': 'import-2', 'content-type': 'text/csv' };
    const first = await app.request('POST', '/v1/imports', { raw: csv([['One', cnMobile(7111)]]), headers });
    assert.equal(first.status, 201, first.text);
    const other = await app.request('POST', '/v1/imports', { raw: csv([['Two', cnMobile(7112)]]), headers });
    assertProblem(other, 422, 'IDEMPOTENCY_CONFLICT', 'Idempotency-Key');
  });

  test('idempotency keys are per tenant', async () => {
    const b = await createTenant(app, 'Idem B');
    const body = { name: 'Shared', phone: cnMobile(7201) };
    const headers = { 'idempotency-key': 'shared-key' };
    const inA = await app.request('POST', '/v1/contacts', { body, headers });
    const inB = await app.request('POST', '/v1/contacts', { key: b.adminKey, body, headers });
    assert.equal(inA.status, 201);
    assert.equal(inB.status, 201);
    assert.equal(inB.headers.get('idempotent-replayed'), null, "B is not served A's stored response");
    assert.notEqual(inB.body.id, inA.body.id);
    const inBList = await app.request('GET', '/v1/contacts', { key: b.adminKey });
    assert.deepEqual(
      inBList.body.items.map((c: { id: string }) => c.id),
      [inB.body.id],
    );
  });
});
