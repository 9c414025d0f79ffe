// GET /openapi.json is a valid OpenAPI 3.1 document describing every route the app
// serves; /docs serves Swagger UI from local assets; /metrics speaks Prometheus.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { procedures } from '../../api/procedures/index.ts';
import { testApp, type TestApp } from '../support/app.ts';
import type { Body } from '../support/api.ts';

let app: TestApp;
let spec: Body;
before(async () => {
  app = await testApp();
  const res = await app.request('GET', '/openapi.json', { key: null });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  spec = res.body;
});
after(() => app?.close());

/** Every REST route the app serves: the JSON procedures plus the two file routes. */
const served = [
  ...procedures.map((p) => ({ method: p.method, path: p.path })),
  { method: 'post', path: '/v1/imports' },
  { method: 'get', path: '/v1/exports/contacts' },
];
const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

test('the document is valid OpenAPI 3.1, served without a key', async () => {
  assert.equal(spec.openapi, '3.1.0');
  const validator = new Validator();
  const result = await validator.validate(spec);
  assert.deepEqual(result.errors, undefined, JSON.stringify(result.errors, null, 2)?.slice(0, 3000));
  assert.equal(result.valid, true);
  assert.equal(validator.version, '3.1');
});

test('every served route is in paths with its method, and nothing else is', () => {
  assert.ok(served.length >= 16);
  const documented = new Set<string>();
  for (const [path, item] of Object.entries<Record<string, unknown>>(spec.paths)) {
    for (const method of Object.keys(item)) documented.add(`${method} ${path}`);
  }
  for (const { method, path } of served) {
    assert.ok(documented.has(`${method} ${openApiPath(path)}`), `${method.toUpperCase()} ${path} is missing from /openapi.json`);
  }
  assert.equal(documented.size, served.length, `documented but not served: ${[...documented].join(', ')}`);
  for (const required of ['post /v1/tenants', 'delete /v1/api-keys/{id}', 'get /v1/contacts/{id}', 'post /v1/contacts/validate', 'get /v1/audit-log']) {
    assert.ok(documented.has(required), required);
  }
});

test('every documented operation is really served (no 404 route-miss)', async () => {
  const anId = '00000000-0000-4000-8000-000000000000';
  for (const [path, item] of Object.entries<Record<string, unknown>>(spec.paths)) {
    for (const method of Object.keys(item)) {
      const url = path.replace(/\{\w+\}/g, anId);
      const res = await app.request(method.toUpperCase(), url, { key: null });
      // Without a key every real route answers 401; an unknown one would be 404.
      assert.equal(res.status, 401, `${method.toUpperCase()} ${url}: ${res.text.slice(0, 200)}`);
    }
  }
});

test('operations are complete: ids, path parameters, responses, errors, Idempotency-Key', () => {
  const ids = new Set<string>();
  for (const [path, item] of Object.entries<Record<string, Body>>(spec.paths)) {
    for (const [method, op] of Object.entries<Body>(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      assert.ok(op.operationId, `${where} has an operationId`);
      assert.ok(!ids.has(op.operationId), `${op.operationId} is unique`);
      ids.add(op.operationId);
      for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
        const param = (op.parameters ?? []).find((p: Body) => p.in === 'path' && p.name === name);
        assert.ok(param?.required, `${where} declares path parameter ${name}`);
      }
      const statuses = Object.keys(op.responses);
      assert.ok(
        statuses.some((s) => s.startsWith('2')),
        `${where} has a success response`,
      );
      for (const s of ['400', '401', '403']) assert.ok(statuses.includes(s), `${where} documents ${s}`);
      assert.deepEqual(op.responses['401'].content['application/problem+json'].schema, { $ref: '#/components/schemas/Problem' });
    }
  }
  for (const p of procedures) {
    const op = spec.paths[openApiPath(p.path)][p.method];
    assert.equal(op.operationId, p.name, 'operationId is the tRPC name');
    const idem = (op.parameters ?? []).some((x: Body) => x.in === 'header' && x.name === 'Idempotency-Key');
    assert.equal(idem, Boolean(p.creates), `${p.name}: Idempotency-Key documented iff honoured`);
    for (const s of p.statuses ?? [200]) assert.ok(op.responses[String(s)], `${p.name} documents ${s}`);
  }
  assert.ok(spec.paths['/v1/imports'].post.responses['413'], 'the upload documents 413');
  assert.ok(spec.paths['/v1/imports'].post.requestBody.content['multipart/form-data']);
  assert.ok(spec.paths['/v1/imports'].post.requestBody.content['text/csv']);
});

test('request bodies and query parameters describe what the API accepts', () => {
  const upsert = spec.paths['/v1/contacts'].post.requestBody.content['application/json'].schema;
  assert.deepEqual([...upsert.required].sort(), ['name', 'phone']);
  assert.equal(upsert.properties.tags.type, 'array');
  const list = spec.paths['/v1/contacts'].get.parameters;
  const limit = list.find((p: Body) => p.name === 'limit');
  assert.equal(limit.in, 'query');
  assert.equal(limit.schema.minimum, 1);
  assert.equal(limit.schema.maximum, 500);
  // Path parameters are not repeated in the body or the query string.
  const get = spec.paths['/v1/contacts/{id}'].get.parameters;
  assert.deepEqual(
    get.map((p: Body) => `${p.in}:${p.name}`),
    ['path:id'],
  );
  assert.equal(spec.components.securitySchemes.apiKey.scheme, 'bearer');
});

test('every $ref points at a schema that exists', () => {
  const refs = new Set<string>();
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string') refs.add(v);
        else walk(v);
      }
    }
  };
  walk(spec);
  assert.ok(refs.size > 0);
  for (const ref of refs) {
    assert.match(ref, /^#\/components\/schemas\/[\w.-]+$/, `${ref} is a local component reference`);
    const name = ref.split('/').pop()!;
    assert.ok(spec.components.schemas[name], `${ref} exists`);
  }
  for (const name of ['Problem', 'Contact', 'Tenant', 'NewApiKey', 'ApiKey', 'ImportResult', 'OptOut', 'PhoneCheck']) {
    assert.ok(spec.components.schemas[name], `component ${name}`);
  }
  assert.deepEqual([...spec.components.schemas.Problem.required].sort(), ['code', 'detail', 'status', 'title', 'type']);
});

test('/docs is Swagger UI over /openapi.json, with its assets served locally', async () => {
  const docs = await app.request('GET', '/docs', { key: null });
  assert.equal(docs.status, 200);
  assert.match(docs.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(docs.text, /<script src="\/docs\/assets\/swagger-ui-bundle\.js"><\/script>/);
  assert.doesNotMatch(docs.text, /https?:\/\//, 'no CDN');

  const bundle = await app.request('GET', '/docs/assets/swagger-ui-bundle.js', { key: null });
  assert.equal(bundle.status, 200);
  assert.match(bundle.headers.get('content-type') ?? '', /javascript/);
  assert.ok(bundle.text.length > 100_000);
  assert.match(bundle.text, /SwaggerUIBundle/);

  const css = await app.request('GET', '/docs/assets/swagger-ui.css', { key: null });
  assert.equal(css.status, 200);
  assert.match(css.headers.get('content-type') ?? '', /text\/css/);

  const init = await app.request('GET', '/docs/init.js', { key: null });
  assert.equal(init.status, 200);
  assert.match(init.headers.get('content-type') ?? '', /javascript/);
  assert.match(init.text, /url: '\/openapi\.json'/);
});

test('/metrics is Prometheus text with request durations by route pattern', async () => {
  const id = '00000000-0000-4000-8000-00000000abcd';
  assert.equal((await app.request('GET', `/v1/contacts/${id}`)).status, 404);
  assert.equal((await app.request('GET', '/v1/contacts')).status, 200);
  const res = await app.request('GET', '/metrics', { key: null });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  assert.match(res.text, /^# TYPE chaseline_http_request_duration_seconds histogram$/m);
  assert.match(res.text, /^chaseline_http_request_duration_seconds_count\{method="GET",route="\/v1\/contacts",status="200"\} [1-9]/m);
  assert.match(res.text, /^chaseline_http_request_duration_seconds_count\{method="GET",route="\/v1\/contacts\/:id",status="404"\} 1$/m);
  assert.ok(!res.text.includes(id), 'ids never become label values');
  assert.match(res.text, /^process_cpu_user_seconds_total /m, 'default process metrics too');
});
