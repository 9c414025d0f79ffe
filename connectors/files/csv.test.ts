import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { AppError } from '../../core/errors.ts';
import { detectDelimiter, readCsv } from './csv.ts';
import type { DetectedEncoding } from './decode.ts';
import { chunked, collect, rowTriples } from './files.testing.ts';

const chinese = '姓名,手机号码,邮箱,标签,备注\r\n张三,13800138000,zhang@example.cn,VIP,老客户，优先\r\n李四,+86 139 0013 9000,,,\r\n';
const expectedChinese = [
  [2, { name: '张三', phone: '13800138000', email: 'zhang@example.cn', tags: 'VIP' }, { 备注: '老客户，优先' }],
  [3, { name: '李四', phone: '+86 139 0013 9000' }, {}],
];

async function read(bytes: Uint8Array, chunkSize = 7) {
  let encoding: DetectedEncoding | undefined;
  const source = await readCsv(chunked(bytes, chunkSize), { onEncoding: (e) => (encoding = e) });
  const rows = await rowTriples(source.rows);
  return { ...source, rows, encoding };
}

test('the same Chinese file in every encoding Excel and others save', async () => {
  const files: [string, Uint8Array, DetectedEncoding][] = [
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(chinese)]), 'utf-8-bom'],
    ['UTF-8', Buffer.from(chinese), 'utf-8'],
    ['GBK (Excel "CSV" on Chinese Windows)', iconv.encode(chinese, 'gbk'), 'gb18030'],
    ['UTF-16LE with BOM, tab-separated (Excel "Unicode text")', iconv.encode('\uFEFF' + chinese.replaceAll(',', '\t'), 'utf-16le'), 'utf-16le'],
  ];
  for (const [label, bytes, encoding] of files) {
    for (const size of [1, 7, 1 << 16]) {
      const got = await read(bytes, size);
      assert.equal(got.encoding, encoding, label);
      assert.deepEqual(got.headers, ['姓名', '手机号码', '邮箱', '标签', '备注'], label);
      assert.deepEqual(got.columns, { name: '姓名', phone: '手机号码', email: '邮箱', tags: '标签' }, label);
      assert.deepEqual(got.rows, expectedChinese, `${label} / chunk ${size}`);
    }
  }
});

test('semicolon and tab delimiters are detected from the header; the full-width comma is text', async () => {
  const semi = await read(Buffer.from('Name;Phone;Note\nAda;+44 20 7946 0000;"a;b", c\n'));
  assert.equal(semi.delimiter, ';');
  assert.deepEqual(semi.rows, [[2, { name: 'Ada', phone: '+44 20 7946 0000' }, { Note: 'a;b, c' }]]);
  const tab = await read(Buffer.from('Name\tPhone\nAda\t123\n'));
  assert.equal(tab.delimiter, '\t');
  assert.deepEqual(tab.rows, [[2, { name: 'Ada', phone: '123' }, {}]]);
  assert.equal(detectDelimiter('姓名，电话'), ',');
  assert.equal(detectDelimiter('"a;b;c",d'), ',');
  assert.equal(detectDelimiter('"a,b";c;d'), ';');
  const fullWidth = await read(Buffer.from('姓名，电话\n张三，123\n'));
  assert.deepEqual(fullWidth.headers, ['姓名，电话']);
});

test('row numbers are what a spreadsheet shows: blank lines count, a multi-line cell is one row', async () => {
  const text =
    [
      '', // row 1: blank lines before the header are skipped but counted
      ' ',
      'Name,Phone,Notes', // row 3
      'Ada,1,"line one', // row 4 spans three physical lines
      'line ""two""',
      'line three"',
      '', // row 5
      ',,', // row 6: only delimiters
      'Bob,2,short', // row 7
    ].join('\r\n') + '\r\n';
  const got = await read(Buffer.from(text));
  assert.deepEqual(got.headers, ['Name', 'Phone', 'Notes']);
  assert.deepEqual(got.rows, [
    [4, { name: 'Ada', phone: '1' }, { Notes: 'line one\r\nline "two"\r\nline three' }],
    [7, { name: 'Bob', phone: '2' }, { Notes: 'short' }],
  ]);
  // LF and bare CR line ends give the same numbers
  const lf = await read(Buffer.from('h1,Phone\n\nx,1\n'));
  const cr = await read(Buffer.from('h1,Phone\r\rx,1\r'));
  assert.deepEqual(lf.rows, [[3, { phone: '1' }, { h1: 'x' }]]);
  assert.deepEqual(cr.rows, lf.rows);
});

test('short rows, long rows, trailing delimiters and blank cells', async () => {
  const got = await read(Buffer.from('Name,Phone,Email,\nAda\nBob,2,b@x.io,extra,more\n  Cy  , , c@x.io ,\n'));
  assert.deepEqual(got.headers, ['Name', 'Phone', 'Email', '']);
  assert.deepEqual(got.rows, [
    [2, { name: 'Ada' }, {}],
    [3, { name: 'Bob', phone: '2', email: 'b@x.io' }, {}],
    [4, { name: 'Cy', email: 'c@x.io' }, {}],
  ]);
});

test('no header, empty file, header only', async () => {
  for (const text of ['', '\r\n\r\n', '\uFEFF', ' , ,\n']) {
    const got = await read(Buffer.from(text));
    assert.deepEqual([got.columns, got.headers, got.rows], [{}, [], []], JSON.stringify(text));
  }
  const headerOnly = await read(Buffer.from('手机'));
  assert.deepEqual([headerOnly.columns, headerOnly.headers, headerOnly.rows], [{ phone: '手机' }, ['手机'], []]);
});

test('a quote left open is a VALIDATION error naming the row', async () => {
  const source = await readCsv(chunked(Buffer.from('Name,Phone\nAda,1\n"Bob,2\n'), 5));
  await assert.rejects(collect(source.rows), (err: unknown) => {
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'VALIDATION');
    assert.deepEqual(err.details, { row: 3 });
    return true;
  });
});

test('reads a Node stream too', async () => {
  const source = await readCsv(Readable.from([Buffer.from('Phone\n'), Buffer.from('123\n')]));
  assert.deepEqual(await rowTriples(source.rows), [[2, { phone: '123' }, {}]]);
});

/** A 100k-row file generated chunk by chunk, counting how many chunks were pulled. */
function bigFile(rows: number, pulls: { count: number }): AsyncIterable<Buffer> {
  return (async function* () {
    pulls.count++;
    yield Buffer.from('\uFEFF姓名,手机号,邮箱,标签,国家,备注\r\n');
    for (let i = 0; i < rows; i += 1000) {
      let s = '';
      for (let j = i; j < Math.min(rows, i + 1000); j++) s += `客户${j},138${String(j).padStart(8, '0')},c${j}@example.cn,vip,CN,"备注 ${j}"\r\n`;
      pulls.count++;
      yield Buffer.from(s);
    }
  })();
}

test('100k rows stream lazily: the first rows arrive before the file is read, the count is right', async () => {
  const pulls = { count: 0 };
  const source = await readCsv(bigFile(100_000, pulls));
  let n = 0;
  let last = 0;
  for await (const row of source.rows) {
    if (n === 0) assert.ok(pulls.count < 10, `only ${pulls.count} of 101 chunks pulled for the first row`);
    n++;
    last = row.row;
    if (n === 50_000) assert.ok(pulls.count < 60, `halfway through rows, ${pulls.count} chunks pulled`);
  }
  assert.equal(n, 100_000);
  assert.equal(last, 100_001);
  assert.equal(pulls.count, 101);
});

test('breaking out early stops reading the input', async () => {
  const pulls = { count: 0 };
  const source = await readCsv(bigFile(100_000, pulls));
  for await (const row of source.rows) if (row.row === 10) break;
  assert.ok(pulls.count < 10);
});

test('breaking out early releases the input stream', async () => {
  const pulls = { count: 0 };
  const stream = Readable.from(bigFile(100_000, pulls));
  const source = await readCsv(stream);
  for await (const row of source.rows) if (row.row === 10) break;
  assert.equal(stream.destroyed, true);
});

test('a title row above the header is skipped; unrecognised headers still work', async () => {
  const titled = await read(Buffer.from('客户名单（2024）,,\n\n姓名,手机,Remark\n张三,1,x\n'));
  assert.deepEqual(titled.headers, ['姓名', '手机', 'Remark']);
  assert.deepEqual(titled.rows, [[4, { name: '张三', phone: '1' }, { Remark: 'x' }]]);
  // No row names a contact field: the first non-blank row is the header after all.
  const custom = await read(Buffer.from('A,B\n1,2\n\n3,4\n'));
  assert.deepEqual(custom.headers, ['A', 'B']);
  assert.deepEqual(custom.rows, [
    [2, {}, { A: '1', B: '2' }],
    [4, {}, { A: '3', B: '4' }],
  ]);
});
