import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRow, joinName, mapHeaders, normaliseHeader } from './headers.ts';
import { readCsv } from './csv.ts';
import { chunked, collect } from './files.testing.ts';

test('common Chinese and English headers map to contact fields', () => {
  const table: [string, string | null][] = [
    ['姓名', 'name'],
    ['客户名称', 'name'],
    ['联系人', 'name'],
    ['Full Name', 'name'],
    ['customer_name', 'name'],
    ['手机号码', 'phone'],
    ['联系电话', 'phone'],
    ['联系方式', 'phone'],
    ['Mobile Number', 'phone'],
    ['Tel.', 'phone'],
    ['MSISDN', 'phone'],
    ['Cell-Phone', 'phone'],
    ['电子邮箱', 'email'],
    ['E-mail', 'email'],
    ['Email Address', 'email'],
    ['标签', 'tags'],
    ['Labels', 'tags'],
    ['时区', 'timeZone'],
    ['Time Zone', 'timeZone'],
    ['TZ', 'timeZone'],
    ['国家/地区', 'country'],
    ['Country Code', 'country'],
    ['Country/Region', 'country'],
    ['客户编号', 'externalId'],
    ['客户ID', 'externalId'],
    ['CRM ID', 'externalId'],
    ['external_id', 'externalId'],
    ['名', 'firstName'],
    ['Given Name', 'firstName'],
    ['姓', 'lastName'],
    ['Surname', 'lastName'],
    // deliberately left as attributes
    ['ID', null],
    ['地区', null],
    ['Region', null],
    ['WhatsApp', null],
    ['备注', null],
    ['公司', null],
  ];
  for (const [header, field] of table) {
    const { fieldByIndex } = mapHeaders([header]);
    assert.equal(fieldByIndex[0], field, header);
  }
});

test('normalisation: BOM, full-width forms, separators and required markers', () => {
  assert.equal(normaliseHeader('\uFEFF 手机号码（必填） '), '手机号码');
  assert.equal(normaliseHeader('*姓名'), '姓名');
  assert.equal(normaliseHeader('Ｅｍａｉｌ：'), 'email');
  assert.equal(normaliseHeader('Phone Number *'), 'phonenumber');
  assert.equal(normaliseHeader('Phone (mobile)'), 'phone');
  assert.equal(normaliseHeader('邮箱【选填】'), '邮箱');
  assert.equal(mapHeaders(['\uFEFF手机号码(必填)']).fieldByIndex[0], 'phone');
});

test('columns name the header as the file does; first column wins, later ones are attributes', () => {
  const m = mapHeaders(['\uFEFF姓名 ', '手机', '电话', 'Remark', '', 'Email']);
  assert.deepEqual(m.columns, { name: '姓名', phone: '手机', email: 'Email' });
  assert.deepEqual(m.fieldByIndex, ['name', 'phone', null, null, null, 'email']);
  assert.deepEqual(m.headers, ['姓名', '手机', '电话', 'Remark', '', 'Email']);
  const row = buildRow(m, 2, [' 张三 ', '13800138000', '010-1234', 'vip', 'ignored: blank header', 'a@b.cn', 'extra']);
  assert.deepEqual(row, {
    row: 2,
    fields: { name: '张三', phone: '13800138000', email: 'a@b.cn' },
    attributes: { 电话: '010-1234', Remark: 'vip' },
  });
});

test('first and last name columns combine into name', () => {
  const m = mapHeaders(['First Name', 'Last Name', 'Phone']);
  assert.deepEqual(m.columns, { name: 'First Name + Last Name', phone: 'Phone' });
  assert.deepEqual(buildRow(m, 2, ['Ada', 'Lovelace', '1'])?.fields, { name: 'Ada Lovelace', phone: '1' });
  assert.deepEqual(buildRow(m, 3, ['', 'Lovelace', '1'])?.fields, { name: 'Lovelace', phone: '1' });
  const zh = mapHeaders(['姓', '名']);
  assert.deepEqual(buildRow(zh, 2, ['张', '三'])?.fields, { name: '张三' });
  assert.equal(joinName('三', '张'), '张三');
  assert.equal(joinName('Ada', undefined), 'Ada');
});

test('a full-name column beats first/last columns, which stay attributes', () => {
  const m = mapHeaders(['名', '姓名', '姓']);
  assert.deepEqual(m.columns, { name: '姓名' });
  assert.deepEqual(buildRow(m, 2, ['三', '张三', '张']), {
    row: 2,
    fields: { name: '张三' },
    attributes: { 名: '三', 姓: '张' },
  });
});

test('blank rows are null; blank cells are omitted; odd attribute names stay plain keys', () => {
  const m = mapHeaders(['Phone', '__proto__', 'toString', 'Note', 'Note']);
  assert.equal(buildRow(m, 5, ['  ', '\u3000', '']), null);
  const row = buildRow(m, 6, ['', 'x', 'y', '', 'second note']);
  assert.deepEqual(row?.fields, {});
  assert.equal(Object.getPrototypeOf(row?.attributes), Object.prototype);
  assert.deepEqual(Object.entries(row?.attributes ?? {}), [
    ['__proto__', 'x'],
    ['toString', 'y'],
    ['Note', 'second note'],
  ]);
});

test('Excel\'s ="…" text idiom is read as the text inside', async () => {
  const m = mapHeaders(['姓名', '手机号', '备注']);
  const row = buildRow(m, 2, ['="张三"', '="13800138000"', '="say ""hi"""']);
  assert.deepEqual(row?.fields, { name: '张三', phone: '13800138000' });
  assert.deepEqual(row?.attributes, { 备注: 'say "hi"' });
  // Through the CSV reader, as Excel writes such a cell.
  const source = await readCsv(chunked(Buffer.from('姓名,手机号\n王五,"=""13900139000"""\n'), 64));
  const rows = await collect(source.rows);
  assert.equal(rows[0]?.fields.phone, '13900139000');
});
