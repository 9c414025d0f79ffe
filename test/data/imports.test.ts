import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { testApp, type TestApp } from '../support/app.ts';
import { contactCount, csvBytes, importCsv, importMultipart, listAll, newTenant } from '../support/data.ts';

let app: TestApp;
before(async () => {
  app = await testApp();
});
after(() => app.close());

interface Contact {
  id: string;
  name: string | null;
  phone: string;
  email: string | null;
  tags: string[];
  attributes: Record<string, unknown>;
  phoneType: string;
  phoneCountry: string;
  optedOut: { voice: boolean; sms: boolean };
  dialable: boolean;
}

// A file as people really send it: Chinese headers, an unknown column (城市), blank lines,
// the same number twice in different formats, junk numbers, short rows, a bad email.
// Index + 1 is the row number a spreadsheet shows.
const MESSY = [
  '姓名,手机号,邮箱,标签,城市',
  '张伟,13800138000,zhang.wei@example.com,VIP,北京',
  '李娜,+86 159-1234-5678,li.na@example.cn,"老客户,华东",上海',
  '',
  '王芳,abc,wang.fang@example.com,,广州',
  '刘洋,123,,,深圳',
  ',,,,',
  '陈静,138-0013-800a,,,',
  '赵敏,,zhao.min@example.com,潜在客户,杭州',
  '孙丽,18612345678',
  '周杰,13912345678,zhou.jie@@example,VIP,成都',
  '张伟明,+86 138-0013-8000,,潜在客户,上海',
  '',
  'Emily Chen,+1 (650) 253-0000,emily.chen@example.com,VIP；海外,San Francisco',
  '吴昊,１５９１２３４５６７８,,回访,',
  '黄磊,010-6552 9988,huang.lei@example.com.cn,,北京',
];
const MESSY_REJECTED = [
  { row: 5, column: '手机号', reason: 'phone: invalid characters' },
  { row: 6, column: '手机号', reason: 'phone: too short' },
  { row: 8, column: '手机号', reason: 'phone: invalid characters' },
  { row: 9, column: '手机号', reason: 'phone: missing' },
  { row: 11, column: '邮箱', reason: 'email is not a valid address' },
];

const byPhone = async (phone: string, key?: string): Promise<Contact | undefined> => {
  const res = await app.request('GET', `/v1/contacts?phone=${encodeURIComponent(phone)}`, { key });
  assert.equal(res.status, 200, res.text);
  return res.body.items[0];
};

const sorted = (xs: string[]) => [...xs].sort();

/** What a user checks after importing MESSY into an empty tenant. */
async function assertMessyLanded(key?: string) {
  const zhang = await byPhone('+8613800138000', key);
  assert.equal(zhang?.name, '张伟明', 'the later row’s name wins');
  assert.equal(zhang?.email, 'zhang.wei@example.com', 'a blank cell keeps the earlier email');
  assert.deepEqual(sorted(zhang!.tags), sorted(['VIP', '潜在客户']), 'tags accumulate');
  assert.deepEqual(zhang?.attributes, { 城市: '上海' });
  const li = await byPhone('15912345678', key);
  assert.equal(li?.name, '吴昊');
  assert.equal(li?.email, 'li.na@example.cn');
  assert.deepEqual(sorted(li!.tags), sorted(['老客户', '华东', '回访']));
  assert.deepEqual(li?.attributes, { 城市: '上海' });
  const emily = await byPhone('+16502530000', key);
  assert.equal(emily?.name, 'Emily Chen');
  assert.deepEqual(sorted(emily!.tags), sorted(['VIP', '海外']));
  assert.equal(emily?.phoneCountry, 'US');
  const huang = await byPhone('01065529988', key);
  assert.equal(huang?.phoneType, 'fixed_line');
  assert.equal((await byPhone('18612345678', key))?.name, '孙丽');
  for (const rejected of ['13912345678']) assert.equal(await byPhone(rejected, key), undefined, 'a rejected row lands nothing');
}

describe('CSV imports', () => {
  let firstId: string;

  test('a messy UTF-8 (BOM) file: good rows land, every bad row is named by row, column and reason', async () => {
    const before = await contactCount(app);
    const res = await importCsv(app, csvBytes(MESSY, { bom: true }));
    assert.equal(res.status, 201, res.text);
    const r = res.body;
    firstId = r.id;
    assert.equal(r.kind, 'contacts');
    assert.equal(r.total, r.created + r.updated + r.rejected.length, 'totals add up');
    assert.deepEqual({ total: r.total, created: r.created, updated: r.updated }, { total: 12, created: 5, updated: 2 });
    assert.deepEqual(r.rejected, MESSY_REJECTED);
    assert.equal(await contactCount(app), before + 5);
    await assertMessyLanded();

    const stored = await app.request('GET', `/v1/imports/${r.id}`);
    assert.equal(stored.status, 200, stored.text);
    assert.equal(stored.body.status, 'done');
    assert.equal(stored.body.encoding, 'utf-8-bom');
    assert.deepEqual(
      { total: stored.body.total, created: stored.body.created, updated: stored.body.updated, rejected: stored.body.rejected },
      { total: 12, created: 5, updated: 2, rejected: MESSY_REJECTED },
    );
    assert.ok(stored.body.finishedAt, 'finishedAt is set');
    const unknown = await app.request('GET', '/v1/imports/6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b');
    assert.equal(unknown.status, 404);
  });

  test('re-importing the same file creates nothing new', async () => {
    assert.ok(firstId, 'needs the first import');
    const before = await contactCount(app);
    const res = await importCsv(app, csvBytes(MESSY, { bom: true }));
    assert.equal(res.status, 201, res.text);
    assert.notEqual(res.body.id, firstId);
    assert.deepEqual({ total: res.body.total, created: res.body.created, updated: res.body.updated }, { total: 12, created: 0, updated: 7 });
    assert.deepEqual(res.body.rejected, MESSY_REJECTED);
    assert.equal(await contactCount(app), before);
    await assertMessyLanded();
  });

  for (const [label, options, encoding] of [
    ['GBK', { encoding: 'gbk' }, 'gb18030'],
    ['UTF-8 without BOM, LF line ends', { eol: '\n' }, 'utf-8'],
  ] as const) {
    test(`the same file in ${label} gives the same result`, async () => {
      const tenant = await newTenant(app, `Import ${label}`);
      const res = await importCsv(app, csvBytes(MESSY, options), { key: tenant.key });
      assert.equal(res.status, 201, res.text);
      assert.deepEqual({ total: res.body.total, created: res.body.created, updated: res.body.updated }, { total: 12, created: 5, updated: 2 });
      assert.deepEqual(res.body.rejected, MESSY_REJECTED);
      assert.equal(await contactCount(app, tenant.tenantId), 5);
      await assertMessyLanded(tenant.key);
      const stored = await app.request('GET', `/v1/imports/${res.body.id}`, { key: tenant.key });
      assert.equal(stored.body.encoding, encoding);
    });
  }

  test('?defaultRegion=US reads national numbers as American', async () => {
    const tenant = await newTenant(app, 'US numbers in a CN tenant');
    const file = csvBytes([
      'Name,Phone,Email',
      'Michael Johnson,(415) 555-2671,mjohnson@example.com',
      'Sarah Miller,212-555-0143,',
      'David Kim,917.555.0134,dkim@example.org',
      '刘强,+86 138 0013 8000,',
    ]);
    const res = await importCsv(app, file, { key: tenant.key, query: 'defaultRegion=US' });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual({ created: res.body.created, rejected: res.body.rejected }, { created: 4, rejected: [] });
    const { items } = await listAll<Contact>(app, '/v1/contacts', { key: tenant.key });
    const phones = Object.fromEntries(items.map((c) => [c.name, [c.phone, c.phoneCountry]]));
    assert.deepEqual(phones, {
      'Michael Johnson': ['+14155552671', 'US'],
      'Sarah Miller': ['+12125550143', 'US'],
      'David Kim': ['+19175550134', 'US'],
      刘强: ['+8613800138000', 'CN'],
    });
    const bad = await importCsv(app, file, { key: tenant.key, query: 'defaultRegion=XX' });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.field, 'defaultRegion');
    assert.equal(await contactCount(app, tenant.tenantId), 4);
  });

  test('a file without a phone column is refused naming the headers it has', async () => {
    const res = await importCsv(app, csvBytes(['姓名,邮箱', '张三,zhangsan@example.com']));
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.field, 'file');
    assert.match(res.body.detail, /姓名, 邮箱/);
  });
});

describe('XLSX and do-not-call imports', () => {
  test('a multipart XLSX upload with a numeric phone cell', async () => {
    const tenant = await newTenant(app, 'XLSX');
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('客户');
    sheet.addRow(['客户姓名', '联系电话', '电子邮箱', '客户标签', '备注']);
    sheet.addRow(['马云飞', 13800138000, 'ma.yf@example.cn', 'VIP', '展会']);
    sheet.addRow(['Lucas Moreau', '+33 6 12 34 56 78', 'lucas.moreau@example.fr', 'EU', '']);
    sheet.getRow(5).values = ['钱多多', 'n/a', 'qian@example.com'];
    sheet.getRow(6).values = ['Aiko Tanaka', '+81 90-1234-5678', 'aiko.tanaka@example.jp', 'APAC,VIP', 'referral'];
    sheet.getRow(7).values = ['马云飞', 8613800138000, null, '回访'];
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    const res = await importMultipart(app, bytes, '客户名单.xlsx', xlsxType, { key: tenant.key });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.total, res.body.created + res.body.updated + res.body.rejected.length);
    assert.deepEqual({ total: res.body.total, created: res.body.created, updated: res.body.updated }, { total: 5, created: 3, updated: 1 });
    assert.deepEqual(res.body.rejected, [{ row: 5, column: '联系电话', reason: 'phone: invalid characters' }]);
    const ma = await byPhone('+8613800138000', tenant.key);
    assert.equal(ma?.name, '马云飞');
    assert.equal(ma?.email, 'ma.yf@example.cn');
    assert.deepEqual(sorted(ma!.tags), sorted(['VIP', '回访']));
    assert.deepEqual(ma?.attributes, { 备注: '展会' });
    assert.equal((await byPhone('+33612345678', tenant.key))?.name, 'Lucas Moreau');
    assert.deepEqual(sorted((await byPhone('+819012345678', tenant.key))!.tags), ['APAC', 'VIP']);
  });

  test('a do-not-call list opts numbers out of voice: visible in opt-outs and on the contacts', async () => {
    const tenant = await newTenant(app, 'DNC');
    const contacts = await importCsv(app, csvBytes(['姓名,手机号', '郑爽,13800138000', '冯巩,15912345678']), { key: tenant.key });
    assert.equal(contacts.body.created, 2, contacts.text);
    const dnc = csvBytes(['手机号,备注', '+86 138-0013-8000,投诉', '186 1234 5678,', 'not-a-number,', '13800138000,重复']);
    const res = await importCsv(app, dnc, { key: tenant.key, query: 'kind=do-not-call&channel=voice' });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.kind, 'do-not-call');
    assert.deepEqual({ total: res.body.total, created: res.body.created, updated: res.body.updated }, { total: 4, created: 2, updated: 1 });
    assert.deepEqual(res.body.rejected, [{ row: 4, column: '手机号', reason: 'phone: invalid characters' }]);

    const { items } = await listAll<{ phone: string; channel: string; source: string }>(app, '/v1/opt-outs', { key: tenant.key });
    assert.deepEqual(items.map((o) => [o.phone, o.channel, o.source]).sort(), [
      ['+8613800138000', 'voice', 'import'],
      ['+8618612345678', 'voice', 'import'],
    ]);
    const zheng = await byPhone('13800138000', tenant.key);
    assert.deepEqual(zheng?.optedOut, { voice: true, sms: false });
    assert.equal(zheng?.dialable, true, 'SMS is still allowed');
    assert.deepEqual((await byPhone('15912345678', tenant.key))?.optedOut, { voice: false, sms: false });
    assert.equal(await contactCount(app, tenant.tenantId), 2, 'a do-not-call list creates no contacts');

    const again = await importCsv(app, dnc, { key: tenant.key, query: 'kind=do-not-call&channel=voice' });
    assert.deepEqual({ created: again.body.created, updated: again.body.updated }, { created: 0, updated: 3 });
    assert.equal((await listAll(app, '/v1/opt-outs', { key: tenant.key })).items.length, 2);
  });
});

test('5,000 rows with 10% bad ones: totals add up and each bad row is named', async () => {
  const tenant = await newTenant(app, 'Bulk');
  const lines = ['Name,Mobile,E-mail,Tags'];
  const bad = new Map<number, [string, string]>();
  const junk: [string, string][] = [
    ['abc', 'invalid characters'],
    ['123', 'too short'],
    ['138-0013-800a', 'invalid characters'],
    ['', 'missing'],
    ['tel:', 'missing'],
    ['12345678901', 'not a valid number'],
  ];
  const mobile = (i: number) => `137${String(i).padStart(8, '0')}`;
  let duplicates = 0;
  for (let i = 0; i < 5000; i++) {
    const row = i + 2;
    if (i % 20 === 3) {
      lines.push(`Bad Email ${i},${mobile(i)},user${i}@example,bulk`);
      bad.set(row, ['E-mail', 'email is not a valid address']);
    } else if (i % 20 === 13) {
      const [cell, reason] = junk[Math.floor(i / 20) % junk.length]!;
      lines.push(`Junk ${i},${cell},junk${i}@example.com,bulk`);
      bad.set(row, ['Mobile', `phone: ${reason}`]);
    } else if (i % 100 === 99) {
      // The number of an earlier good row (from an earlier batch past row 2,050), written differently.
      const m = mobile(i >= 2050 ? i - 2050 : i - 50).slice(3);
      lines.push(`Again ${i},+86 137 ${m.slice(0, 4)} ${m.slice(4)},,bulk;again`);
      duplicates++;
    } else {
      lines.push(`客户${i},${mobile(i)},c${i}@example.com,bulk`);
    }
  }
  const res = await importCsv(app, csvBytes(lines), { key: tenant.key });
  assert.equal(res.status, 201, res.text);
  const r = res.body;
  assert.equal(r.total, 5000);
  assert.equal(r.total, r.created + r.updated + r.rejected.length);
  assert.equal(r.rejected.length, 500);
  const got = new Map(r.rejected.map((x: { row: number; column: string; reason: string }) => [x.row, [x.column, x.reason]]));
  assert.deepEqual(got, bad);
  assert.equal(duplicates, 50);
  assert.deepEqual({ created: r.created, updated: r.updated }, { created: 4450, updated: 50 });
  assert.equal(await contactCount(app, tenant.tenantId), 4450);
  const again = await byPhone(mobile(2099 - 2050), tenant.key);
  assert.equal(again?.name, 'Again 2099');
  assert.deepEqual(sorted(again!.tags), ['again', 'bulk']);
});
