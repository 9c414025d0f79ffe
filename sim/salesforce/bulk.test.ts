// Bulk API 2.0 query through jsforce's bulk2 client, and the results contract itself
// (locator, maxRecords, Sforce-Locator "null" on the last page) over plain HTTP. jsforce
// 3.12's bulk2 client pipes every results page into one CSV parser, so with more than one
// page it reads the next page's header row as a record or fails with "write after end";
// the sim therefore answers without maxRecords in one page (bulkPageSize), and the pages
// themselves are tested over plain HTTP.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection } from '@salesforce/core';
import { startSalesforceSim, type SalesforceSim } from './index.ts';
import { simConnection } from './sdk.ts';

let sim: SalesforceSim;
let conn: Connection;

before(async () => {
  // Long enough that a busy machine still sees the job running at least twice at 25 ms polls.
  sim = await startSalesforceSim({ bulkJobMs: 400 });
  conn = await simConnection(sim);
  conn.bulk2.pollInterval = 25;
  sim.insert(
    'Contact',
    Array.from({ length: 10_000 }, (_, i) => ({
      FirstName: i % 7 ? 'Grace' : null,
      LastName: `Hopper, "${i}"`,
      Phone: `+1415${String(i).padStart(7, '0')}`,
      DoNotCall: i % 10 === 0,
    })),
  );
});
after(() => sim.close());

async function collect(stream: AsyncIterable<unknown>): Promise<Array<Record<string, string>>> {
  const rows: Array<Record<string, string>> = [];
  for await (const row of stream) rows.push(row as Record<string, string>);
  return rows;
}

test('bulk2.query of 10,000 contacts: create, poll until JobComplete, read CSV', async () => {
  const rows = await collect(
    await conn.bulk2.query('SELECT Id, FirstName, LastName, Phone, DoNotCall, SystemModstamp FROM Contact WHERE SystemModstamp > 2000-01-01T00:00:00Z'),
  );
  assert.equal(rows.length, 10_000);
  assert.match(rows[0]!.Id!, /^003[0-9A-Za-z]{15}$/);
  assert.equal(rows[3]!.LastName, 'Hopper, "3"', 'quotes and commas survive the CSV');
  assert.equal(rows[0]!.DoNotCall, 'true', 'CSV values are strings');
  assert.match(rows[0]!.SystemModstamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
  assert.equal(rows[0]!.FirstName, '', 'null is an empty field');
  assert.equal(new Set(rows.map((r) => r.Id)).size, 10_000);

  const calls = sim.requests().map((r) => `${r.method} ${r.url.replace(/750[0-9A-Za-z]{15}/, '{job}')}`);
  assert.equal(calls[0], 'POST /services/data/v62.0/jobs/query');
  assert.ok(calls.filter((c) => c === 'GET /services/data/v62.0/jobs/query/{job}').length >= 2, 'polled while the job ran');
  assert.equal(calls.at(-1), 'GET /services/data/v62.0/jobs/query/{job}/results');
  assert.deepEqual(sim.requests()[0]!.body, {
    query: 'SELECT Id, FirstName, LastName, Phone, DoNotCall, SystemModstamp FROM Contact WHERE SystemModstamp > 2000-01-01T00:00:00Z',
    operation: 'query',
  });
});

test('results pages: maxRecords and locator, every page a CSV with its own header', async () => {
  const headers = { authorization: `Bearer ${sim.accessToken}` };
  const base = `${sim.url}/services/data/v62.0/jobs/query`;
  const created = await fetch(base, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ operation: 'query', query: 'SELECT Id, LastName FROM Contact WHERE DoNotCall = true' }),
  });
  const job = (await created.json()) as { id: string; state: string; object: string };
  assert.deepEqual([job.state, job.object], ['UploadComplete', 'Contact']);
  const early = await fetch(`${base}/${job.id}/results`, { headers });
  assert.equal(early.status, 400);
  for (let state = ''; state !== 'JobComplete'; await new Promise((r) => setTimeout(r, 20))) {
    state = ((await (await fetch(`${base}/${job.id}`, { headers })).json()) as { state: string }).state;
  }
  let locator: string | null = null;
  const pages: string[][] = [];
  do {
    const res: Response = await fetch(`${base}/${job.id}/results?maxRecords=400${locator ? `&locator=${locator}` : ''}`, { headers });
    assert.equal(res.headers.get('content-type'), 'text/csv');
    const lines = (await res.text()).trimEnd().split('\n');
    assert.equal(lines[0], '"Id","LastName"');
    assert.equal(res.headers.get('sforce-numberofrecords'), String(lines.length - 1));
    pages.push(lines.slice(1));
    locator = res.headers.get('sforce-locator');
  } while (locator !== 'null');
  assert.deepEqual(
    pages.map((p) => p.length),
    [400, 400, 200],
  );
  const info = (await (await fetch(`${base}/${job.id}`, { headers })).json()) as { numberRecordsProcessed: number };
  assert.equal(info.numberRecordsProcessed, 1000);
});
