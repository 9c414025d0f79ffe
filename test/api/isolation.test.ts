// Tenants are isolated: a key of tenant B can neither read nor change tenant A's data,
// through every endpoint that takes an id, every list, the export, the audit log and tRPC.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testApp, type TestApp } from '../support/app.ts';
import { assertProblem, assertTrpcError, cnE164, cnMobile, createKey, createTenant, csv, trpcMutation, trpcQuery, type TenantInfo } from '../support/api.ts';

let app: TestApp;
let b: TenantInfo;
/** Tenant A is the default tenant (bootstrap key); these are its things. */
const a = { contactIds: [] as string[], importId: '', optOutPhone: '', key: { id: '', key: '' }, names: [] as string[] };

before(async () => {
  app = await testApp();
  b = await createTenant(app, 'Tenant B');

  for (const n of [1, 2]) {
    const name = `Alice-A-${n}`;
    const res = await app.request('POST', '/v1/contacts', { body: { name, phone: cnMobile(n), email: `a${n}@a.example`, tags: ['a-only'] } });
    assert.equal(res.status, 201, res.text);
    a.contactIds.push(res.body.id);
    a.names.push(name);
  }
  const imported = await app.request('POST', '/v1/imports', { raw: csv([['Imported-A', cnMobile(3)]]), headers: { 'content-type': 'text/csv' } });
  assert.equal(imported.status, 201, imported.text);
  a.importId = imported.body.id;
  a.names.push('Imported-A');
  a.optOutPhone = cnMobile(4);
  assert.equal((await app.request('POST', '/v1/opt-outs', { body: { phone: a.optOutPhone, note: 'a-note' } })).status, 201);
  a.key = await createKey(app, 'operator');
  assert.equal((await app.request('GET', '/v1/exports/contacts')).status, 200); // puts an export in A's audit log
});
after(() => app?.close());

const asB = (method: string, path: string, body?: unknown) => app.request(method, path, { key: b.adminKey, body });

test("B gets 404 for A's contact, import and API key, by id", async () => {
  for (const id of a.contactIds) assertProblem(await asB('GET', `/v1/contacts/${id}`), 404, 'NOT_FOUND', 'id');
  assertProblem(await asB('GET', `/v1/imports/${a.importId}`), 404, 'NOT_FOUND', 'id');
  assertProblem(await asB('DELETE', `/v1/api-keys/${a.key.id}`), 404, 'NOT_FOUND', 'id');
  // The same ids are there for A: the 404 is isolation, not a bad id.
  assert.equal((await app.request('GET', `/v1/contacts/${a.contactIds[0]}`)).status, 200);
  assert.equal((await app.request('GET', `/v1/imports/${a.importId}`)).status, 200);
});

test("B cannot revoke A's key: it keeps working", async () => {
  await asB('DELETE', `/v1/api-keys/${a.key.id}`);
  const res = await app.request('GET', '/v1/contacts', { key: a.key.key });
  assert.equal(res.status, 200);
  const keys = await app.request('GET', '/v1/api-keys');
  assert.equal(keys.body.items.find((k: { id: string }) => k.id === a.key.id).revokedAt, null);
});

test("B cannot overwrite A's contact by sending its id", async () => {
  const id = a.contactIds[0]!;
  const res = await asB('POST', '/v1/contacts', { id, name: 'Hijacked', phone: cnMobile(1), tags: ['b'] });
  assertProblem(res, 404, 'NOT_FOUND', 'id');
  const mine = await app.request('GET', `/v1/contacts/${id}`);
  assert.equal(mine.body.name, 'Alice-A-1');
  assert.deepEqual(mine.body.tags, ['a-only']);
  assert.equal((await asB('GET', '/v1/contacts')).body.items.length, 0, 'nothing was created in B either');
});

test("B's lists, export, audit log and key list show none of A's data", async () => {
  const contacts = await asB('GET', '/v1/contacts?limit=500');
  assert.equal(contacts.status, 200);
  assert.deepEqual(contacts.body.items, []);
  for (const q of [`phone=${cnMobile(1)}`, 'tag=a-only']) {
    assert.deepEqual((await asB('GET', `/v1/contacts?${q}`)).body.items, [], q);
  }
  const optOuts = await asB('GET', '/v1/opt-outs');
  assert.deepEqual(optOuts.body.items, []);
  assert.deepEqual((await asB('GET', `/v1/opt-outs?phone=${a.optOutPhone}`)).body.items, []);

  const exported = await asB('GET', '/v1/exports/contacts');
  assert.equal(exported.status, 200);
  const lines = exported.text
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter(Boolean);
  assert.equal(lines.length, 1, `only the header: ${exported.text}`);
  for (const secret of [...a.names, ...a.contactIds, cnE164(1), 'a1@a.example']) assert.ok(!exported.text.includes(secret), secret);

  const audit = await asB('GET', '/v1/audit-log?limit=500');
  assert.equal(audit.status, 200);
  const actors = new Set(audit.body.items.map((e: { actorKeyId: string }) => e.actorKeyId));
  assert.deepEqual([...actors], [b.adminKeyId], "only B's own actions (its export just now)");
  assert.ok(!audit.text.includes(a.key.id));

  const keys = await asB('GET', '/v1/api-keys');
  assert.deepEqual(
    keys.body.items.map((k: { id: string }) => k.id),
    [b.adminKeyId],
  );
});

test("the same phone in B makes B's own contact and leaves A's alone", async () => {
  const res = await asB('POST', '/v1/contacts', { name: 'Bob-B', phone: cnMobile(1) });
  assert.equal(res.status, 201, 'created, not an update of A’s contact with that number');
  assert.ok(!a.contactIds.includes(res.body.id));
  assert.equal(res.body.name, 'Bob-B');
  assert.deepEqual(res.body.tags, [], "A's tags do not leak");
  assert.equal(res.body.email, null, "A's email does not leak");
  const mine = await app.request('GET', `/v1/contacts/${a.contactIds[0]}`);
  assert.equal(mine.body.name, 'Alice-A-1');
  assert.equal(mine.body.email, 'a1@a.example');
  assert.equal((await app.request('GET', `/v1/contacts?phone=${cnMobile(1)}`)).body.items.length, 1);
});

test("A's opt-out does not opt out B's contact with that number, nor the reverse", async () => {
  const inB = await asB('POST', '/v1/contacts', { name: 'Carol-B', phone: a.optOutPhone });
  assert.equal(inB.status, 201);
  assert.deepEqual(inB.body.optedOut, { voice: false, sms: false });
  assert.equal(inB.body.dialable, true);

  const again = await asB('POST', '/v1/opt-outs', { phone: a.optOutPhone, note: 'b-note' });
  assert.equal(again.status, 201, "B's opt-out is new for B, not A's replayed");
  assert.equal(again.body.note, 'b-note');

  assert.equal((await asB('POST', '/v1/opt-outs', { phone: cnMobile(2) })).status, 201);
  const aContact = await app.request('GET', `/v1/contacts/${a.contactIds[1]}`);
  assert.deepEqual(aContact.body.optedOut, { voice: false, sms: false }, "B's opt-out does not reach A's contact");
  const aOptOuts = await app.request('GET', '/v1/opt-outs');
  assert.equal(aOptOuts.body.items.length, 1);
  assert.equal(aOptOuts.body.items[0].note, 'a-note');
});

test("an import in B with A's numbers lands in B only", async () => {
  const res = await app.request('POST', '/v1/imports', {
    key: b.adminKey,
    raw: csv([
      ['Dave-B', cnMobile(2)],
      ['Erin-B', cnMobile(3)],
    ]),
    headers: { 'content-type': 'text/csv' },
  });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.created, 2, 'new in B, not updates of A');
  assert.equal(res.body.updated, 0);
  const mine = await app.request('GET', `/v1/contacts/${a.contactIds[1]}`);
  assert.equal(mine.body.name, 'Alice-A-2');
  // B's import is B's, not visible to A.
  assertProblem(await app.request('GET', `/v1/imports/${res.body.id}`), 404, 'NOT_FOUND', 'id');
});

test("renaming B's tenant leaves A's untouched", async () => {
  const before = await app.request('GET', '/v1/tenants/current');
  const res = await asB('PATCH', '/v1/tenants/current', { name: 'B renamed', defaultRegion: 'US' });
  assert.equal(res.status, 200);
  assert.equal(res.body.id, b.id);
  const afterwards = await app.request('GET', '/v1/tenants/current');
  assert.deepEqual(afterwards.body, before.body);
  assert.equal(afterwards.body.defaultRegion, 'CN');
});

test("over tRPC too, B's key gets NOT_FOUND for A's ids and empty lists", async () => {
  assertTrpcError(await trpcQuery(app, 'contacts.get', { id: a.contactIds[0] }, b.adminKey), 404, 'NOT_FOUND', 'NOT_FOUND', 'id');
  assertTrpcError(await trpcQuery(app, 'imports.get', { id: a.importId }, b.adminKey), 404, 'NOT_FOUND', 'NOT_FOUND', 'id');
  assertTrpcError(await trpcMutation(app, 'apiKeys.revoke', { id: a.key.id }, { key: b.adminKey }), 404, 'NOT_FOUND', 'NOT_FOUND', 'id');
  const upsert = await trpcMutation(app, 'contacts.upsert', { id: a.contactIds[1], name: 'Hijack', phone: cnE164(2) }, { key: b.adminKey });
  assertTrpcError(upsert, 404, 'NOT_FOUND', 'NOT_FOUND', 'id');
  assert.equal((await app.request('GET', `/v1/contacts/${a.contactIds[1]}`)).body.name, 'Alice-A-2');

  const list = await trpcQuery(app, 'contacts.list', { phone: cnE164(1) }, b.adminKey);
  assert.equal(list.status, 200);
  const ids = list.body.result.data.items.map((c: { id: string }) => c.id);
  assert.equal(ids.length, 1);
  assert.ok(!a.contactIds.includes(ids[0]));
  const optOuts = await trpcQuery(app, 'optOuts.list', {}, b.adminKey);
  assert.ok(optOuts.body.result.data.items.every((o: { note: string | null }) => o.note !== 'a-note'));
  assert.equal((await app.request('GET', '/v1/contacts', { key: a.key.key })).status, 200, "A's key still works");
});
