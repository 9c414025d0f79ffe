import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { optOutState, recordOptOuts, storedPhone, type Channel } from './consent.ts';
import { upsertContact } from '../contacts/contacts.ts';
import type { Actor } from '../deps.ts';
import { importFile } from '../imports/imports.ts';
import type { ImportRow, ImportSource } from '../imports/rows.ts';
import { testApp, type TestApp } from '../../test/support/app.ts';

let app: TestApp;
before(async () => {
  app = await testApp();
});
after(() => app.close());

const events = async (e164: string) => {
  const { rows } = await app.db.pool.query<{ id: string; channel: Channel; source: string }>(
    `select id::text, channel, source from consent_events where tenant_id = $1 and phone_hash = $2 order by id`,
    [app.tenantId, app.deps.pii.phoneIndex(e164)],
  );
  return rows;
};
const state = (e164: string) => optOutState(app.db.pool, app.tenantId, app.deps.pii.phoneIndex(e164));
const record = (e164: string, channel: Channel, source: 'api' | 'crm' | 'sms-stop' | 'voice-intent' | 'import' = 'api') =>
  recordOptOuts(app.deps, app.tenantId, [{ ...storedPhone(app.deps.pii, e164), channel, source }]);

describe('the consent ledger', () => {
  test('is append-only at the database: no UPDATE of what was recorded, no DELETE', async () => {
    const e164 = '+8613800138000';
    assert.deepEqual(await record(e164, 'voice', 'voice-intent'), [true]);
    const [event] = await events(e164);
    assert.ok(event);
    const attempts: [string, unknown[]][] = [
      [`update consent_events set channel = 'all' where tenant_id = $1 and id = $2`, [app.tenantId, event.id]],
      [`update consent_events set source = 'api' where tenant_id = $1 and id = $2`, [app.tenantId, event.id]],
      [`update consent_events set note = 'reopened' where tenant_id = $1 and id = $2`, [app.tenantId, event.id]],
      [`update consent_events set created_at = now() - interval '1 year' where tenant_id = $1 and id = $2`, [app.tenantId, event.id]],
      [`delete from consent_events where tenant_id = $1 and id = $2`, [app.tenantId, event.id]],
      [`delete from consent_events where tenant_id = $1`, [app.tenantId]],
    ];
    for (const [sql, params] of attempts) {
      await assert.rejects(app.db.pool.query(sql, params), /append-only/, sql);
    }
    assert.deepEqual(await events(e164), [event], 'the event is untouched');
    assert.deepEqual(await state(e164), { voice: true, sms: false });
    // Key rotation may rewrite the ciphertext and blind index of the very same event.
    const rewritten = await app.db.pool.query(`update consent_events set phone_enc = $3 where tenant_id = $1 and id = $2`, [
      app.tenantId,
      event.id,
      app.deps.pii.encrypt(e164),
    ]);
    assert.equal(rewritten.rowCount, 1);
  });

  test('recording an opt-out twice keeps one event; all covers voice and sms', async () => {
    const mobile = '+8615912345678';
    assert.deepEqual(await state(mobile), { voice: false, sms: false });
    assert.deepEqual(await record(mobile, 'sms', 'sms-stop'), [true]);
    assert.deepEqual(await record(mobile, 'sms', 'sms-stop'), [false]);
    assert.deepEqual(await state(mobile), { voice: false, sms: true });
    assert.deepEqual(await record(mobile, 'all', 'crm'), [true], 'all is wider than sms: a new event');
    assert.deepEqual(await record(mobile, 'voice', 'voice-intent'), [false], 'already covered by all');
    assert.deepEqual(await state(mobile), { voice: true, sms: true });
    assert.deepEqual(
      (await events(mobile)).map((e) => [e.channel, e.source]),
      [
        ['sms', 'sms-stop'],
        ['all', 'crm'],
      ],
    );

    // One batch naming the same number twice, on several channels.
    const uk = '+447400123456';
    const fresh = await recordOptOuts(app.deps, app.tenantId, [
      { ...storedPhone(app.deps.pii, uk), channel: 'voice', source: 'import' },
      { ...storedPhone(app.deps.pii, uk), channel: 'voice', source: 'import' },
      { ...storedPhone(app.deps.pii, '+14155552671'), channel: 'all', source: 'import' },
      { ...storedPhone(app.deps.pii, uk), channel: 'sms', source: 'import' },
    ]);
    assert.deepEqual(fresh, [true, false, true, true]);
    assert.deepEqual(await state(uk), { voice: true, sms: true });
    assert.deepEqual(await state('+14155552671'), { voice: true, sms: true });
    assert.deepEqual(await state('+14155552672'), { voice: false, sms: false }, 'a neighbouring number is not touched');
  });

  test('optOutState belongs to one tenant', async () => {
    const other = await app.request('POST', '/v1/tenants', { body: { name: 'Other tenant', defaultRegion: 'CN' } });
    assert.equal(other.status, 201, other.text);
    const mine = await optOutState(app.db.pool, other.body.id, app.deps.pii.phoneIndex('+8615912345678'));
    assert.deepEqual(mine, { voice: false, sms: false });
  });
});

describe('opt-out is sticky', () => {
  test('a later API upsert, CRM sync or import of the contact does not re-open it', async () => {
    const made = await app.request('POST', '/v1/contacts', { body: { name: '林黛玉', phone: '186 1234 5678', tags: ['回访'] } });
    assert.equal(made.status, 201, made.text);
    const opt = await app.request('POST', '/v1/opt-outs', { body: { phone: '+86 186-1234-5678', channel: 'all', note: '客户要求' } });
    assert.equal(opt.status, 201, opt.text);
    const afterOpt = await app.request('GET', `/v1/contacts/${made.body.id}`);
    assert.deepEqual([afterOpt.body.optedOut, afterOpt.body.dialable], [{ voice: true, sms: true }, false]);

    const api = await app.request('POST', '/v1/contacts', { body: { name: '林黛玉', phone: '18612345678', tags: ['重新激活'] } });
    assert.equal(api.status, 200, api.text);
    assert.deepEqual([api.body.optedOut, api.body.dialable], [{ voice: true, sms: true }, false]);

    const crm = await upsertContact(
      app.deps,
      app.tenantId,
      { name: 'Lin Daiyu', phone: '+8618612345678', crm: { system: 'salesforce', externalId: '003ABC' } },
      'crm',
    );
    assert.equal(crm.contact.id, made.body.id);
    assert.deepEqual([crm.contact.optedOut, crm.contact.dialable], [{ voice: true, sms: true }, false]);

    const actor: Actor = { tenantId: app.tenantId, keyId: '00000000-0000-0000-0000-000000000000', role: 'admin', canManageTenants: false };
    // What the file reader hands over for a sheet with one row (core stays free of connectors).
    const rows: ImportRow[] = [{ row: 2, fields: { name: '林黛玉', phone: '186-1234-5678', tags: '新客户' }, attributes: {} }];
    const source: ImportSource = {
      columns: { name: '姓名', phone: '手机号', tags: '标签' },
      headers: ['姓名', '手机号', '标签'],
      rows: (async function* () {
        yield* rows;
      })(),
    };
    const imported = await importFile(app.deps, actor, source);
    assert.deepEqual([imported.created, imported.updated], [0, 1]);

    const final = await app.request('GET', `/v1/contacts/${made.body.id}`);
    assert.deepEqual([final.body.optedOut, final.body.dialable], [{ voice: true, sms: true }, false]);
    assert.deepEqual(await state('+8618612345678'), { voice: true, sms: true });
    assert.equal((await events('+8618612345678')).length, 1);
  });

  test('an opt-out recorded before the contact exists applies once it is created', async () => {
    const opt = await app.request('POST', '/v1/opt-outs', { body: { phone: '+1 (212) 555-0143', channel: 'voice' } });
    assert.equal(opt.status, 201, opt.text);
    const made = await app.request('POST', '/v1/contacts', { body: { name: 'Marcus Brown', phone: '+12125550143' } });
    assert.equal(made.status, 201, made.text);
    assert.deepEqual([made.body.optedOut, made.body.dialable], [{ voice: true, sms: false }, true]);
  });
});

describe('POST /v1/opt-outs', () => {
  test('an invalid phone is a 400 naming the field, and records nothing', async () => {
    const before = (await app.db.pool.query(`select count(*)::int as n from consent_events`)).rows[0].n;
    for (const phone of ['12ab', '123', '138-0013-800a', '   ']) {
      const res = await app.request('POST', '/v1/opt-outs', { body: { phone, channel: 'all' } });
      assert.equal(res.status, 400, `${phone}: ${res.text}`);
      assert.equal(res.body.field, 'phone', phone);
      assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
    }
    const missing = await app.request('POST', '/v1/opt-outs', { body: { channel: 'sms' } });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.field, 'phone');
    const badChannel = await app.request('POST', '/v1/opt-outs', { body: { phone: '13912345678', channel: 'email' } });
    assert.equal(badChannel.status, 400);
    assert.equal(badChannel.body.field, 'channel');
    assert.equal((await app.db.pool.query(`select count(*)::int as n from consent_events`)).rows[0].n, before);
  });

  test('a repeated opt-out answers 200 with the existing entry, not 201', async () => {
    const first = await app.request('POST', '/v1/opt-outs', { body: { phone: '+33 6 12 34 56 78', channel: 'all' } });
    assert.equal(first.status, 201, first.text);
    assert.deepEqual([first.body.phone, first.body.channel, first.body.source], ['+33612345678', 'all', 'api']);
    for (const body of [{ phone: '+33612345678', channel: 'all' }, { phone: '0033 6 12 34 56 78', channel: 'voice' }, { phone: '+33 612345678' }]) {
      const again = await app.request('POST', '/v1/opt-outs', { body });
      assert.equal(again.status, 200, `${JSON.stringify(body)}: ${again.text}`);
      assert.equal(again.body.id, first.body.id);
    }
    const listed = await app.request('GET', `/v1/opt-outs?phone=${encodeURIComponent('+33612345678')}`);
    assert.equal(listed.body.items.length, 1);
  });

  test('concurrent opt-outs of one number record exactly one event', async () => {
    const phones = ['13700001111', '+86 137 0000 1111', '137-0000-1111', '８６１３７００００１１１１', '+8613700001111', '0086 137 0000 1111'];
    const results = await Promise.all(phones.map((phone) => app.request('POST', '/v1/opt-outs', { body: { phone, channel: 'sms' } })));
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 201], results.map((r) => r.text).join('\n'));
    assert.equal(new Set(results.map((r) => r.body.id)).size, 1);
    assert.equal((await events('+8613700001111')).length, 1);
  });
});
