// What a client can send that the database cannot hold: NUL and lone surrogates in any text,
// JSON nested thousands deep, bodies that lie about their encoding, cursors past bigint. Each is
// a 4xx naming where, on REST and tRPC alike, and nothing of it is stored.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../support/app.ts';
import { assertProblem, assertTrpcError, cnMobile, trpcMutation, trpcQuery } from '../support/api.ts';
import { campaignBody } from '../support/data.ts';
import { deepJson } from '../support/fuzz.ts';

let app: TestApp;
before(async () => {
  app = await testApp({ engine: { worker: false } });
});
after(() => app?.close());

const contact = (extra: Record<string, unknown> = {}) => ({ name: 'Pat', phone: cnMobile(1), ...extra });
const post = (path: string, body: unknown, headers?: Record<string, string>) => app.request('POST', path, { body, headers });
/** JSON text as sent: JSON.stringify writes a lone surrogate as the escape `\ud800`, as a client would. */
const raw = (method: string, path: string, text: string, headers: Record<string, string> = {}) =>
  app.request(method, path, { raw: text, headers: { 'content-type': 'application/json', ...headers } });

describe('NUL and lone surrogates', () => {
  test('in any field of any resource: 400 naming the field by its dotted path, over REST', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/v1/contacts', contact({ attributes: { note: 'a\u0000b' } }), 'attributes.note'],
      ['POST', '/v1/contacts', contact({ tags: ['ok', 'fine', 'bad\ud800'] }), 'tags.2'],
      ['POST', '/v1/contacts', contact({ name: 'Pa\u0000t' }), 'name'],
      ['POST', '/v1/contacts', contact({ crm: { system: 'hubspot', externalId: '1\u0000' } }), 'crm.externalId'],
      ['POST', '/v1/contacts', contact({ attributes: { 'no\u0000te': 'x' } }), 'attributes.no\uFFFDte'],
      ['POST', '/v1/tenants', { name: 'Shop\udc00', defaultRegion: 'CN' }, 'name'],
      ['PATCH', '/v1/tenants/current', { name: '\u0000' }, 'name'],
      ['POST', '/v1/api-keys', { role: 'viewer', name: 'k\u0000' }, 'name'],
      ['POST', '/v1/segments', { name: 'seg\u0000', definition: { kind: 'rules', tiers: [{ name: 't', when: { tag: 'a' } }] } }, 'name'],
      ['POST', '/v1/segments', { name: 'seg', definition: { kind: 'rules', tiers: [{ name: 't', when: { tag: 'a\ud800' } }] } }, 'definition.tiers.0.when.tag'],
      ['POST', '/v1/campaigns', campaignBody({ name: 'C\u0000' }), 'name'],
      ['POST', '/v1/campaigns', campaignBody({ scripts: [{ name: 'default', say: 'Hi\ud800', sms: 'x' }] }), 'scripts.0.say'],
      ['POST', '/v1/lines', { name: 'line\u0000', fromNumber: '+14155550100' }, 'name'],
      ['POST', '/v1/opt-outs', { phone: cnMobile(2), note: 'by\u0000letter' }, 'note'],
      [
        'POST',
        '/v1/chases',
        { campaignId: '00000000-0000-0000-0000-000000000000', contact: { phone: cnMobile(3) }, context: { sku: 'A\u0000' } },
        'context.sku',
      ],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await raw(method, path, JSON.stringify(body));
      assertProblem(res, 400, 'VALIDATION', field);
      assert.match(res.body.detail, /NUL|surrogate/, `${path} ${field}: ${res.body.detail}`);
    }
    const contacts = (await app.request('GET', '/v1/contacts')).body.items;
    assert.deepEqual(contacts, [], 'no contact was stored');
    assert.equal((await app.request('GET', '/v1/tenants/current')).body.name, 'default');
  });

  test('in a query string: 400 naming the parameter (?tag=%00), on every route', async () => {
    assertProblem(await app.request('GET', '/v1/contacts?tag=%00'), 400, 'VALIDATION', 'tag');
    assertProblem(await app.request('GET', '/v1/contacts?externalId=a%00b&crmSystem=hubspot'), 400, 'VALIDATION', 'externalId');
    assertProblem(await app.request('GET', '/v1/opt-outs?phone=%00'), 400, 'VALIDATION', 'phone');
    const csv = `phone\n${cnMobile(4)}\n`;
    assertProblem(
      await app.request('POST', '/v1/imports?defaultRegion=%00', { raw: csv, headers: { 'content-type': 'text/csv' } }),
      400,
      'VALIDATION',
      'defaultRegion',
    );
  });

  test('over tRPC: the same 400 with data.code and data.field, for queries and mutations', async () => {
    assertTrpcError(
      await trpcMutation(app, 'contacts.upsert', contact({ attributes: { note: 'a\u0000b' } })),
      400,
      'BAD_REQUEST',
      'VALIDATION',
      'attributes.note',
    );
    assertTrpcError(await trpcMutation(app, 'contacts.upsert', contact({ tags: ['a', 'b', '\ud800'] })), 400, 'BAD_REQUEST', 'VALIDATION', 'tags.2');
    assertTrpcError(await trpcQuery(app, 'contacts.list', { tag: 'x\u0000' }), 400, 'BAD_REQUEST', 'VALIDATION', 'tag');
    assertTrpcError(await trpcMutation(app, 'tenants.update', '\u0000'), 400, 'BAD_REQUEST', 'VALIDATION', 'input');
    assert.deepEqual((await trpcQuery(app, 'contacts.list', {})).body.result.data.items, []);
    // A raw NUL in tRPC's own query string is its malformed input, answered in its own shape.
    const rawNul = await fetch(`${app.url}/trpc/contacts.list?input=%7B%7D%00`, { headers: { authorization: `Bearer ${app.adminKey}` } });
    assertTrpcError({ status: rawNul.status, headers: rawNul.headers, body: await rawNul.json() }, 400, 'PARSE_ERROR', 'MALFORMED_JSON', 'input');
  });

  test('text that is only unusual is kept as sent: emoji (surrogate pairs), CJK, control characters other than NUL', async () => {
    const res = await post('/v1/contacts', contact({ name: '张伟 😀', tags: ['vip✓'], attributes: { note: 'tab\there\u0001' } }));
    assert.equal(res.status, 201, res.text);
    const got = await app.request('GET', `/v1/contacts/${res.body.id}`);
    assert.equal(got.body.name, '张伟 😀');
    assert.deepEqual(got.body.tags, ['vip✓']);
    assert.equal(got.body.attributes.note, 'tab\there\u0001');
  });
});

describe('nesting', () => {
  test('JSON nested 5,000 deep in attributes or context is a 400 naming where, also behind an Idempotency-Key', async () => {
    const headers = { 'idempotency-key': 'deep-1' };
    const deepContact = `{"name":"Pat","phone":"${cnMobile(5)}","attributes":{"blob":${deepJson(5000)}}}`;
    const res = await raw('POST', '/v1/contacts', deepContact, headers);
    assertProblem(res, 400, 'VALIDATION');
    assert.match(res.body.field, /^attributes\.blob(\.a)+$/);
    assert.match(res.body.detail, /nested more than 64 levels/);
    const deepChase = `{"campaignId":"00000000-0000-0000-0000-000000000000","contact":{"phone":"${cnMobile(5)}"},"context":${deepJson(5000)}}`;
    assertProblem(await raw('POST', '/v1/chases', deepChase, headers), 400, 'VALIDATION');
    const viaTrpc = await fetch(`${app.url}/trpc/contacts.upsert`, {
      method: 'POST',
      body: deepContact,
      headers: { ...headers, 'content-type': 'application/json', authorization: `Bearer ${app.adminKey}` },
    });
    assertTrpcError({ status: viaTrpc.status, headers: viaTrpc.headers, body: await viaTrpc.json() }, 400, 'BAD_REQUEST', 'VALIDATION');
  });

  test('up to 64 levels is stored and read back whole', async () => {
    const text = `{"name":"Deep","phone":"${cnMobile(6)}","attributes":{"x":${deepJson(62, '[', ']')}}}`;
    const res = await raw('POST', '/v1/contacts', text);
    assert.equal(res.status, 201, res.text);
    assert.deepEqual((await app.request('GET', `/v1/contacts/${res.body.id}`)).body.attributes.x, JSON.parse(deepJson(62, '[', ']')));
    assertProblem(
      await raw('POST', '/v1/contacts', `{"name":"Deep","phone":"${cnMobile(6)}","attributes":{"x":${deepJson(63, '[', ']')}}}`),
      400,
      'VALIDATION',
    );
  });
});

describe('bodies that are not what they claim', () => {
  const body = JSON.stringify(contact({ phone: cnMobile(7) }));
  test('Content-Encoding: gzip on a body that is not gzip is 400; real gzip is read', async () => {
    assertProblem(await raw('POST', '/v1/contacts', body, { 'content-encoding': 'gzip' }), 400, 'VALIDATION', 'body');
    assertProblem(await raw('POST', '/v1/contacts', body, { 'content-encoding': 'deflate' }), 400, 'VALIDATION', 'body');
    const zipped = await app.request('POST', '/v1/contacts', {
      raw: new Uint8Array(gzipSync(body)),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    assert.equal(zipped.status, 201, zipped.text);
  });

  test('an unknown encoding or charset is 415 naming the header; over 1 MB is 413', async () => {
    assertProblem(await raw('POST', '/v1/contacts', body, { 'content-encoding': 'x-zip' }), 415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Encoding');
    assertProblem(
      await raw('POST', '/v1/contacts', body, { 'content-type': 'application/json; charset=x-nope' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'Content-Type',
    );
    assertProblem(await raw('POST', '/v1/contacts', JSON.stringify(contact({ note: 'x'.repeat(1_100_000) }))), 413, 'PAYLOAD_TOO_LARGE', 'body');
  });

  test('a path that is not valid percent-encoding is 400 naming the path', async () => {
    for (const bad of ['%zz', '%', '%ED%A0%80']) assertProblem(await app.request('GET', `/v1/contacts/${bad}`), 400, 'VALIDATION', 'path');
  });
});

describe('cursors', () => {
  const cursor = (key: string) => Buffer.from(`v1:${key}`).toString('base64url');
  test('a cursor that decodes past bigint is 400 naming cursor, on REST and tRPC', async () => {
    for (const key of ['99999999999999999999', '9223372036854775808', '-1', '1.5']) {
      assertProblem(await app.request('GET', `/v1/opt-outs?cursor=${cursor(key)}`), 400, 'VALIDATION', 'cursor');
      assertProblem(await app.request('GET', `/v1/audit-log?cursor=${cursor(key)}`), 400, 'VALIDATION', 'cursor');
      assertTrpcError(await trpcQuery(app, 'optOuts.list', { cursor: cursor(key) }), 400, 'BAD_REQUEST', 'VALIDATION', 'cursor');
      assertTrpcError(await trpcQuery(app, 'audit.list', { cursor: cursor(key) }), 400, 'BAD_REQUEST', 'VALIDATION', 'cursor');
    }
  });

  test('the largest bigint is still a position (an empty page), and real cursors page on', async () => {
    const last = await app.request('GET', `/v1/audit-log?cursor=${cursor('9223372036854775807')}`);
    assert.equal(last.status, 200, last.text);
    for (const n of [10, 11, 12]) assert.equal((await post('/v1/opt-outs', { phone: cnMobile(n) })).status, 201);
    const first = await app.request('GET', '/v1/opt-outs?limit=2');
    const second = await app.request('GET', `/v1/opt-outs?limit=2&cursor=${first.body.nextCursor}`);
    assert.equal(second.status, 200, second.text);
    assert.equal(first.body.items.length + second.body.items.length, 3);
  });
});
