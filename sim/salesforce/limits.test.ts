// What goes wrong: a bad token (401), an outage (jsforce retries GETs, not POSTs), and
// the daily API request allowance (403 REQUEST_LIMIT_EXCEEDED, Sforce-Limit-Info).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSalesforceSim, type SalesforceSim } from './index.ts';
import { simConnection } from './sdk.ts';

let sim: SalesforceSim;
let clock = Date.parse('2026-03-02T09:00:00Z');

before(async () => {
  sim = await startSalesforceSim({ now: () => clock, dailyApiLimit: 5 });
  sim.insert('Contact', [{ LastName: 'Hamilton', Phone: '+14155550101' }]);
});
after(() => sim.close());

const errorOf = async (p: PromiseLike<unknown>) =>
  Promise.resolve(p).then(
    () => undefined,
    (err: { errorCode?: string; message: string }) => err,
  );

test('a wrong token is 401 INVALID_SESSION_ID, not counted, and the client does not loop', async () => {
  const conn = await simConnection(sim, '62.0', '00D000000000001!AQ0wrong');
  const err = await errorOf(conn.query('SELECT Id FROM Contact'));
  assert.equal(err?.errorCode, 'INVALID_SESSION_ID');
  assert.equal(err?.message, 'Session expired or invalid');
  const raw = await fetch(`${sim.url}/services/data/v62.0/query?q=SELECT+Id+FROM+Contact`);
  assert.equal(raw.status, 401);
  assert.deepEqual(await raw.json(), [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  assert.equal(sim.requests().filter((r) => r.status === 401).length, 2);
  assert.equal(sim.apiUsage().used, 0);
});

test('an outage: jsforce retries a GET through it, a POST fails at once', async () => {
  const conn = await simConnection(sim);
  sim.failFor(400);
  const started = Date.now();
  const res = await conn.query('SELECT Id, LastName FROM Contact');
  assert.equal(res.totalSize, 1);
  assert.ok(Date.now() - started >= 400);
  const statuses = sim
    .requests()
    .slice(-3)
    .map((r) => r.status);
  assert.ok(statuses.includes(503) && statuses.at(-1) === 200, `retried: ${statuses.join(',')}`);

  sim.failFor(300, 500);
  const post = await errorOf(conn.sobject('Task').create({ Subject: 'Call', WhoId: sim.records('Contact')[0]!.Id }));
  assert.equal(post?.errorCode, 'UNKNOWN_EXCEPTION');
  assert.equal(sim.records('Task').length, 0);
  await new Promise((r) => setTimeout(r, 300));
});

test('the daily allowance: Sforce-Limit-Info on each answer, then 403 REQUEST_LIMIT_EXCEEDED until the window rolls', async () => {
  clock += 25 * 60 * 60 * 1000; // forget the calls of the tests above
  const conn = await simConnection(sim);
  for (let n = 1; n <= 5; n++) {
    await conn.query('SELECT Id FROM Contact');
    assert.deepEqual(conn.limitInfo.apiUsage, { used: n, limit: 5 });
    clock += 1000;
  }
  const err = await errorOf(conn.query('SELECT Id FROM Contact'));
  assert.equal(err?.errorCode, 'REQUEST_LIMIT_EXCEEDED');
  assert.equal(err?.message, 'TotalRequests Limit exceeded.');
  assert.equal(sim.requests().at(-1)!.status, 403);

  // 24 hours after the first of the five, one call is free again.
  clock += 24 * 60 * 60 * 1000 - 5000;
  await conn.query('SELECT Id FROM Contact');
  assert.deepEqual(sim.apiUsage(), { used: 5, limit: 5 });
});

test('raw contract: relative nextRecordsUrl, versions list, unknown version and path', async () => {
  const paged = await startSalesforceSim({ queryBatchSize: 2 });
  try {
    paged.insert(
      'Lead',
      [1, 2, 3].map((i) => ({ LastName: `L${i}`, Company: 'Acme' })),
    );
    const auth = { authorization: `Bearer ${paged.accessToken}` };
    assert.match(paged.accessToken, /^00D[0-9A-Za-z]{12}!/);
    const first = (await (await fetch(`${paged.url}/services/data/v62.0/query?q=${encodeURIComponent('SELECT Id FROM Lead')}`, { headers: auth })).json()) as {
      nextRecordsUrl: string;
      totalSize: number;
      done: boolean;
    };
    assert.deepEqual(Object.keys(first), ['totalSize', 'done', 'nextRecordsUrl', 'records']);
    assert.match(first.nextRecordsUrl, /^\/services\/data\/v62\.0\/query\/01g[0-9A-Za-z]{15}-2$/);
    const rest = (await (await fetch(paged.url + first.nextRecordsUrl, { headers: auth })).json()) as { done: boolean; records: unknown[] };
    assert.deepEqual([rest.done, rest.records.length], [true, 1]);
    const versions = (await (await fetch(`${paged.url}/services/data`)).json()) as Array<{ version: string; url: string; label: string }>;
    assert.deepEqual(
      versions.find((v) => v.version === '62.0'),
      { label: "Winter '25", url: '/services/data/v62.0', version: '62.0' },
    );
    assert.equal((await fetch(`${paged.url}/services/data/v12.0/limits`, { headers: auth })).status, 404);
    assert.equal((await fetch(`${paged.url}/services/data/v62.0/nothing`, { headers: auth })).status, 404);
    const badJson = await fetch(`${paged.url}/services/data/v62.0/sobjects/Task`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{',
    });
    assert.deepEqual(await badJson.json(), [{ message: 'Unexpected character: was expecting a JSON value', errorCode: 'JSON_PARSER_ERROR' }]);
  } finally {
    await paged.close();
  }
});
