/**
 * `npm run demo` with eight shoppers and no delay before the call: every case but the early
 * order (which needs a delay to order in) ends as the shopper played it, the revenue is
 * counted, the vendors got every write-back, nothing names a person, nothing is left behind.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { runDemo } from './run.ts';
import type { DemoReport } from './report.ts';

async function demoDatabases(): Promise<number> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from pg_database where datname like 'chaseline_demo_%'`);
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

test('the abandoned-cart demo: each shopper’s chase ends as they played it, and every vendor gets its write-backs', { timeout: 120_000 }, async () => {
  const before = await demoDatabases();
  const lines: string[] = [];
  let report: DemoReport;
  try {
    report = await runDemo({ shoppers: 8, delayMinutes: 0, out: (line) => lines.push(line), timeoutMs: 60_000 });
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- what the demo said ---\n${lines.join('\n')}`, { cause: err });
  }
  // Eight shoppers: 3 say yes (the early buyer's place too, with no delay), 1 asks the price
  // then says yes, 1 is not interested, 1 opts out, 2 do not answer (one has voicemail).
  assert.deepEqual(
    report,
    {
      checkouts: 8,
      chased: 8,
      called: 8,
      reached: 6,
      interested: 4,
      notInterested: 1,
      optedOut: 1,
      noAnswerSms: 2,
      voicemail: 1,
      canceledBeforeCall: 0,
      recovered: { orders: 4, total: '214.00', currency: 'USD' },
      hubspot: { callEngagements: 8, smsCommunications: 6, doNotCall: 1, tagged: 8 },
      shopify: { customersTagged: 8, orderNotes: 4, smsConsentWithdrawn: 1 },
      surprises: [],
    },
    lines.join('\n'),
  );

  const text = lines.join('\n');
  assert.match(text, /production's default is 2 hours/);
  assert.match(text, /Ava +said "how much is it\?" → understood: price question/);
  assert.match(text, /Noah +opted out/);
  assert.match(text, /Mei +opened the link and paid: order #\d+, \$49\.00/);
  assert.match(text, /recovered revenue +214\.00 USD/);
  assert.match(text, /^Done: /m);
  assert.doesNotMatch(text, /\+?1?415555\d{4}|555-?\d{4}/, 'no phone number is printed');
  assert.equal(await demoDatabases(), before, 'the temporary database was dropped');
});
