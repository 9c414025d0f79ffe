// Rate limits, outages, and what the official client does about them by itself.
// By default (no numberOfApiCallRetries) it retries nothing: every 429 and 5xx reaches
// the caller. With numberOfApiCallRetries (1–6) its RetryDecorator retries 5xx after
// 200 ms × attempt, and a 429 only when body.policyName is TEN_SECONDLY_ROLLING (after
// 10 s × attempt) or body.message is "You have reached your secondly limit." (the search
// limit; after 1 s × attempt). A DAILY 429 is never retried. Retry-After is not read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHubspotSim } from './index.ts';
import { raw, simClient } from './testing.ts';

type ApiError = { code: number; body: Record<string, unknown>; headers: Record<string, string> };

test('every answer carries the X-HubSpot-RateLimit-* headers; search answers do not', async () => {
  const sim = await startHubspotSim({ rateLimits: { perTenSeconds: 190, daily: 1000 } });
  try {
    const res = await raw(sim, 'GET', '/crm/v3/objects/contacts');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-hubspot-ratelimit-max'), '190');
    assert.equal(res.headers.get('x-hubspot-ratelimit-remaining'), '189');
    assert.equal(res.headers.get('x-hubspot-ratelimit-interval-milliseconds'), '10000');
    assert.equal(res.headers.get('x-hubspot-ratelimit-daily'), '1000');
    assert.equal(res.headers.get('x-hubspot-ratelimit-daily-remaining'), '999');
    const search = await raw(sim, 'POST', '/crm/v3/objects/contacts/search', {});
    assert.equal(search.status, 200);
    assert.equal(search.headers.get('x-hubspot-ratelimit-max'), null);
  } finally {
    await sim.close();
  }
});

test('over the ten-second window: 429 TEN_SECONDLY_ROLLING, per token; the default client does not retry it', async () => {
  const other = 'pat-na1-second-app';
  const sim = await startHubspotSim({ rateLimits: { perTenSeconds: 5 }, extraTokens: [other] });
  try {
    const client = simClient(sim);
    for (let i = 0; i < 5; i++) await client.crm.contacts.basicApi.getPage();
    const before = sim.requests().length;
    await assert.rejects(client.crm.contacts.basicApi.getPage(), (err: ApiError) => {
      assert.equal(err.code, 429);
      assert.equal(err.body.message, 'You have reached your ten_secondly_rolling limit.');
      assert.equal(err.body.policyName, 'TEN_SECONDLY_ROLLING', 'the client passes the body through as parsed');
      assert.equal(err.headers['x-hubspot-ratelimit-remaining'], '0');
      return true;
    });
    assert.equal(sim.requests().length - before, 1, 'one request: no automatic retry by default');
    const rawRes = await raw(sim, 'GET', '/crm/v3/objects/contacts');
    assert.equal(rawRes.status, 429);
    assert.equal(rawRes.json?.policyName, 'TEN_SECONDLY_ROLLING');
    assert.equal(rawRes.json?.errorType, 'RATE_LIMIT');
    // Another token (another app) has its own window.
    assert.equal((await raw(sim, 'GET', '/crm/v3/objects/contacts', undefined, other)).status, 200);
  } finally {
    await sim.close();
  }
});

test('with numberOfApiCallRetries the client waits 10 s and retries a TEN_SECONDLY_ROLLING 429', async () => {
  const sim = await startHubspotSim({ rateLimits: { perTenSeconds: 2 } });
  try {
    const client = simClient(sim, { numberOfApiCallRetries: 2 });
    await client.crm.contacts.basicApi.getPage();
    await client.crm.contacts.basicApi.getPage();
    const started = Date.now();
    await client.crm.contacts.basicApi.getPage();
    assert.ok(Date.now() - started >= 10_000, 'the retry waited out the window');
    assert.deepEqual(
      sim.requests().map((r) => r.status),
      [200, 200, 429, 200],
    );
  } finally {
    await sim.close();
  }
});

test('over the daily allowance: 429 DAILY', async () => {
  const sim = await startHubspotSim({ rateLimits: { daily: 2, perTenSeconds: 0 } });
  try {
    await raw(sim, 'GET', '/crm/v3/objects/contacts');
    await raw(sim, 'GET', '/crm/v3/objects/contacts');
    const res = await raw(sim, 'GET', '/crm/v3/objects/contacts');
    assert.equal(res.status, 429);
    assert.equal(res.json?.policyName, 'DAILY');
    assert.equal(res.headers.get('x-hubspot-ratelimit-daily-remaining'), '0');
    const before = sim.requests().length;
    await assert.rejects(
      simClient(sim, { numberOfApiCallRetries: 3 }).crm.contacts.basicApi.getPage(),
      (err: ApiError) => err.code === 429 && err.body.policyName === 'DAILY',
    );
    assert.equal(sim.requests().length - before, 1, 'even with retries on, a DAILY 429 is not retried');
  } finally {
    await sim.close();
  }
});

test("the search limit's 429 is the one the client retries (after 1 s)", async () => {
  const sim = await startHubspotSim({ rateLimits: { searchPerSecond: 1, perTenSeconds: 0 } });
  try {
    const client = simClient(sim, { numberOfApiCallRetries: 2 });
    await client.crm.contacts.searchApi.doSearch({});
    const started = Date.now();
    const res = await client.crm.contacts.searchApi.doSearch({});
    assert.equal(res.total, 0);
    assert.ok(Date.now() - started >= 900, 'waited for the next second');
    assert.deepEqual(
      sim.requests().map((r) => r.status),
      [200, 429, 200],
    );
    await new Promise((r) => setTimeout(r, 1100));
    const noRetry = simClient(sim);
    await noRetry.crm.contacts.searchApi.doSearch({});
    await assert.rejects(
      noRetry.crm.contacts.searchApi.doSearch({}),
      (err: ApiError) => err.code === 429 && err.body.message === 'You have reached your secondly limit.',
    );
  } finally {
    await sim.close();
  }
});

test('failFor(): an outage answers everything with the status, then ends; the client retries 5xx only when asked', async () => {
  const sim = await startHubspotSim({ rateLimits: false });
  try {
    sim.failFor(300, 503);
    await assert.rejects(simClient(sim).crm.contacts.basicApi.getPage(), (err: ApiError) => err.code === 503);
    assert.equal((await fetch(`${sim.url}/crm/v3/objects/contacts`)).status, 503, 'even before auth');
    // 200 ms, then 400 ms: the third attempt lands after the outage.
    const patient = simClient(sim, { numberOfApiCallRetries: 3 });
    const page = await patient.crm.contacts.basicApi.getPage();
    assert.deepEqual(page.results, []);
    assert.ok(sim.requests().filter((r) => r.status === 503).length >= 3);
    sim.failFor(10_000, 502);
    await assert.rejects(simClient(sim).crm.contacts.basicApi.getPage(), (err: ApiError) => err.code === 502);
    sim.failFor(0);
    assert.equal((await raw(sim, 'GET', '/crm/v3/objects/contacts')).status, 200);
  } finally {
    await sim.close();
  }
});
