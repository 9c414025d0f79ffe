// A cell the database cannot hold (a NUL, an unpaired UTF-16 surrogate) rejects its row with
// the row number, the column and the reason; the rows around it land and the import finishes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testApp, type TestApp } from '../support/app.ts';
import { assertProblem, cnE164, cnMobile } from '../support/api.ts';
import { csvBytes, importCsv, listAll } from '../support/data.ts';
import { randomBytes } from 'node:crypto';
import { createPii } from '../../core/privacy/pii.ts';
import { prepareRows } from '../../core/imports/prepare.ts';
import type { ImportRow } from '../../core/imports/rows.ts';

let app: TestApp;
before(async () => {
  app = await testApp();
});
after(() => app?.close());

const phones = async () => (await listAll<{ phone: string }>(app, '/v1/contacts')).items.map((c) => c.phone).sort();

test('a NUL in a name, tag or attribute cell rejects that row only, naming the column', async () => {
  const res = await importCsv(
    app,
    csvBytes([
      '姓名,手机号,标签,备注',
      `Good One,${cnMobile(1)},vip,fine`,
      `Bad\u0000Name,${cnMobile(2)},vip,fine`,
      `Bad Tag,${cnMobile(3)},v\u0000ip,fine`,
      `Bad Note,${cnMobile(4)},vip,no\u0000te`,
      `Good Two,${cnMobile(5)},,`,
    ]),
  );
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.total, 5);
  assert.equal(res.body.created, 2);
  assert.deepEqual(
    res.body.rejected.map((r: { row: number; column: string }) => [r.row, r.column]),
    [
      [3, '姓名'],
      [4, '标签'],
      [5, '备注'],
    ],
  );
  for (const r of res.body.rejected) assert.match(r.reason, /NUL/);
  assert.deepEqual(await phones(), [cnE164(1), cnE164(5)]);
  const stored = await app.request('GET', `/v1/imports/${res.body.id}`);
  assert.equal(stored.body.status, 'done');
  assert.deepEqual(stored.body.rejected, res.body.rejected);
});

test('a header with NUL rejects the rows that have a value in that column', async () => {
  const res = await importCsv(app, csvBytes(['name,phone,bad\u0000column', `Cy,${cnMobile(12)},x`, `Di,${cnMobile(13)},`]));
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.created, 1, 'the row with nothing in that column lands');
  assert.deepEqual(
    res.body.rejected.map((r: { row: number; column: string }) => [r.row, r.column]),
    [[2, 'bad\uFFFDcolumn']],
  );
  assert.match(res.body.rejected[0].reason, /header/);
});

test('a file decoded to an unpaired surrogate (a reader that keeps one) rejects that row with its column', () => {
  // The CSV and XLSX readers replace unpaired surrogates while decoding; the check still stands behind them.
  const pii = createPii(randomBytes(32));
  const rows: ImportRow[] = [
    { row: 2, fields: { phone: cnMobile(20), name: 'Ann' }, attributes: { note: 'ok' } },
    { row: 3, fields: { phone: cnMobile(21), name: 'B\ud800b' }, attributes: {} },
    { row: 4, fields: { phone: cnMobile(22) }, attributes: { note: 'x\udfff' } },
  ];
  const prepared = prepareRows(pii, rows, 'CN');
  assert.equal(prepared[0]!.ok, true);
  assert.deepEqual(
    prepared.slice(1).map((p) => (p.ok ? null : [p.row, p.field ?? p.column])),
    [
      [3, 'name'],
      [4, 'note'],
    ],
  );
  for (const p of prepared.slice(1)) assert.match(p.ok ? '' : p.reason, /surrogate/);
});

test('a multipart form cut off in the middle of the file is a 400 at once, not a request that never ends', { timeout: 15_000 }, async () => {
  const cut = ['--b0undary', 'Content-Disposition: form-data; name="file"; filename="a.csv"', 'Content-Type: text/csv', '', `phone\n${cnMobile(30)}`].join(
    '\r\n',
  );
  const res = await app.request('POST', '/v1/imports', { raw: cut, headers: { 'content-type': 'multipart/form-data; boundary=b0undary' } });
  assertProblem(res, 400, 'VALIDATION', 'body');
  assert.match(res.body.detail, /malformed multipart/);
});
