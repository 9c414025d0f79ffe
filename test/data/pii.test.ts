import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { createApp } from '../../api/app.ts';
import { optOutState } from '../../core/consent/consent.ts';
import { listContacts } from '../../core/contacts/contacts.ts';
import type { Deps } from '../../core/deps.ts';
import { importFile } from '../../core/imports/imports.ts';
import { createPii } from '../../core/privacy/pii.ts';
import { rotateKeys } from '../../core/privacy/pii-rotate.ts';
import { readContactFile } from '../../connectors/files/index.ts';
import { csvBytes, importCsv, newKey } from '../support/data.ts';
import { testApp, type TestApp } from '../support/app.ts';

let app: TestApp;

interface Person {
  name: string;
  typed: string;
  e164: string;
  email: string;
}
const VIA_API: Person[] = [
  { name: '司马相如', typed: '138-0013-8000', e164: '+8613800138000', email: 'sima.xiangru@example.cn' },
  { name: 'Aoife Ní Bhriain', typed: '+353 85 123 4567', e164: '+353851234567', email: 'aoife.nibhriain@example.ie' },
  { name: 'Mateus Albuquerque', typed: '+55 (11) 91234-5678', e164: '+5511912345678', email: 'mateus.albuquerque@example.com.br' },
  { name: '上官婉儿', typed: '021 6437 7777', e164: '+862164377777', email: 'shangguan.wan@example.com' },
];
const VIA_IMPORT: Person[] = [
  { name: '欧阳修远', typed: '159 1234 5678', e164: '+8615912345678', email: 'ouyang.xiuyuan@example.cn' },
  { name: 'Henrik Lindqvist', typed: '+46 70 123 45 67', e164: '+46701234567', email: 'henrik.lindqvist@example.se' },
  { name: 'Ngozi Adeyemi', typed: '+234 803 123 4567', e164: '+2348031234567', email: 'ngozi.adeyemi@example.ng' },
];
const IDEMPOTENT: Person = { name: 'Kenji Watanabe', typed: '+81 90-1234-5678', e164: '+819012345678', email: 'kenji.watanabe@example.jp' };
const OPTED_OUT = { typed: '186 1234 5678', e164: '+8618612345678' };
const DNC = { typed: '+1 (650) 253-0000', e164: '+16502530000' };
const IDEMPOTENT_OPT_OUT = { typed: '+8613912345678', e164: '+8613912345678' };
const REJECTED_EMAIL = 'wrong.address@@example.cn';

/** Every plaintext form a leak could take: E.164, its digits, the national form as typed, name, email. */
const needles = (): string[] => {
  const people = [...VIA_API, ...VIA_IMPORT, IDEMPOTENT];
  const phones = [
    ...people.map((p) => [p.typed, p.e164]),
    [OPTED_OUT.typed, OPTED_OUT.e164],
    [DNC.typed, DNC.e164],
    [IDEMPOTENT_OPT_OUT.typed, IDEMPOTENT_OPT_OUT.e164],
  ];
  return [...phones.flatMap(([typed, e164]) => [e164!, e164!.slice(1), typed!]), ...people.flatMap((p) => [p.name, p.email]), REJECTED_EMAIL];
};

/** Each column of each table in the public schema as text (bytea both hex and escaped). */
async function everyValue(): Promise<Map<string, string>> {
  const { rows: columns } = await app.db.pool.query<{ table_name: string; column_name: string; data_type: string }>(
    `select table_name, column_name, data_type from information_schema.columns
      where table_schema = 'public' order by table_name, ordinal_position`,
  );
  assert.ok(
    columns.some((c) => c.table_name === 'contacts' && c.column_name === 'name_enc'),
    'sees the contacts table',
  );
  const out = new Map<string, string>();
  for (const c of columns) {
    const col = `"${c.column_name}"`;
    const exprs = c.data_type === 'bytea' ? [`encode(${col}, 'hex')`, `encode(${col}, 'escape')`, `${col}::text`] : [`${col}::text`];
    for (const expr of exprs) {
      const { rows } = await app.db.pool.query<{ v: string | null }>(`select string_agg(${expr}, E'\\n') as v from "${c.table_name}"`);
      out.set(`${c.table_name}.${c.column_name} (${expr})`, rows[0]!.v ?? '');
    }
  }
  return out;
}

async function assertNoPlaintextAtRest() {
  const values = await everyValue();
  for (const needle of needles()) {
    for (const [where, text] of values) assert.ok(!text.includes(needle), `plaintext "${needle}" found in ${where}`);
  }
}

before(async () => {
  app = await testApp();
  const operator = await newKey(app, 'operator');
  for (const [i, p] of VIA_API.entries()) {
    const res = await app.request('POST', '/v1/contacts', {
      key: operator.key,
      body: { name: p.name, phone: p.typed, email: p.email, tags: ['pii-test'], crm: { system: 'hubspot', externalId: `90${i}` } },
    });
    assert.equal(res.status, 201, res.text);
  }
  const lines = ['姓名,手机号,邮箱,等级', ...VIA_IMPORT.map((p) => `${p.name},${p.typed},${p.email},A`), `坏邮箱,13912345678,${REJECTED_EMAIL},B`];
  const imported = await importCsv(app, csvBytes(lines, { bom: true }));
  assert.deepEqual([imported.body.created, imported.body.rejected.length], [VIA_IMPORT.length, 1], imported.text);

  const body = { name: IDEMPOTENT.name, phone: IDEMPOTENT.typed, email: IDEMPOTENT.email };
  for (const status of [201, 201]) {
    const res = await app.request('POST', '/v1/contacts', { body, headers: { 'idempotency-key': 'pii-check-0001' } });
    assert.equal(res.status, status, res.text);
  }
  // Requests that fail still carry PII in their bodies.
  const bad = await app.request('POST', '/v1/contacts', { body: { name: VIA_API[0]!.name, phone: VIA_API[0]!.typed, email: REJECTED_EMAIL } });
  assert.equal(bad.status, 400);
  const validated = await app.request('POST', '/v1/contacts/validate', { body: { phones: [OPTED_OUT.typed, DNC.typed] } });
  assert.equal(validated.status, 200);

  const opt = await app.request('POST', '/v1/opt-outs', { body: { phone: OPTED_OUT.typed, channel: 'all', note: 'asked on the phone' } });
  assert.equal(opt.status, 201, opt.text);
  const idemOpt = await app.request('POST', '/v1/opt-outs', {
    body: { phone: IDEMPOTENT_OPT_OUT.typed, channel: 'voice' },
    headers: { 'idempotency-key': 'opt-out-0001' },
  });
  assert.equal(idemOpt.status, 201, idemOpt.text);
  const dnc = await importCsv(app, csvBytes(['phone', DNC.typed, VIA_API[0]!.typed]), { query: 'kind=do-not-call&channel=sms' });
  assert.equal(dnc.body.created, 2, dnc.text);
  const byPhone = await app.request('GET', `/v1/contacts?phone=${encodeURIComponent(VIA_IMPORT[0]!.typed)}`);
  assert.equal(byPhone.body.items[0]?.name, VIA_IMPORT[0]!.name);
  const exported = await app.request('GET', '/v1/exports/contacts');
  assert.equal(exported.status, 200);
  assert.ok(exported.text.includes(VIA_API[1]!.name), 'the export itself does carry the data');
});
after(() => app.close());

test('no plaintext phone, name or email in any column of any table', async () => {
  const all = [...(await everyValue()).values()].join('\n');
  assert.ok(all.includes(app.deps.pii.phoneIndex(VIA_API[0]!.e164).toString('hex')), 'the scan reads bytea columns');
  assert.ok(all.includes('asked on the phone'), 'the scan reads text columns');
  await assertNoPlaintextAtRest();
});

test('no unkeyed digest of a phone number at rest: an opt-out cannot be confirmed by hashing candidates', async () => {
  // The blind index is an HMAC so that a database dump cannot be searched by hashing every
  // possible number; any other digest of a number must be keyed the same way.
  // What an attacker with a dump would try: a plain SHA-256 of the request as the API sees it.
  const candidate = createHash('sha256')
    .update(JSON.stringify(['optOuts.create', { phone: IDEMPOTENT_OPT_OUT.typed, channel: 'voice' }]))
    .digest();
  const { rows } = await app.db.pool.query<{ key: string }>(`select key from idempotency_keys`);
  assert.ok(
    rows.some((r) => r.key === 'opt-out-0001'),
    'the idempotent opt-out was recorded',
  );
  const all = [...(await everyValue()).values()].join('\n');
  assert.ok(!all.includes(candidate.toString('hex')), 'a plain SHA-256 of the request is at rest: the number can be brute-forced');
});

test('no plaintext phone, name or email in the logs', async () => {
  assert.ok(app.logs.length > 10, 'requests were logged');
  const errors = app.logs.filter((l) => (JSON.parse(l) as { level: number }).level >= 50);
  assert.deepEqual(errors, [], 'no request failed with an internal error');
  const logs = app.logs.join('\n');
  for (const needle of needles()) assert.ok(!logs.includes(needle), `plaintext "${needle}" in the logs`);
});

test('key rotation re-encrypts everything; lookups and decryption work with the new key alone', async () => {
  const newMaster = randomBytes(32);
  const rotating: Deps = { db: app.db.pool, pii: createPii(newMaster, [app.masterKey]) };
  const newOnly: Deps = { db: app.db.pool, pii: createPii(newMaster) };
  const newId = newOnly.pii.currentKeyId;
  assert.notEqual(newId, app.deps.pii.currentKeyId);

  const count = async (sql: string) => (await app.db.pool.query<{ n: number }>(sql)).rows[0]!.n;
  const expected = {
    contacts: await count(`select count(*)::int as n from contacts`),
    consent_events: await count(`select count(*)::int as n from consent_events`),
    idempotency_keys: await count(`select count(*)::int as n from idempotency_keys where response_enc is not null`),
  };
  assert.deepEqual(expected, { contacts: 8, consent_events: 4, idempotency_keys: 2 });
  assert.deepEqual(await rotateKeys(rotating), expected);

  const { rows: encColumns } = await app.db.pool.query<{ table_name: string; column_name: string }>(
    `select table_name, column_name from information_schema.columns where table_schema = 'public' and column_name like '%\\_enc'`,
  );
  assert.ok(encColumns.length >= 5, `found ${encColumns.length} *_enc columns`);
  for (const { table_name, column_name } of encColumns) {
    const { rows } = await app.db.pool.query<{ v: string }>(`select "${column_name}" as v from "${table_name}" where "${column_name}" is not null`);
    for (const r of rows) {
      assert.ok(r.v.startsWith(`${newId}:`), `${table_name}.${column_name} still under key ${r.v.slice(0, 8)}`);
      newOnly.pii.decrypt(r.v);
    }
  }
  await assertNoPlaintextAtRest();

  // Every contact is found by its number through the new blind index, and reads back whole.
  for (const p of [...VIA_API, ...VIA_IMPORT, IDEMPOTENT]) {
    const page = await listContacts(newOnly, app.tenantId, { limit: 5, filter: { phone: p.typed } });
    assert.deepEqual(
      page.items.map((c) => [c.phone, c.name, c.email]),
      [[p.e164, p.name, p.email]],
      p.typed,
    );
  }
  const optedOut = await listContacts(newOnly, app.tenantId, { limit: 5, filter: { phone: VIA_API[0]!.typed } });
  assert.deepEqual(optedOut.items[0]?.optedOut, { voice: false, sms: true }, 'consent still matches its contact');
  assert.deepEqual(await optOutState(app.db.pool, app.tenantId, newOnly.pii.phoneIndex(OPTED_OUT.e164)), { voice: true, sms: true });

  // A re-import with the new key updates the same contacts instead of creating twins.
  const file = csvBytes(['Name,Phone', ...VIA_IMPORT.map((p) => `${p.name},${p.typed}`)]);
  const actor = { tenantId: app.tenantId, keyId: '00000000-0000-0000-0000-000000000000', role: 'admin' as const, canManageTenants: false };
  const again = await importFile(newOnly, actor, await readContactFile(Readable.from([file])));
  assert.deepEqual({ created: again.created, updated: again.updated, rejected: again.rejected }, { created: 0, updated: 3, rejected: [] });

  // The API on the new key replays the stored idempotent response and finds contacts by phone.
  const server = createApp({ deps: newOnly, log: pino({ level: 'silent' }) }).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const headers = { authorization: `Bearer ${app.adminKey}`, 'content-type': 'application/json', 'idempotency-key': 'pii-check-0001' };
    const replay = await fetch(`${base}/v1/contacts`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: IDEMPOTENT.name, phone: IDEMPOTENT.typed, email: IDEMPOTENT.email }),
    });
    assert.equal(replay.status, 201);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal(((await replay.json()) as { phone: string }).phone, IDEMPOTENT.e164);
    const found = await fetch(`${base}/v1/contacts?phone=${encodeURIComponent(VIA_API[2]!.typed)}`, { headers: { authorization: headers.authorization } });
    assert.equal(((await found.json()) as { items: { name: string }[] }).items[0]?.name, VIA_API[2]!.name);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  assert.deepEqual(await rotateKeys(rotating), { contacts: 0, consent_events: 0, idempotency_keys: 0 }, 're-running rotates nothing');
});
