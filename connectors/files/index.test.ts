import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { AppError } from '../../core/errors.ts';
import { chunked, rowTriples } from './files.testing.ts';
import { chooseFormat, readContactFile, xlsxContentType } from './index.ts';

async function xlsxBytes(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('S').addRows([
    ['Name', 'Phone'],
    ['Ada', 13800138000],
  ]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

test('the bytes decide: a ZIP is read as XLSX whatever its name, one byte at a time too', async () => {
  const bytes = await xlsxBytes();
  for (const [input, options] of [
    [chunked(bytes, 1), { filename: 'contacts.csv', contentType: 'text/csv' }],
    [Readable.from([bytes]), {}],
  ] as const) {
    const source = await readContactFile(input, options);
    assert.equal(source.format, 'xlsx');
    assert.deepEqual(await rowTriples(source.rows), [[2, { name: 'Ada', phone: '13800138000' }, {}]]);
  }
});

test('anything else is CSV, even when named .xlsx, and nothing peeked is lost', async () => {
  let encoding: string | undefined;
  const source = await readContactFile(chunked(Buffer.from('Phone\n1\n'), 1), {
    filename: 'renamed.XLSX',
    contentType: xlsxContentType,
    onEncoding: (e) => (encoding = e),
  });
  assert.equal(source.format, 'csv');
  assert.deepEqual(source.headers, ['Phone']);
  assert.deepEqual(await rowTriples(source.rows), [[2, { phone: '1' }, {}]]);
  assert.equal(encoding, 'utf-8');
});

test('name and content type only decide for a file too short to sniff', () => {
  const tiny = Buffer.from('ab');
  assert.equal(chooseFormat(tiny, { filename: 'a.xlsx' }), 'xlsx');
  assert.equal(chooseFormat(tiny, { contentType: `${xlsxContentType}; charset=binary` }), 'xlsx');
  assert.equal(chooseFormat(tiny, { filename: 'a.csv' }), 'csv');
  assert.equal(chooseFormat(Buffer.from('PK\x03\x04'), {}), 'xlsx');
});

test('a legacy .xls or password-protected workbook gets a message saying what to do', async () => {
  const ole = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]);
  await assert.rejects(readContactFile(chunked(ole, 3), { filename: 'old.xls' }), (err: unknown) => {
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'UNSUPPORTED_MEDIA_TYPE');
    assert.match(err.message, /\.xlsx/);
    return true;
  });
});

test('an empty upload is an empty CSV', async () => {
  const source = await readContactFile(chunked(new Uint8Array(0), 1), { filename: 'empty.csv' });
  assert.deepEqual([source.format, source.headers, await rowTriples(source.rows)], ['csv', [], []]);
});
