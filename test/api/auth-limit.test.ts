// Guessing API keys is slow: after 20 failed authentications a minute from one address, that
// address gets 429 (RATE_LIMITED, Retry-After) on REST, tRPC, uploads and exports until the
// window ends; the count is shared through Redis between API processes; requests that succeed,
// and requests that present no key at all, cost nothing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { testApp, type TestApp } from '../support/app.ts';
import { assertProblem, assertTrpcError, trpcQuery } from '../support/api.ts';
import { newKey } from '../support/data.ts';

const wrongKey = () => `chl_${randomBytes(24).toString('base64url')}`;
const guess = (app: TestApp) => app.request('GET', '/v1/contacts', { key: wrongKey() });

async function withApp<T>(options: Parameters<typeof testApp>[0], fn: (app: TestApp) => Promise<T>): Promise<T> {
  const app = await testApp(options);
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

function assertRateLimited(res: Awaited<ReturnType<TestApp['request']>>, windowSeconds = 60) {
  assertProblem(res, 429, 'RATE_LIMITED', 'Authorization');
  const retryAfter = Number(res.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= windowSeconds, `Retry-After: ${res.headers.get('retry-after')}`);
}

test('20 wrong keys a minute are answered 401; then the address gets 429 everywhere it authenticates, a right key included', async () => {
  await withApp({}, async (app) => {
    for (let i = 0; i < 20; i++) assertProblem(await guess(app), 401, 'UNAUTHENTICATED', 'Authorization');
    assertRateLimited(await guess(app));
    // Otherwise the 429 itself would tell a guessed key that works from one that does not.
    assertRateLimited(await app.request('GET', '/v1/contacts'));
    assertRateLimited(await app.request('POST', '/v1/imports', { raw: 'name,phone\n', headers: { 'content-type': 'text/csv' } }));
    assertRateLimited(await app.request('GET', '/v1/exports/contacts'));
    const trpc = await trpcQuery(app, 'contacts.list', {}, wrongKey());
    assertTrpcError(trpc, 429, 'TOO_MANY_REQUESTS', 'RATE_LIMITED', 'Authorization');
    assert.ok(Number(trpc.headers.get('retry-after')) >= 1, 'tRPC answers carry Retry-After too');
    // Nothing that does not authenticate is affected.
    assert.equal((await app.request('GET', '/healthz', { key: null })).status, 200);
  });
});

test('guesses sent all at once are counted as they come: no more than 20 get an answer', async () => {
  await withApp({}, async (app) => {
    const answers = await Promise.all(Array.from({ length: 60 }, () => guess(app)));
    const statuses = answers.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 401).length, 20, statuses.join(' '));
    assert.equal(statuses.filter((s) => s === 429).length, 40);
  });
});

test('a tRPC batch with a wrong key is one failure, not one per procedure', async () => {
  await withApp({ authLimit: { points: 3 } }, async (app) => {
    const batch = () =>
      fetch(`${app.url}/trpc/contacts.list,segments.list,campaigns.list,lines.list?batch=1&input=${encodeURIComponent('{}')}`, {
        headers: { authorization: `Bearer ${wrongKey()}` },
      });
    for (let i = 0; i < 3; i++) assert.equal((await batch()).status, 401, `batch ${i + 1}`);
    assert.equal((await batch()).status, 429);
  });
});

test('successful requests cost nothing, and neither do requests without any key', async () => {
  await withApp({ authLimit: { points: 5 } }, async (app) => {
    const viewer = await newKey(app, 'viewer');
    for (let i = 0; i < 40; i++) assert.equal((await app.request('GET', '/v1/contacts', { key: viewer.key })).status, 200);
    for (let i = 0; i < 40; i++) assertProblem(await app.request('GET', '/v1/contacts', { key: null }), 401, 'UNAUTHENTICATED');
    for (let i = 0; i < 5; i++) assert.equal((await guess(app)).status, 401, `guess ${i + 1}`);
    assert.equal((await guess(app)).status, 429);
  });
});

test('the limit lasts its window, then the address may try again', async () => {
  await withApp({ authLimit: { points: 2, durationSeconds: 1 } }, async (app) => {
    assert.equal((await guess(app)).status, 401);
    assert.equal((await guess(app)).status, 401);
    assertRateLimited(await app.request('GET', '/v1/contacts'), 1);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    assert.equal((await app.request('GET', '/v1/contacts')).status, 200);
  });
});

test('two API processes on one Redis share the count', { skip: process.env.REDIS_URL ? false : 'needs REDIS_URL' }, async () => {
  const shared = { keyPrefix: `chaseline-test:${randomBytes(6).toString('hex')}:auth-failures`, points: 4 };
  await withApp({ authLimit: shared }, async (a) => {
    await withApp({ authLimit: shared }, async (b) => {
      for (let i = 0; i < 2; i++) assert.equal((await guess(a)).status, 401);
      for (let i = 0; i < 2; i++) assert.equal((await guess(b)).status, 401);
      assertRateLimited(await guess(a));
      assertRateLimited(await b.request('GET', '/v1/contacts'));
    });
  });
});

test('/metrics wants CHASELINE_METRICS_TOKEN when it is set', async () => {
  const token = randomBytes(24).toString('hex');
  await withApp({ metricsToken: token }, async (app) => {
    const none = await app.request('GET', '/metrics', { key: null });
    assertProblem(none, 401, 'UNAUTHENTICATED', 'Authorization');
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.doesNotMatch(none.text, /chaseline_http_request_duration_seconds/);
    assertProblem(await app.request('GET', '/metrics', { key: `${token}x` }), 401, 'UNAUTHENTICATED');
    // An API key is not the metrics token.
    assertProblem(await app.request('GET', '/metrics', { key: app.adminKey }), 401, 'UNAUTHENTICATED');
    const ok = await app.request('GET', '/metrics', { key: token });
    assert.equal(ok.status, 200);
    assert.match(ok.text, /^# HELP/m);
  });
});
