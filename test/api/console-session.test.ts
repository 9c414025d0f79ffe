// The console's sign-in over the real HTTP server: an API key is exchanged once for an HttpOnly,
// SameSite=Strict session cookie that REST and tRPC accept in place of the key; writes made with
// it need the session's CSRF token and our own Origin; roles hold; revoking the key or signing
// out ends the session; failed sign-ins are rate limited; only a hash of the session id is stored.
// Also /app itself: the build served with long-cached assets, a no-store index.html for every
// console path, and a page saying it is being built when there is no build yet.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../support/app.ts';
import { campaignBody, newKey, type KeyInfo } from '../support/data.ts';

let app: TestApp;
let operator: KeyInfo;
let viewer: KeyInfo;
let dist: string;

before(async () => {
  dist = await mkdtemp(path.join(os.tmpdir(), 'console-dist-'));
  await mkdir(path.join(dist, 'assets'));
  await writeFile(
    path.join(dist, 'index.html'),
    '<!doctype html><html><head><title>Chaseline</title><script type="module" src="/app/assets/index-abc123.js"></script></head><body></body></html>',
  );
  await writeFile(path.join(dist, 'assets', 'index-abc123.js'), 'console.log("hi")');
  app = await testApp({ engine: { worker: false }, consoleDist: dist, authLimit: { points: 5 } });
  operator = await newKey(app, 'operator');
  viewer = await newKey(app, 'viewer');
});
after(() => app?.close());

interface Signed {
  cookie: string;
  csrf: string;
  setCookie: string;
  body: Record<string, unknown>;
}

async function signIn(key: string, headers: Record<string, string> = {}): Promise<Signed> {
  const res = await fetch(`${app.url}/app/session`, { method: 'POST', headers: { authorization: `Bearer ${key}`, ...headers } });
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(res.status, 201, JSON.stringify(body));
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  return { cookie, csrf: String(body.csrfToken), setCookie, body };
}

const withSession = (s: Signed, method: string, url: string, options: { body?: unknown; csrf?: boolean; headers?: Record<string, string> } = {}) =>
  fetch(`${app.url}${url}`, {
    method,
    headers: {
      cookie: s.cookie,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.csrf === false ? {} : { 'x-csrf-token': s.csrf }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });

describe('sign-in', () => {
  test('a key becomes an HttpOnly SameSite=Strict cookie; the answer carries the role and a CSRF token, never the key', { timeout: 30_000 }, async () => {
    const s = await signIn(operator.key);
    assert.match(s.setCookie, /^chaseline_session=[\w-]{43};/);
    assert.match(s.setCookie, /HttpOnly/i);
    assert.match(s.setCookie, /SameSite=Strict/i);
    assert.doesNotMatch(s.setCookie, /Secure/i, 'plain http on a laptop: a Secure cookie would never come back');
    assert.equal(s.body.role, 'operator');
    assert.equal(s.body.csrfHeader, 'X-CSRF-Token');
    assert.ok(!JSON.stringify(s.body).includes(operator.key), 'the key is not echoed');

    const me = await withSession(s, 'GET', '/app/session');
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { csrfToken: string }).csrfToken, s.csrf, 'the page can read the token again after a reload');

    const id = s.cookie.split('=')[1]!;
    const { rows } = await app.deps.db.query<{ n: number }>(`select count(*)::int as n from sessions where encode(id_hash, 'escape') like '%' || $1 || '%'`, [
      id,
    ]);
    assert.equal(rows[0]!.n, 0, 'the session id itself is not stored');
    assert.ok(!app.logs.join('\n').includes(id), 'nor logged');
  });

  test('behind a TLS-terminating proxy the cookie is Secure', { timeout: 30_000 }, async () => {
    const s = await signIn(operator.key, { 'x-forwarded-proto': 'https' });
    assert.match(s.setCookie, /Secure/i);
  });

  test('a wrong key is 401 and, repeated, runs into the limit on failed authentications (429)', { timeout: 30_000 }, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await fetch(`${app.url}/app/session`, { method: 'POST', headers: { authorization: 'Bearer chl_wrong', 'x-forwarded-for': '10.9.9.9' } });
      statuses.push(res.status);
    }
    assert.equal(statuses[0], 401);
    assert.equal(statuses.at(-1), 429, statuses.join(','));
  });

  test('signing in from another site is refused (Origin)', { timeout: 30_000 }, async () => {
    const res = await fetch(`${app.url}/app/session`, { method: 'POST', headers: { authorization: `Bearer ${operator.key}`, origin: 'https://evil.example' } });
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { field: string }).field, 'Origin');
  });
});

describe('the cookie in place of the key', () => {
  test('REST and tRPC reads work with the cookie alone', { timeout: 30_000 }, async () => {
    const s = await signIn(viewer.key);
    assert.equal((await withSession(s, 'GET', '/v1/campaigns', { csrf: false })).status, 200);
    assert.equal((await withSession(s, 'GET', '/trpc/campaigns.list?input=%7B%7D', { csrf: false })).status, 200);
  });

  test('a write needs the CSRF token and our Origin; with both it goes through', { timeout: 30_000 }, async () => {
    const s = await signIn(operator.key);
    const noToken = await withSession(s, 'POST', '/v1/campaigns', { body: campaignBody({ name: 'No token' }), csrf: false });
    assert.equal(noToken.status, 403);
    assert.equal(((await noToken.json()) as { field: string }).field, 'X-CSRF-Token');

    const wrongToken = await withSession(s, 'POST', '/v1/campaigns', {
      body: campaignBody({ name: 'Wrong' }),
      csrf: false,
      headers: { 'x-csrf-token': 'x'.repeat(43) },
    });
    assert.equal(wrongToken.status, 403);

    const foreign = await withSession(s, 'POST', '/v1/campaigns', { body: campaignBody({ name: 'Foreign' }), headers: { origin: 'https://evil.example' } });
    assert.equal(foreign.status, 403);
    assert.equal(((await foreign.json()) as { field: string }).field, 'Origin');

    const trpcNoToken = await withSession(s, 'POST', '/trpc/campaigns.create', { body: campaignBody({ name: 'tRPC no token' }), csrf: false });
    assert.equal(trpcNoToken.status, 403);
    assert.equal(((await trpcNoToken.json()) as { error: { data: { field: string } } }).error.data.field, 'X-CSRF-Token');

    const ok = await withSession(s, 'POST', '/v1/campaigns', { body: campaignBody({ name: 'With token' }), headers: { origin: app.url } });
    assert.equal(ok.status, 201, await ok.clone().text());
    const viaTrpc = await withSession(s, 'POST', '/trpc/campaigns.create', { body: campaignBody({ name: 'tRPC with token' }) });
    assert.equal(viaTrpc.status, 200, await viaTrpc.clone().text());

    const { rows } = await app.deps.db.query(`select name from campaigns where tenant_id = $1 and name in ('No token', 'Wrong', 'Foreign', 'tRPC no token')`, [
      app.tenantId,
    ]);
    assert.deepEqual(rows, [], 'nothing refused was written');
  });

  test("a viewer's session reads but cannot write, whatever the token", { timeout: 30_000 }, async () => {
    const s = await signIn(viewer.key);
    const res = await withSession(s, 'POST', '/v1/campaigns', { body: campaignBody({ name: 'Viewer' }) });
    assert.equal(res.status, 403);
  });

  test('revoking the key ends its sessions; signing out ends one and clears the cookie', { timeout: 30_000 }, async () => {
    const doomed = await newKey(app, 'operator');
    const s = await signIn(doomed.key);
    assert.equal((await withSession(s, 'GET', '/v1/campaigns')).status, 200);
    assert.equal((await app.request('DELETE', `/v1/api-keys/${doomed.id}`)).status, 200);
    assert.equal((await withSession(s, 'GET', '/v1/campaigns')).status, 401);
    assert.deepEqual(await (await withSession(s, 'GET', '/app/session')).json(), { signedIn: false });

    const t = await signIn(operator.key);
    const out = await withSession(t, 'DELETE', '/app/session', { csrf: false });
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie') ?? '', /chaseline_session=;.*Expires=Thu, 01 Jan 1970/i);
    assert.equal((await withSession(t, 'GET', '/v1/campaigns')).status, 401, 'the old cookie no longer works');
  });

  test('a key in Authorization wins over a cookie (API clients are unaffected)', { timeout: 30_000 }, async () => {
    const s = await signIn(viewer.key);
    const res = await fetch(`${app.url}/v1/campaigns`, {
      method: 'POST',
      headers: { cookie: s.cookie, authorization: `Bearer ${operator.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(campaignBody({ name: 'By key' })),
    });
    assert.equal(res.status, 201);
  });
});

describe('/app', () => {
  test('every console path answers index.html, not cached, under a CSP of self; hashed assets are cached for a year', { timeout: 30_000 }, async () => {
    for (const p of ['/app', '/app/', '/app/campaigns', '/app/chases/123']) {
      const res = await fetch(`${app.url}${p}`);
      assert.equal(res.status, 200, p);
      assert.match(await res.text(), /<title>Chaseline<\/title>/);
      assert.equal(res.headers.get('cache-control'), 'no-store', p);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /default-src 'self'/);
    }
    const asset = await fetch(`${app.url}/app/assets/index-abc123.js`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('cache-control') ?? '', /max-age=31536000, immutable/);
    assert.equal((await fetch(`${app.url}/app/assets/missing-1.js`)).status, 404, 'a missing asset is 404, not index.html');
  });

  test('without a build, /app says it is being built (503, Retry-After)', { timeout: 30_000 }, async () => {
    const bare = await testApp({ consoleDist: path.join(dist, 'nothing-here') });
    try {
      const res = await fetch(`${bare.url}/app/campaigns`);
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '3');
      assert.match(await res.text(), /being built/);
    } finally {
      await bare.close();
    }
  });
});
