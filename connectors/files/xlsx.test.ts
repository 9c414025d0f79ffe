import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { AppError } from '../../core/errors.ts';
import { rowTriples } from './files.testing.ts';
import { numberText, readXlsx } from './xlsx.ts';

async function contactsWorkbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('客户');
  ws.getCell('A1').value = '客户导入模板（带*为必填项）'; // a title above the real header
  ws.mergeCells('A1:F1');
  ws.getRow(2).values = ['姓名', '手机号码*', '邮箱', '生日', '备注', '金额'];
  ws.getRow(3).values = [
    '  张三 ',
    8613800138000, // a phone typed into Excel becomes a number
    { text: 'zhang@example.cn', hyperlink: 'mailto:zhang@example.cn' },
    new Date(Date.UTC(1990, 4, 1)),
    { richText: [{ text: '老' }, { font: { bold: true }, text: '客户' }] },
    1234.5,
  ];
  // row 4 is left empty
  ws.getRow(5).values = ['李四', { formula: '"139"&"00139000"', result: '13900139000' }, null, new Date(Date.UTC(2024, 2, 5, 14, 30)), true, 1e-7];
  ws.getRow(6).values = ['', '', ''];
  ws.getRow(7).values = ['王五', { formula: 'B3+1', result: 8613800138001 }];
  const other = wb.addWorksheet('Other');
  other.getRow(1).values = ['Phone'];
  other.getRow(2).values = ['999'];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

test('reads the first worksheet with real row numbers and cell text as Excel shows it', async () => {
  const source = await readXlsx(Readable.from([await contactsWorkbook()]));
  assert.deepEqual(source.headers, ['姓名', '手机号码*', '邮箱', '生日', '备注', '金额']);
  assert.deepEqual(source.columns, { name: '姓名', phone: '手机号码*', email: '邮箱' });
  assert.deepEqual(await rowTriples(source.rows), [
    [3, { name: '张三', phone: '8613800138000', email: 'zhang@example.cn' }, { 生日: '1990-05-01', 备注: '老客户', 金额: '1234.5' }],
    [5, { name: '李四', phone: '13900139000' }, { 生日: '2024-03-05T14:30:00', 备注: 'TRUE', 金额: '0.0000001' }],
    [7, { name: '王五', phone: '8613800138001' }, {}],
  ]);
});

test('accepts any async byte source, chunked', async () => {
  const bytes = await contactsWorkbook();
  const source = await readXlsx(
    (async function* () {
      for (let i = 0; i < bytes.length; i += 1000) yield bytes.subarray(i, i + 1000);
    })(),
  );
  assert.equal((await rowTriples(source.rows)).length, 3);
});

test('an empty workbook has no headers and no rows', async () => {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('Sheet1');
  const source = await readXlsx(Readable.from([Buffer.from(await wb.xlsx.writeBuffer())]));
  assert.deepEqual([source.columns, source.headers, await rowTriples(source.rows)], [{}, [], []]);
});

test('a file that is not a workbook is a VALIDATION error', async () => {
  await assert.rejects(
    async () => {
      const source = await readXlsx(Readable.from([Buffer.from('PK\x03\x04 this is not really a zip file at all')]));
      await rowTriples(source.rows);
    },
    (err: unknown) => err instanceof AppError && err.code === 'VALIDATION',
  );
});

test('numbers print as plain digits, never with an exponent', () => {
  assert.equal(numberText(8613800138000), '8613800138000');
  assert.equal(numberText(1e21), '1000000000000000000000');
  assert.equal(numberText(1.5e22), '15000000000000000000000');
  assert.equal(numberText(1e-7), '0.0000001');
  assert.equal(numberText(-1.25e-7), '-0.000000125');
  assert.equal(numberText(0.1 + 0.2), '0.30000000000000004');
  assert.equal(numberText(-42), '-42');
});

test('breaking out early still drains the upload (a multipart parser waits for that)', async () => {
  const stream = Readable.from([await contactsWorkbook()]);
  const source = await readXlsx(stream);
  for await (const row of source.rows) if (row.row === 3) break;
  assert.equal(stream.readableEnded, true);
});

test('a workbook cut off part-way is a VALIDATION error, not a short import', async () => {
  const bytes = await contactsWorkbook();
  for (const cut of [0.5, 0.9, 0.99]) {
    await assert.rejects(
      async () => {
        const source = await readXlsx(Readable.from([bytes.subarray(0, Math.floor(bytes.length * cut))]));
        await rowTriples(source.rows);
      },
      (err: unknown) => err instanceof AppError && err.code === 'VALIDATION',
      `cut at ${cut}`,
    );
  }
});
