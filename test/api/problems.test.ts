// Every kind of bad request answers application/problem+json (RFC 9457) with a stable code
// and the offending field; an unexpected failure shows an errorId that is in the logs.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../support/app.ts';
import { assertProblem, cnMobile, createKey } from '../support/api.ts';

let app: TestApp;
before(async () => {
  app = await testApp();
});
after(() => app?.close());

const post = (path: string, body: unknown) => app.request('POST', path, { body });
const contact = (extra: Record<string, unknown> = {}) => ({ name: 'Pat', phone: cnMobile(1), ...extra });

describe('JSON bodies', () => {
  test('malformed JSON is 400 MALFORMED_JSON naming the body', async () => {
    for (const raw of ['{"name": "Pat", ', '{name: 1}', '"just a string"', ' ', "{'a': 1}"]) {
      const res = await app.request('POST', '/v1/contacts', { raw, headers: { 'content-type': 'application/json' } });
      assertProblem(res, 400, 'MALFORMED_JSON', 'body');
    }
  });

  test('a JSON array instead of an object is 400 naming the body', async () => {
    assertProblem(await post('/v1/contacts', [contact()]), 400, 'VALIDATION', 'body');
  });

  test('each wrong field is named, with every problem listed', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [contact({ tags: 'x' }), 'tags'],
      [contact({ tags: ['ok', ''] }), 'tags.1'],
      [{ name: 'Pat' }, 'phone'],
      [contact({ phone: 13800138000 }), 'phone'],
      [contact({ name: '   ' }), 'name'],
      [contact({ email: 'not-an-email' }), 'email'],
      [contact({ timeZone: 'Mars/Olympus_Mons' }), 'timeZone'],
      [contact({ country: 'ZZ' }), 'country'],
      [contact({ id: 'not-a-uuid' }), 'id'],
      [contact({ crm: { system: 'hubspot' } }), 'crm.externalId'],
      [contact({ attributes: [1, 2] }), 'attributes'],
    ];
    for (const [body, field] of cases) {
      assertProblem(await post('/v1/contacts', body), 400, 'VALIDATION', field);
    }
    const several = await post('/v1/contacts', { tags: 'x' });
    assertProblem(several, 400, 'VALIDATION');
    const fields = several.body.errors.map((e: { field: string }) => e.field).sort();
    assert.deepEqual(fields, ['name', 'phone', 'tags']);
  });

  test('an invalid phone is 400 naming phone, with the reason', async () => {
    const reasons: [string, RegExp][] = [
      ['12', /too short/],
      ['call me', /invalid characters/],
      ['+999 1234 5678', /invalid country code/],
      ['1380013800', /not a valid number|too short/],
    ];
    for (const [phone, reason] of reasons) {
      const res = await post('/v1/contacts', contact({ phone }));
      assertProblem(res, 400, 'VALIDATION', 'phone');
      assert.match(res.body.detail, reason, `${phone}: ${res.body.detail}`);
    }
    assertProblem(await post('/v1/opt-outs', { phone: 'nope' }), 400, 'VALIDATION', 'phone');
    assertProblem(await app.request('GET', '/v1/contacts?phone=12'), 400, 'VALIDATION', 'phone');
    const nothing = await app.request('GET', '/v1/contacts');
    assert.deepEqual(nothing.body.items, [], 'no bad contact was stored');
  });

  test('bad query parameters are named: cursor, limit, id', async () => {
    for (const path of ['/v1/contacts?cursor=garbage', '/v1/opt-outs?cursor=garbage', '/v1/audit-log?cursor=garbage']) {
      assertProblem(await app.request('GET', path), 400, 'VALIDATION', 'cursor');
    }
    for (const limit of ['0', '-1', '501', 'ten', '1.5']) {
      assertProblem(await app.request('GET', `/v1/contacts?limit=${limit}`), 400, 'VALIDATION', 'limit');
    }
    assertProblem(await app.request('GET', '/v1/contacts/not-a-uuid'), 400, 'VALIDATION', 'id');
    assertProblem(await app.request('DELETE', '/v1/api-keys/42'), 400, 'VALIDATION', 'id');
    assertProblem(await app.request('GET', '/v1/imports/x'), 400, 'VALIDATION', 'id');
  });

  test('a JSON body over 1 MB is 413', async () => {
    const res = await post('/v1/contacts', contact({ attributes: { blob: 'x'.repeat(1_100_000) } }));
    assertProblem(res, 413, 'PAYLOAD_TOO_LARGE', 'body');
  });

  test('a problem carries the request id the response header has', async () => {
    const res = await app.request('GET', '/v1/contacts?limit=0', { headers: { 'x-request-id': 'trace-problem-1' } });
    assert.equal(res.headers.get('x-request-id'), 'trace-problem-1');
    assert.equal(res.body.requestId, 'trace-problem-1');
    assert.equal(res.body.instance, '/v1/contacts');
  });
});

describe('routes, auth and media types', () => {
  test('an unknown route is a 404 problem', async () => {
    for (const [method, path] of [
      ['GET', '/v1/nothing-here'],
      ['POST', '/v1/contacts/x/y'],
      ['GET', '/nowhere'],
      ['PUT', '/v1/contacts'],
    ]) {
      const res = await app.request(method!, path!, { key: null });
      assertProblem(res, 404, 'NOT_FOUND');
      assert.match(res.body.detail, new RegExp(`${method} ${path!.replace(/\//g, '\\/')}`));
    }
  });

  test('401 and 403 are problems too', async () => {
    assertProblem(await app.request('GET', '/v1/contacts', { key: null }), 401, 'UNAUTHENTICATED', 'Authorization');
    assertProblem(await app.request('GET', '/v1/contacts', { key: 'chl_nope' }), 401, 'UNAUTHENTICATED', 'Authorization');
    const viewer = await createKey(app, 'viewer');
    const res = await app.request('POST', '/v1/contacts', { key: viewer.key, body: contact() });
    assertProblem(res, 403, 'FORBIDDEN');
    assert.match(res.body.detail, /operator/, 'says which role is needed');
  });

  test('JSON routes refuse other media types with 415 naming Content-Type', async () => {
    const asText = await app.request('POST', '/v1/contacts', { raw: JSON.stringify(contact()), headers: { 'content-type': 'text/plain' } });
    assertProblem(asText, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type');
    const form = await app.request('PATCH', '/v1/tenants/current', { raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assertProblem(form, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type');
    assert.equal((await app.request('GET', '/v1/tenants/current')).body.name, 'default', 'nothing was changed');
  });

  test('imports refuse JSON with 415', async () => {
    const res = await app.request('POST', '/v1/imports', { body: { phone: cnMobile(2) } });
    assertProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type');
  });
});

describe('file uploads', () => {
  const csvHeaders = { 'content-type': 'text/csv' };

  test('bad import options are named', async () => {
    const body = `phone\n${cnMobile(3)}\n`;
    assertProblem(await app.request('POST', '/v1/imports?kind=everything', { raw: body, headers: csvHeaders }), 400, 'VALIDATION', 'kind');
    assertProblem(await app.request('POST', '/v1/imports?defaultRegion=XX', { raw: body, headers: csvHeaders }), 400, 'VALIDATION', 'defaultRegion');
  });

  test('multipart without a "file" field is 400 naming file', async () => {
    const form = new FormData();
    form.append('upload', new Blob([`phone\n${cnMobile(4)}\n`], { type: 'text/csv' }), 'contacts.csv');
    form.append('note', 'hello');
    assertProblem(await app.request('POST', '/v1/imports', { raw: form }), 400, 'VALIDATION', 'file');
  });

  test('a CSV with no phone column is 400 naming file, and says what it found', async () => {
    const res = await app.request('POST', '/v1/imports', { raw: 'name,email\nPat,pat@example.com\n', headers: csvHeaders });
    assertProblem(res, 400, 'VALIDATION', 'file');
    assert.match(res.body.detail, /phone/);
    assert.match(res.body.detail, /name, email/);
  });

  describe('over the upload limit', () => {
    let small: TestApp;
    before(async () => {
      small = await testApp({ maxUploadBytes: 1024 });
    });
    after(() => small?.close());

    const bigCsv = () => ['name,phone', ...Array.from({ length: 300 }, (_, i) => `Person ${i},${cnMobile(100 + i)}`)].join('\n');
    /** Sends `body` in chunks with no Content-Length (chunked), so only the streaming limit can catch it. */
    const streamed = (body: string, contentType: string, chunk = 512) => {
      const bytes = new TextEncoder().encode(body);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += chunk) controller.enqueue(bytes.slice(i, i + chunk));
          controller.close();
        },
      });
      const init = { method: 'POST', headers: { authorization: `Bearer ${small.adminKey}`, 'content-type': contentType }, body: stream, duplex: 'half' };
      return fetch(`${small.url}/v1/imports`, init as RequestInit);
    };
    const asProblem = async (res: Response) => {
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: JSON.parse(text), text };
    };
    const contactCount = async () => (await small.request('GET', '/v1/contacts?limit=500')).body.items.length as number;

    test('a 5 KB text/csv body is 413', async () => {
      const body = bigCsv();
      assert.ok(body.length > 5 * 1024, `${body.length} bytes`);
      assertProblem(await small.request('POST', '/v1/imports', { raw: body, headers: csvHeaders }), 413, 'PAYLOAD_TOO_LARGE', 'file');
      assertProblem(await asProblem(await streamed(body, 'text/csv')), 413, 'PAYLOAD_TOO_LARGE', 'file');
      assertProblem(await asProblem(await streamed(body, 'text/csv', body.length)), 413, 'PAYLOAD_TOO_LARGE', 'file');
      assert.equal(await contactCount(), 0);
    });

    test('the 413 states the limit truthfully', async () => {
      const res = await small.request('POST', '/v1/imports', { raw: bigCsv(), headers: csvHeaders });
      assertProblem(res, 413, 'PAYLOAD_TOO_LARGE', 'file');
      assert.doesNotMatch(res.body.detail, /\b0 MB/, `a 1 KB limit is not "0 MB": ${res.body.detail}`);
    });

    test('a 5 KB multipart file is 413', async () => {
      const form = new FormData();
      form.append('file', new Blob([bigCsv()], { type: 'text/csv' }), 'big.csv');
      assertProblem(await small.request('POST', '/v1/imports', { raw: form }), 413, 'PAYLOAD_TOO_LARGE', 'file');

      const boundary = 'chaselineboundary42';
      const multipart = [
        `--${boundary}`,
        'Content-Disposition: form-data; name="file"; filename="big.csv"',
        'Content-Type: text/csv',
        '',
        bigCsv(),
        `--${boundary}--`,
        '',
      ].join('\r\n');
      // A server process has no uncaughtException handler: an error thrown here kills the API.
      const thrown: unknown[] = [];
      const onUncaught = (err: unknown) => thrown.push(err);
      process.on('uncaughtException', onUncaught);
      try {
        const res = await streamed(multipart, `multipart/form-data; boundary=${boundary}`);
        assertProblem(await asProblem(res), 413, 'PAYLOAD_TOO_LARGE', 'file');
        await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        process.off('uncaughtException', onUncaught);
      }
      assert.deepEqual(thrown.map(String), [], 'an oversize multipart upload must not raise an uncaught exception (it would crash the server)');
      assert.equal(await contactCount(), 0);
    });

    test('a Content-Length over the limit is refused before the body is read', async () => {
      const res = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
        const req = http.request(`${small.url}/v1/imports`, {
          method: 'POST',
          headers: { authorization: `Bearer ${small.adminKey}`, 'content-type': 'text/csv', 'content-length': String(50 * 1048576) },
        });
        req.on('response', (r) => {
          let body = '';
          r.setEncoding('utf8');
          r.on('data', (c: string) => (body += c));
          r.on('end', () => {
            resolve({ status: r.statusCode!, type: String(r.headers['content-type']), body });
            req.destroy();
          });
        });
        req.on('error', reject);
        req.write('name,phone\n'); // the rest never comes: the answer must not wait for it
      });
      assert.equal(res.status, 413);
      assert.match(res.type, /^application\/problem\+json/);
      assert.equal(JSON.parse(res.body).code, 'PAYLOAD_TOO_LARGE');
    });

    test('a file under the limit still imports', async () => {
      const res = await small.request('POST', '/v1/imports', { raw: `name,phone\nSmall,${cnMobile(9)}\n`, headers: csvHeaders });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.created, 1);
    });
  });
});

describe('unexpected failures', () => {
  test('a 500 hides the cause and shows an errorId that is in the logs', async () => {
    // Break the database under the running app (no product code changed), then restore it.
    await app.db.pool.query('alter table audit_log rename to audit_log_broken');
    let res;
    try {
      res = await app.request('GET', '/v1/audit-log');
    } finally {
      await app.db.pool.query('alter table audit_log_broken rename to audit_log');
    }
    assertProblem(res, 500, 'INTERNAL');
    assert.doesNotMatch(res.text, /audit_log|relation|select/i, 'no SQL or internals in the response');
    assert.match(res.body.errorId, /^[0-9a-f-]{36}$/);
    const logged = app.logs.filter((line) => line.includes(res.body.errorId));
    assert.ok(logged.length > 0, 'the errorId is in the log');
    assert.ok(
      logged.some((line) => /audit_log/.test(line)),
      'and the log line carries the cause',
    );
    assert.equal((await app.request('GET', '/v1/audit-log')).status, 200, 'restored');
  });
});
