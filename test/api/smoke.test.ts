import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testApp, type TestApp } from '../support/app.ts';

let app: TestApp;
before(async () => {
  app = await testApp();
});
after(() => app.close());

test('health, readiness and a request id on every response', async () => {
  const health = await app.request('GET', '/healthz', { key: null });
  assert.equal(health.status, 200);
  const ready = await app.request('GET', '/readyz', { key: null });
  assert.deepEqual(ready.body, { status: 'ready', checks: { database: 'ok' } });
  const traced = await app.request('GET', '/healthz', { key: null, headers: { 'x-request-id': 'trace-123' } });
  assert.equal(traced.headers.get('x-request-id'), 'trace-123');
});
