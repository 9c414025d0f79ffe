import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { importFile } from './imports.ts';
import { listContacts } from '../contacts/contacts.ts';
import type { ImportRow, ImportSource } from './rows.ts';
import type { Actor } from '../deps.ts';
import { testApp, type TestApp } from '../../test/support/app.ts';

let app: TestApp;
let actor: Actor;
before(async () => {
  app = await testApp();
  actor = { tenantId: app.tenantId, keyId: '00000000-0000-0000-0000-000000000000', role: 'admin', canManageTenants: false };
});
after(() => app.close());

const source = (rows: ImportRow[]): ImportSource => ({
  columns: { name: '姓名', phone: '手机号', tags: '标签' },
  headers: ['姓名', '手机号', '标签'],
  rows: (async function* () {
    yield* rows;
  })(),
});

test('with tiny batches written two at a time, a later row still wins over an earlier one with the same number', async () => {
  // The same numbers recur across many batches, in different spellings.
  const numbers = ['13800138000', '13900139000', '15012345678'];
  const rows: ImportRow[] = [];
  for (let i = 0; i < 60; i++) {
    const n = numbers[i % 3]!;
    const phone = i % 2 ? `+86 ${n.slice(0, 3)} ${n.slice(3, 7)} ${n.slice(7)}` : n;
    rows.push({ row: i + 2, fields: { name: `第${i}行`, phone, tags: `t${i}` }, attributes: { 序号: String(i) } });
  }
  const result = await importFile(app.deps, actor, source(rows), { batchSize: 2 });
  assert.deepEqual(
    { total: result.total, created: result.created, updated: result.updated, rejected: result.rejected },
    {
      total: 60,
      created: 3,
      updated: 57,
      rejected: [],
    },
  );
  const { items } = await listContacts(app.deps, app.tenantId, { limit: 10 });
  const byPhone = new Map(items.map((c) => [c.phone, c]));
  for (const [k, n] of numbers.entries()) {
    const last = 57 + k; // the last row carrying this number
    const contact = byPhone.get(`+86${n}`)!;
    assert.equal(contact.name, `第${last}行`, `+86${n} keeps the last row's name`);
    assert.equal(contact.attributes['序号'], String(last));
    assert.equal(contact.tags.length, 20, 'tags accumulate over every row with the number');
  }
});
