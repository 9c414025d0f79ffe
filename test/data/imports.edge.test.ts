import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testApp, type TestApp } from '../support/app.ts';
import { contactCount, csvBytes, importCsv, importMultipart, newKey, newTenant } from '../support/data.ts';

let app: TestApp;
before(async () => {
  app = await testApp();
});
after(() => app.close());

const importsOf = async (tenantId: string) =>
  (
    await app.db.pool.query<{ status: string; total: number; error: string | null }>(
      `select status, total, error from imports where tenant_id = $1 order by created_at`,
      [tenantId],
    )
  ).rows;

const FILE = csvBytes(['姓名,手机号', '邓超,13800138000', 'Grace Lee,+65 8123 4567']);

test('a CSV upload retried with the same Idempotency-Key is imported once', async () => {
  const tenant = await newTenant(app, 'Retries');
  const headers = { 'idempotency-key': 'csv-upload-2024-06-01' };
  const first = await importCsv(app, FILE, { key: tenant.key, headers });
  assert.equal(first.status, 201, first.text);
  const retry = await importCsv(app, FILE, { key: tenant.key, headers });
  assert.equal(retry.status, 201, retry.text);
  assert.equal(retry.body.id, first.body.id);
  assert.equal(retry.headers.get('idempotent-replayed'), 'true');
  assert.equal((await importsOf(tenant.tenantId)).length, 1);
});

test('another file under a used Idempotency-Key is refused, even one of the same length', async () => {
  const tenant = await newTenant(app, 'Key reuse');
  const headers = { 'idempotency-key': 'csv-upload-2024-06-02' };
  const first = await importCsv(app, FILE, { key: tenant.key, headers });
  assert.equal(first.status, 201, first.text);
  const longer = await importCsv(app, csvBytes(['姓名,手机号', '邓超,13800138000', 'Grace Lee,+65 8123 4567', '周迅,15912345678']), {
    key: tenant.key,
    headers,
  });
  assert.equal(longer.status, 422, longer.text);
  const other = csvBytes(['姓名,手机号', '邓超,13800138001', 'Grace Lee,+65 8123 4568']);
  assert.equal(other.length, FILE.length);
  const reused = await importCsv(app, other, { key: tenant.key, headers });
  assert.equal(reused.status, 422, `a different file replayed the first outcome: ${reused.text}`);
  assert.equal(reused.body.field, 'Idempotency-Key');
});

test('a multipart upload retried with the same Idempotency-Key is imported once', async () => {
  const tenant = await newTenant(app, 'Multipart retries');
  // As browsers and SDKs send it: every attempt has a new random boundary.
  const headers = { 'idempotency-key': 'multipart-upload-2024-06-01' };
  const first = await importMultipart(app, FILE, 'list.csv', 'text/csv', { key: tenant.key, headers });
  assert.equal(first.status, 201, first.text);
  const retry = await importMultipart(app, FILE, 'list.csv', 'text/csv', { key: tenant.key, headers });
  assert.equal(retry.status, 201, `an honest retry of the same upload was refused: ${retry.text}`);
  assert.equal(retry.body.id, first.body.id);
  assert.equal((await importsOf(tenant.tenantId)).length, 1);
  assert.equal(await contactCount(app, tenant.tenantId), 2);
});

test('a file that is not valid CSV is a 400 naming the row, recorded as a failed import', async () => {
  const tenant = await newTenant(app, 'Broken quote');
  const file = csvBytes(['姓名,手机号,备注', '许晴,13800138000,', '', '"Anna Kowalska,+48 512 345 678,VIP', '黄渤,15912345678,']);
  const res = await importCsv(app, file, { key: tenant.key });
  assert.equal(res.status, 400, res.text);
  assert.equal(res.body.field, 'file');
  assert.match(res.body.detail, /row 4\b/, 'the quote opened on row 4 (blank row 3 counts)');
  const stored = await importsOf(tenant.tenantId);
  assert.equal(stored.length, 1);
  assert.equal(stored[0]!.status, 'failed');
  assert.ok(stored[0]!.error);
});

test('uploads that are not files, empty files and the wrong role are refused without storing anything', async () => {
  const tenant = await newTenant(app, 'Refusals');
  const json = await app.request('POST', '/v1/imports', { key: tenant.key, body: { phone: '13800138000' } });
  assert.equal(json.status, 415, json.text);
  assert.equal(json.body.field, 'Content-Type');

  const empty = await importCsv(app, Buffer.alloc(0), { key: tenant.key });
  assert.equal(empty.status, 400, empty.text);
  assert.equal(empty.body.field, 'file');
  const noField = new FormData();
  noField.append('upload', new Blob([new Uint8Array(FILE)], { type: 'text/csv' }), 'list.csv');
  const wrongField = await app.request('POST', '/v1/imports', { key: tenant.key, raw: noField });
  assert.equal(wrongField.status, 400, wrongField.text);
  assert.equal(wrongField.body.field, 'file');

  const viewer = await newKey(app, 'viewer', tenant.key);
  const denied = await importCsv(app, FILE, { key: viewer.key });
  assert.equal(denied.status, 403, denied.text);
  assert.equal(await contactCount(app, tenant.tenantId), 0);

  const operator = await newKey(app, 'operator', tenant.key);
  const allowed = await importCsv(app, FILE, { key: operator.key });
  assert.equal(allowed.status, 201, allowed.text);
  const asViewer = await app.request('GET', `/v1/imports/${allowed.body.id}`, { key: viewer.key });
  assert.equal(asViewer.status, 200, 'viewers may read import outcomes');
  const otherTenant = await app.request('GET', `/v1/imports/${allowed.body.id}`);
  assert.equal(otherTenant.status, 404, 'another tenant cannot read it');
});

test('imported rows are counted in /metrics by kind and outcome', async () => {
  const metric = async (outcome: string) => {
    const res = await app.request('GET', '/metrics', { key: null });
    const line = res.text.split('\n').find((l) => l.startsWith(`chaseline_import_rows_total{kind="contacts",outcome="${outcome}"}`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };
  const before = { created: await metric('created'), updated: await metric('updated'), rejected: await metric('rejected') };
  const tenant = await newTenant(app, 'Metrics');
  const res = await importCsv(app, csvBytes(['姓名,手机号', '甲,13800138000', '乙,13800138000', '丙,not a number']), { key: tenant.key });
  assert.equal(res.status, 201, res.text);
  assert.equal((await metric('created')) - before.created, 1);
  assert.equal((await metric('updated')) - before.updated, 1);
  assert.equal((await metric('rejected')) - before.rejected, 1);
});
