/**
 * An import records the encoding it detected, whichever way the file came (a text/csv body,
 * multipart, the CLI) and however late the bytes settled it: an all-ASCII header leaves a CSV's
 * encoding open until the first non-ASCII byte, or until the end of the file.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { testApp, type TestApp } from '../support/app.ts';
import { importCsv, importMultipart, newTenant } from '../support/data.ts';

let app: TestApp;
before(async () => {
  app = await testApp();
});
after(() => app.close());

// English headers, so nothing before the first data row tells one encoding from another;
// the names give the encodings something to differ on.
const text = (rows: number) =>
  ['Name,Phone,Tags', ...Array.from({ length: rows }, (_, i) => `客户${i} Zoë,+86 138 ${String(i).padStart(4, '0')} 8000,老客户`)].join('\r\n') + '\r\n';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const cases: [string, (t: string) => Buffer, string][] = [
  ['UTF-8', (t) => Buffer.from(t), 'utf-8'],
  ['UTF-8 with a BOM', (t) => Buffer.concat([BOM, Buffer.from(t)]), 'utf-8-bom'],
  ['GBK', (t) => iconv.encode(t.replace('Zoë', 'Zoe'), 'gbk'), 'gb18030'],
  ['GB18030', (t) => iconv.encode(t, 'gb18030'), 'gb18030'],
  ['UTF-16LE (Excel "Unicode text", tab-separated)', (t) => iconv.encode('\uFEFF' + t.replaceAll(',', '\t'), 'utf-16le'), 'utf-16le'],
  ['UTF-16BE', (t) => iconv.encode('\uFEFF' + t.replaceAll(',', '\t'), 'utf-16be'), 'utf-16be'],
];

for (const [label, encode, expected] of cases) {
  for (const rows of [3, 400]) {
    test(`${label}, ${rows} rows: the import lands every row and records ${expected}`, async () => {
      const tenant = await newTenant(app, `${label} ${rows}`);
      const res = await importCsv(app, encode(text(rows)), { key: tenant.key });
      assert.equal(res.status, 201, res.text);
      assert.deepEqual({ created: res.body.created, rejected: res.body.rejected }, { created: rows, rejected: [] });
      const stored = await app.request('GET', `/v1/imports/${res.body.id}`, { key: tenant.key });
      assert.equal(stored.body.encoding, expected);
      assert.equal(stored.body.status, 'done');
      assert.equal(stored.body.hint, null);
      const contacts = await app.request('GET', '/v1/contacts?limit=1&phone=%2B8613800008000', { key: tenant.key });
      assert.equal(contacts.body.items[0]?.name, label === 'GBK' ? '客户0 Zoe' : '客户0 Zoë', 'the text was decoded with it');
    });
  }
}

test('a pure-ASCII CSV is utf-8, and a workbook is xlsx, whatever its name says', async () => {
  const tenant = await newTenant(app, 'ASCII and XLSX');
  const ascii = await importMultipart(app, Buffer.from('Phone\n13800138000\n'), 'contacts.xlsx', 'text/csv', { key: tenant.key });
  assert.equal(ascii.status, 201, ascii.text);
  assert.equal((await app.request('GET', `/v1/imports/${ascii.body.id}`, { key: tenant.key })).body.encoding, 'utf-8');

  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('客户').addRows([
    ['姓名', '手机号'],
    ['马云飞', 13900139000],
  ]);
  const xlsx = await importMultipart(app, Buffer.from(await wb.xlsx.writeBuffer()), 'contacts.csv', 'text/csv', { key: tenant.key });
  assert.equal(xlsx.status, 201, xlsx.text);
  assert.equal(xlsx.body.created, 1);
  assert.equal((await app.request('GET', `/v1/imports/${xlsx.body.id}`, { key: tenant.key })).body.encoding, 'xlsx');
});
