// What every response tells the browser and the caches in between: no sniffing, no framing,
// a Content-Security-Policy the docs page lives under, HSTS only over TLS, and no caching of
// anything that may carry a name or a number.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { cnMobile } from '../support/api.ts';

let app: TestApp;
before(async () => {
  app = await testEngineApp({ worker: false });
});
after(() => app?.close());

const directives = (csp: string) =>
  new Map(
    csp
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => [d.split(/\s+/)[0]!, d.split(/\s+/).slice(1)]),
  );

describe('security headers', () => {
  const paths: [string, string, (string | null)?][] = [
    ['GET', '/healthz'],
    ['GET', '/v1/contacts'],
    ['GET', '/v1/contacts', null], // 401
    ['GET', '/v1/nothing-here'], // 404
    ['GET', '/trpc/contacts.list'],
    ['GET', '/docs', null],
    ['GET', '/docs/init.js', null],
    ['GET', '/docs/assets/swagger-ui.css', null],
    ['GET', '/openapi.json', null],
    ['GET', '/l/no-such-link', null],
    ['GET', '/metrics', null],
    ['POST', '/webhooks/twilio/sms', null], // 403: unsigned
  ];
  for (const [method, path, key] of paths) {
    test(`${method} ${path}${key === null ? ' (no key)' : ''}`, async () => {
      const res = await app.request(method, path, { key });
      const h = res.headers;
      assert.equal(h.get('x-content-type-options'), 'nosniff');
      assert.equal(h.get('x-frame-options'), 'DENY');
      const csp = directives(h.get('content-security-policy') ?? '');
      assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
      assert.deepEqual(csp.get('default-src'), ["'self'"]);
      assert.deepEqual(csp.get('object-src'), ["'none'"]);
      assert.equal(h.get('strict-transport-security'), null, 'no HSTS over plain http');
      assert.equal(h.get('x-powered-by'), null);
    });
  }
});

test('HSTS when the request came over TLS (X-Forwarded-Proto: https from the trusted local proxy)', async () => {
  const res = await app.request('GET', '/healthz', { headers: { 'x-forwarded-proto': 'https' } });
  assert.match(res.headers.get('strict-transport-security') ?? '', /^max-age=\d{7,}; includeSubDomains$/);
});

describe('Cache-Control: no-store on everything that may carry personal data', () => {
  test('REST answers, errors and idempotent replays', async () => {
    const contact = { name: 'Cache Person', phone: cnMobile(4711) };
    const created = await app.request('POST', '/v1/contacts', { body: contact, headers: { 'idempotency-key': 'cache-1' } });
    const replay = await app.request('POST', '/v1/contacts', { body: contact, headers: { 'idempotency-key': 'cache-1' } });
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    const responses = [
      created,
      replay,
      await app.request('GET', `/v1/contacts/${created.body.id}`),
      await app.request('GET', '/v1/contacts'),
      await app.request('GET', '/v1/contacts', { key: null }),
      await app.request('GET', '/v1/exports/contacts'),
      await app.request('GET', '/trpc/contacts.list'),
      await app.request('POST', `/webhooks/twilio/voice?attempt=00000000-0000-4000-8000-000000000000`, { key: null }),
    ];
    for (const res of responses) assert.equal(res.headers.get('cache-control'), 'no-store', `${res.status} ${res.text.slice(0, 80)}`);
    assert.equal(responses[5]!.status, 200, 'the export (the data itself) was served');
  });

  test("the docs' static assets may still be cached (they are the same for everyone)", async () => {
    const res = await app.request('GET', '/docs/assets/swagger-ui-bundle.js', { key: null });
    assert.match(res.headers.get('cache-control') ?? '', /max-age=86400/);
  });
});

test('/docs works under its CSP: no inline script, only same-origin scripts and styles, and Swagger UI does not keep the key', async () => {
  const docs = await app.request('GET', '/docs', { key: null });
  const csp = directives(docs.headers.get('content-security-policy') ?? '');
  assert.deepEqual(csp.get('script-src'), ["'self'"], 'no inline or eval script allowed');
  for (const [, attrs, body] of docs.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)) {
    assert.match(attrs!, /src="\/[^/]/, 'every script is a same-origin file');
    assert.equal(body!.trim(), '', 'no inline script');
  }
  assert.doesNotMatch(docs.text, /\son\w+=/i, 'no inline event handlers');
  for (const [, href] of docs.text.matchAll(/<link[^>]*href="([^"]+)"/g)) assert.match(href!, /^\/[^/]/);
  // What the page loads is served here, with the types a CSP-enforcing browser (nosniff) accepts.
  for (const [, src] of docs.text.matchAll(/src="([^"]+)"/g)) {
    const res = await app.request('GET', src!, { key: null });
    assert.equal(res.status, 200, src);
    assert.match(res.headers.get('content-type') ?? '', /javascript/, src);
  }
  const init = await app.request('GET', '/docs/init.js', { key: null });
  assert.match(init.text, /persistAuthorization: false/);
  assert.doesNotMatch(init.text, /persistAuthorization: true/);
});
