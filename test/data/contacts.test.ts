import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { upsertContact } from '../../core/contacts/contacts.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { contactCount, listAll, newKey, newTenant } from '../support/data.ts';

let app: TestApp;
before(async () => {
  app = await testApp();
});
after(() => app.close());

const post = (body: unknown, key?: string) => app.request('POST', '/v1/contacts', { body, key });

describe('POST /v1/contacts upserts', () => {
  test('one number written three ways is one contact: created once, then updated', async () => {
    const first = await post({ name: '王小明', phone: '+86 138-0013-8000', email: 'wang.xm@example.cn' });
    assert.equal(first.status, 201, first.text);
    assert.equal(first.body.phone, '+8613800138000');
    assert.equal(first.body.phoneValid, true);
    assert.equal(first.body.dialable, true);

    for (const [phone, name] of [
      ['13800138000', '王小明 (Sales)'],
      ['１３８ ００１３ ８０００', '王晓明'],
      ['0086 138 0013 8000', '王晓明'],
    ]) {
      const again = await post({ name, phone });
      assert.equal(again.status, 200, `${phone}: ${again.text}`);
      assert.equal(again.body.id, first.body.id, `${phone} found a different contact`);
      assert.equal(again.body.name, name);
      assert.equal(again.body.email, 'wang.xm@example.cn', 'an update without email keeps the stored one');
    }
    const found = await app.request('GET', `/v1/contacts?phone=${encodeURIComponent('138 0013 8000')}`);
    assert.deepEqual(
      found.body.items.map((c: { id: string }) => c.id),
      [first.body.id],
    );
  });

  test('by id: changes the number of that very contact; an unknown id is 404', async () => {
    const made = await post({ name: 'Olivia Martínez', phone: '+34 612 345 678', email: 'olivia.martinez@example.es' });
    assert.equal(made.status, 201, made.text);
    const moved = await post({ id: made.body.id, name: 'Olivia Martínez', phone: '+44 7400 123456' });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.id, made.body.id);
    assert.equal(moved.body.phone, '+447400123456');
    assert.equal(moved.body.phoneCountry, 'GB');
    // The old number no longer leads to her; the new one does.
    const byOld = await app.request('GET', `/v1/contacts?phone=${encodeURIComponent('+34612345678')}`);
    assert.deepEqual(byOld.body.items, []);
    const byNew = await app.request('GET', `/v1/contacts?phone=${encodeURIComponent('+447400123456')}`);
    assert.deepEqual(
      byNew.body.items.map((c: { id: string }) => c.id),
      [made.body.id],
    );

    const missing = await post({ id: '0b5c8d7e-3f2a-4c1b-9e8d-7a6b5c4d3e2f', name: 'Nobody', phone: '+14155552671' });
    assert.equal(missing.status, 404, missing.text);
    assert.equal(missing.body.field, 'id');
  });

  test('by CRM reference: the same HubSpot record with a new number updates the same contact', async () => {
    const crm = { system: 'hubspot', externalId: '51234' };
    const made = await post({ name: 'Priya Raman', phone: '+91 98765 43210', crm });
    assert.equal(made.status, 201, made.text);
    assert.deepEqual(made.body.crm, [crm]);
    const changed = await post({ name: 'Priya Raman', phone: '+1 (415) 555-2671', crm });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(changed.body.id, made.body.id);
    assert.equal(changed.body.phone, '+14155552671');
    const byRef = await app.request('GET', '/v1/contacts?crmSystem=hubspot&externalId=51234');
    assert.deepEqual(
      byRef.body.items.map((c: { phone: string }) => c.phone),
      ['+14155552671'],
    );
    // Another system's record with the same external id is someone else.
    const other = await post({ name: 'Carlos Souza', phone: '+55 11 91234-5678', crm: { system: 'salesforce', externalId: '51234' } });
    assert.equal(other.status, 201, other.text);
    assert.notEqual(other.body.id, made.body.id);

    // A Salesforce record with Priya's number links to her rather than making a twin.
    const sf = { system: 'salesforce', externalId: '0035g00000AbCdE' };
    const linked = await post({ name: 'Priya Raman', phone: '+1 415-555-2671', crm: sf });
    assert.equal(linked.status, 200, linked.text);
    assert.equal(linked.body.id, made.body.id);
    assert.deepEqual(
      linked.body.crm,
      [crm, sf].sort((a, b) => a.system.localeCompare(b.system)),
    );
    // Moving her HubSpot record onto Carlos's number would merge two people: refused.
    const clash = await post({ name: 'Priya Raman', phone: '+55 11 91234-5678', crm });
    assert.equal(clash.status, 409, clash.text);
    assert.equal(clash.body.field, 'phone');
    const still = await app.request('GET', `/v1/contacts/${made.body.id}`);
    assert.equal(still.body.phone, '+14155552671');
  });

  test('tags are replaced when given and kept when not; attributes merge key by key', async () => {
    const made = await post({ name: '李娜', phone: '15912345678', tags: ['VIP', '北京', ' VIP '], attributes: { plan: 'gold', city: '北京' } });
    assert.equal(made.status, 201, made.text);
    assert.deepEqual([...made.body.tags].sort(), ['VIP', '北京'].sort());
    const noTags = await post({ name: '李娜', phone: '15912345678', attributes: { city: '上海', orders: 3 } });
    assert.deepEqual([...noTags.body.tags].sort(), ['VIP', '北京'].sort());
    assert.deepEqual(noTags.body.attributes, { plan: 'gold', city: '上海', orders: 3 });
    const replaced = await post({ name: '李娜', phone: '15912345678', tags: ['churn-risk'] });
    assert.deepEqual(replaced.body.tags, ['churn-risk']);
    assert.deepEqual(replaced.body.attributes, { plan: 'gold', city: '上海', orders: 3 });
    const cleared = await post({ name: '李娜', phone: '15912345678', tags: [] });
    assert.deepEqual(cleared.body.tags, []);
  });

  test('email, time zone and country are checked and canonicalised', async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ email: 'zhang.wei@@example.com' }, 'email'],
      [{ email: 'not an email' }, 'email'],
      [{ timeZone: 'Asia/Beijing' }, 'timeZone'],
      [{ timeZone: 'GMT+25' }, 'timeZone'],
      [{ country: 'ZZ' }, 'country'],
      [{ country: 'China' }, 'country'],
    ];
    const before = await contactCount(app);
    for (const [fields, field] of bad) {
      const res = await post({ name: 'Hannah Schmidt', phone: '+49 30 901820', ...fields });
      assert.equal(res.status, 400, `${JSON.stringify(fields)}: ${res.text}`);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.equal(res.body.field, field, JSON.stringify(fields));
    }
    assert.equal(await contactCount(app), before, 'a rejected request stores nothing');

    const ok = await post({ name: 'Hannah Schmidt', phone: '+49 30 901820', email: ' hannah.schmidt@example.de ', timeZone: 'europe/berlin', country: 'de' });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.body.email, 'hannah.schmidt@example.de');
    assert.equal(ok.body.timeZone, 'Europe/Berlin');
    assert.equal(ok.body.country, 'DE');
  });

  test('number type and country of the number are stored', async () => {
    const cases: [string, string, string, string][] = [
      ['13912345678', '+8613912345678', 'mobile', 'CN'],
      ['010-6552 9988', '+861065529988', 'fixed_line', 'CN'],
      ['0755-8888 1234', '+8675588881234', 'fixed_line', 'CN'],
      ['+81 90-1234-5678', '+819012345678', 'mobile', 'JP'],
      ['+44 20 7946 0958', '+442079460958', 'fixed_line', 'GB'],
      ['+1 650-253-0000', '+16502530000', 'fixed_line_or_mobile', 'US'],
    ];
    for (const [phone, e164, type, country] of cases) {
      const res = await post({ name: `Typed ${phone}`, phone });
      assert.equal(res.status, 201, res.text);
      const got = await app.request('GET', `/v1/contacts/${res.body.id}`);
      assert.equal(got.body.phone, e164);
      assert.equal(got.body.phoneType, type, phone);
      assert.equal(got.body.phoneCountry, country, phone);
      assert.equal(got.body.country, country, 'country defaults to the number’s');
    }
  });
});

describe('numbers that are not numbers', () => {
  test('a CRM-synced contact with a bad number is kept, flagged and never dialable', async () => {
    const { contact, created } = await upsertContact(
      app.deps,
      app.tenantId,
      { name: 'Broken Number Ltd', phone: '12ab', crm: { system: 'hubspot', externalId: '1' } },
      'crm',
    );
    assert.equal(created, true);
    assert.equal(contact.phoneValid, false);
    assert.equal(contact.phoneInvalidReason, 'invalid characters');
    assert.equal(contact.dialable, false);
    assert.equal(contact.phone, '12ab', 'the number is kept as the CRM had it');
    const stored = await app.request('GET', `/v1/contacts/${contact.id}`);
    assert.equal(stored.body.phoneValid, false);
    assert.equal(stored.body.dialable, false);

    // When the CRM record is fixed, the same contact becomes dialable.
    const fixed = await upsertContact(
      app.deps,
      app.tenantId,
      { name: 'Broken Number Ltd', phone: '021-6437 7777', crm: { system: 'hubspot', externalId: '1' } },
      'crm',
    );
    assert.equal(fixed.contact.id, contact.id);
    assert.equal(fixed.created, false);
    assert.equal(fixed.contact.phoneValid, true);
    assert.equal(fixed.contact.phoneInvalidReason, null);
    assert.equal(fixed.contact.dialable, true);
  });

  test('the same bad number through the API is a 400 naming the phone, and nothing is stored', async () => {
    const before = await contactCount(app);
    for (const phone of ['12ab', '123', '138-0013-800a', '12345678901']) {
      const res = await post({ name: 'Zhou Jie', phone, crm: { system: 'hubspot', externalId: '77' } });
      assert.equal(res.status, 400, `${phone}: ${res.text}`);
      assert.equal(res.body.field, 'phone');
      assert.equal(res.body.code, 'VALIDATION');
    }
    assert.equal(await contactCount(app), before);
  });

  test('POST /v1/contacts/validate answers in input order and stores nothing', async () => {
    const before = await contactCount(app);
    const phones = ['+86 138-0013-8000', 'abc', '010 6552 9988', '123', '+1 (650) 253-0000', '', '１５９１２３４５６７８', '12345678901'];
    const res = await app.request('POST', '/v1/contacts/validate', { body: { defaultRegion: 'CN', phones } });
    assert.equal(res.status, 200, res.text);
    const results = res.body.results as Record<string, unknown>[];
    assert.deepEqual(
      results.map((r) => r.input),
      phones,
    );
    const summary = results.map((r) => [r.valid, r.e164, r.type, r.reason]);
    assert.deepEqual(summary, [
      [true, '+8613800138000', 'mobile', null],
      [false, null, null, 'invalid characters'],
      [true, '+861065529988', 'fixed_line', null],
      [false, null, null, 'too short'],
      [true, '+16502530000', 'fixed_line_or_mobile', null],
      [false, null, null, 'missing'],
      [true, '+8615912345678', 'mobile', null],
      [false, null, null, 'not a valid number'],
    ]);
    // Another region reads national numbers differently.
    const us = await app.request('POST', '/v1/contacts/validate', { body: { defaultRegion: 'us', phones: ['(415) 555-2671'] } });
    assert.equal(us.body.results[0].e164, '+14155552671');
    assert.equal(await contactCount(app), before, 'validate must not create contacts');

    const viewer = await newKey(app, 'viewer');
    const asViewer = await app.request('POST', '/v1/contacts/validate', { key: viewer.key, body: { phones: ['13800138000'] } });
    assert.equal(asViewer.status, 200, asViewer.text);
    assert.equal(asViewer.body.results[0].e164, '+8613800138000', 'defaults to the tenant region (CN)');
  });
});

describe('GET /v1/contacts', () => {
  test('pages with limit and nextCursor visit every contact exactly once; tag and phone filters', async () => {
    const tenant = await newTenant(app, 'Paging Co');
    const made = new Set<string>();
    for (let i = 0; i < 23; i++) {
      const phone = i % 2 ? `+86 139 ${String(1000_0000 + i * 7919).slice(0, 8)}` : `(212) 555-${String(1000 + i).padStart(4, '0')}`;
      const tags = i % 3 === 0 ? ['华东', 'VIP'] : ['华南'];
      const res = await post({ name: `客户 ${i}`, phone: i % 2 ? phone : `+1 ${phone}`, tags }, tenant.key);
      assert.equal(res.status, 201, res.text);
      made.add(res.body.id);
    }
    for (const limit of [1, 5, 7, 23, 50]) {
      const { items, pages } = await listAll<{ id: string }>(app, '/v1/contacts', { key: tenant.key, limit });
      const ids = items.map((c) => c.id);
      assert.equal(ids.length, made.size, `limit ${limit}: ${ids.length} items`);
      assert.deepEqual(new Set(ids), made, `limit ${limit}`);
      assert.equal(pages, Math.max(1, Math.ceil(made.size / limit)), `limit ${limit}: pages`);
    }
    // The default tenant's contacts are not in another tenant's list.
    const own = await listAll<{ id: string }>(app, '/v1/contacts');
    assert.ok(own.items.every((c) => !made.has(c.id)));

    const vip = await listAll<{ tags: string[] }>(app, `/v1/contacts?tag=${encodeURIComponent('VIP')}`, { key: tenant.key, limit: 3 });
    assert.equal(vip.items.length, 8);
    assert.ok(vip.items.every((c) => c.tags.includes('VIP')));
    const none = await app.request('GET', '/v1/contacts?tag=vip', { key: tenant.key });
    assert.deepEqual(none.body.items, [], 'tags match exactly');

    const byPhone = await app.request('GET', `/v1/contacts?phone=${encodeURIComponent('+1 212-555-1000')}`, { key: tenant.key });
    assert.deepEqual(
      byPhone.body.items.map((c: { name: string }) => c.name),
      ['客户 0'],
    );
    const badPhone = await app.request('GET', '/v1/contacts?phone=abc', { key: tenant.key });
    assert.equal(badPhone.status, 400);
    assert.equal(badPhone.body.field, 'phone');
    const badCursor = await app.request('GET', '/v1/contacts?cursor=not-a-cursor', { key: tenant.key });
    assert.equal(badCursor.status, 400);
    assert.equal(badCursor.body.field, 'cursor');
  });
});
