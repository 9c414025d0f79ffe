/**
 * Reports benchmark (docs/benchmarks.md, "Reports"): the summary report read from the rollups
 * against a bare GROUP BY over the raw attempts, in the same run, on the same data.
 *
 *   npm run bench:reports                                  # embedded PostgreSQL in a temp dir
 *   DATABASE_URL=postgres://… npm run bench:reports        # a fresh database on that server, dropped after
 *   npm run bench:reports -- --attempts 1000000 --runs 10  # smaller
 *
 * The data: --attempts attempts (default 10,000,000) over a year, two per chase, in three
 * campaigns × two scripts × three tiers × four lines × two time zones, one in ten a text,
 * generated set-based with generate_series with the live-counting triggers off. The rollups are
 * then built by report_rebuild(), the same contribution functions the triggers apply one fact at
 * a time (migrations/022_reports.sql), so the numbers are those live counting would have kept.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createPool } from '../core/db/pool.ts';
import { migrate } from '../core/db/migrate.ts';
import { summary, type Range } from '../core/reports/rollups.ts';
import type { GroupBy } from '../core/reports/definitions.ts';
import { fmt, openBenchDatabase } from './support.ts';

/** p50 and p95 of a sample, in ms (nearest rank). */
function latencyStats(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return { p50: at(50), p95: at(95) };
}

const { values } = parseArgs({ options: { attempts: { type: 'string' }, runs: { type: 'string' }, 'raw-runs': { type: 'string' } } });
const ATTEMPTS = Number(values.attempts ?? 10_000_000);
const RUNS = Number(values.runs ?? 20);
const RAW_RUNS = Number(values['raw-runs'] ?? 5);
const TENANT = '00000000-0000-4000-8000-000000000001';
const START = new Date('2026-01-01T00:00:00Z');
const DAYS = 365;

const db = await openBenchDatabase();
const pool: pg.Pool = createPool(db.url);
const log = (s: string) => process.stdout.write(`${s}\n`);
const timed = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
  const t0 = performance.now();
  const out = await run();
  log(`${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return out;
};

async function generate() {
  const chases = Math.ceil(ATTEMPTS / 2);
  await pool.query(`insert into tenants (id, name, default_region) values ($1, 'bench', 'CN')`, [TENANT]);
  await pool.query(
    `insert into campaigns (tenant_id, id, name, trigger, channel, rules, scripts, lines, industry)
     select $1, ('00000000-0000-4000-8000-00000000010' || n)::uuid, 'campaign ' || n, '{"type":"manual"}', '{"policy":"voice-then-sms"}', '{}', '[]', '[]',
            (array['ecommerce', 'finance', 'education'])[n + 1]
       from generate_series(0, 2) n`,
    [TENANT],
  );
  // Set-based, without the per-row triggers (the rebuild counts afterwards with the same SQL).
  await pool.query(`alter table chases disable trigger user`);
  await pool.query(`alter table attempts disable trigger user`);
  try {
    await timed(`${fmt(chases)} chases generated`, () =>
      pool.query(
        `insert into chases (tenant_id, id, campaign_id, contact_id, phone_hash, status, outcome, tier, script, next_channel, due_at, deadline_at,
                           created_at, industry, goal, touch_attempt, touch_line, touch_carrier, touch_local_hour, touch_weekday, revenue, revenue_currency, complaint_source)
       select $1, md5('c' || i)::uuid, ('00000000-0000-4000-8000-00000000010' || (i % 3))::uuid, md5('p' || i)::uuid, decode(md5('h' || i), 'hex'),
              'completed', (array['interested', 'not-interested', 'unreached', 'answered', 'opted-out'])[1 + i % 5],
              (array['gold', 'silver', 'bronze'])[1 + i % 3], 's' || (i % 2), 'voice', at, at, at,
              (array['ecommerce', 'finance', 'education'])[1 + i % 3], 'interested', md5('a' || (2 * i))::uuid,
              'line-' || (i % 4), 'twilio',
              extract(hour from at at time zone (array['Asia/Shanghai', 'America/New_York'])[1 + i % 2])::smallint,
              extract(isodow from at at time zone (array['Asia/Shanghai', 'America/New_York'])[1 + i % 2])::smallint,
              case when i % 50 = 0 then 20 + i % 100 end, case when i % 50 = 0 then 'CNY' end,
              case when i % 200 = 0 then 'opt-out' end
         from generate_series(0, $2 - 1) i, lateral (select $3::timestamptz + (i::float8 / $2) * make_interval(days => $4) as at) t`,
        [TENANT, chases, START, DAYS],
      ),
    );
    await timed(`${fmt(ATTEMPTS)} attempts generated`, () =>
      pool.query(
        `insert into attempts (tenant_id, id, chase_id, campaign_id, phone_hash, channel, status, outcome, from_number, line_id, duration_seconds,
                             created_at, script, tier, industry, time_zone, carrier)
       select $1, md5('a' || j)::uuid, md5('c' || c)::uuid, ('00000000-0000-4000-8000-00000000010' || (c % 3))::uuid, decode(md5('h' || c), 'hex'),
              case when j % 10 = 9 then 'sms' else 'voice' end,
              case when j % 10 = 9 then (array['delivered', 'sent', 'undelivered'])[1 + j % 3] when j % 3 = 0 then 'no-answer' else 'completed' end,
              case when j % 10 = 9 then 'sms-sent' when j % 3 = 0 then 'no-answer' when j % 7 = 0 then 'machine' else 'answered' end,
              '+14155550100', null, case when j % 3 <> 0 then 30 + j % 120 end,
              $3::timestamptz + (c::float8 / $5) * make_interval(days => $4) + (j % 2) * interval '1 hour',
              's' || (c % 2), (array['gold', 'silver', 'bronze'])[1 + c % 3], (array['ecommerce', 'finance', 'education'])[1 + c % 3],
              (array['Asia/Shanghai', 'America/New_York'])[1 + c % 2], 'twilio'
         from generate_series(0, $2 - 1) j, lateral (select j / 2 as c) t`,
        [TENANT, ATTEMPTS, START, DAYS, chases],
      ),
    );
    // The line of a chase's first attempt, as live counting records it (the lines are the campaign's own caller id here).
    await pool.query(`update chases set touch_line = '+14155550100' where tenant_id = $1`, [TENANT]);
  } finally {
    await pool.query(`alter table chases enable trigger user`);
    await pool.query(`alter table attempts enable trigger user`);
  }
}

/** A bare GROUP BY over the raw attempts: just the call counts and talk time, no chase-level numbers. */
const RAW_KEY: Partial<Record<GroupBy | 'total', string>> = {
  total: 'null::text',
  campaign: 'campaign_id::text',
  localHour: `extract(hour from created_at at time zone time_zone)`,
  day: `to_char(created_at at time zone 'UTC', 'YYYY-MM-DD')`,
};

async function rawGroupBy(key: string, range: Range) {
  return pool.query(
    `select ${key} as key, count(*) filter (where channel = 'voice' and status <> 'not-placed') as attempts,
            count(*) filter (where channel = 'voice' and status = 'completed' and outcome is distinct from 'machine') as answered,
            sum(duration_seconds) filter (where channel = 'voice' and status = 'completed' and outcome is distinct from 'machine') as talk_seconds,
            count(*) filter (where channel = 'sms' and status in ('sent', 'delivered', 'undelivered')) as sms_sent
       from attempts where tenant_id = $1 and created_at >= $2 and created_at < $3 group by 1`,
    [TENANT, range.from, range.to],
  );
}

async function measure() {
  const range: Range = { from: START, to: new Date(START.getTime() + DAYS * 86_400_000) };
  const lines: string[] = [];
  for (const groupBy of ['total', 'campaign', 'localHour', 'day'] as const) {
    const fromRollups: number[] = [];
    let rows = 0;
    for (let i = 0; i < RUNS + 1; i++) {
      const t0 = performance.now();
      rows = (await summary(pool, TENANT, range, groupBy === 'total' ? undefined : groupBy)).length;
      if (i > 0) fromRollups.push(performance.now() - t0); // the first run warms the cache
    }
    const raw: number[] = [];
    for (let i = 0; i < RAW_RUNS + 1; i++) {
      const t0 = performance.now();
      await rawGroupBy(RAW_KEY[groupBy]!, range);
      if (i > 0) raw.push(performance.now() - t0);
    }
    const a = latencyStats(fromRollups);
    const b = latencyStats(raw);
    lines.push(`| ${groupBy} | ${rows} | ${a.p50.toFixed(0)} | ${a.p95.toFixed(0)} | ${b.p50.toFixed(0)} | ${b.p95.toFixed(0)} |`);
  }
  log(`\n${fmt(ATTEMPTS)} attempts over ${DAYS} days; summary ×${RUNS} from the rollups, bare GROUP BY ×${RAW_RUNS} over attempts (ms)`);
  log('| groupBy | rows | rollups p50 | rollups p95 | raw GROUP BY p50 | raw GROUP BY p95 |');
  log('|---|---|---|---|---|---|');
  for (const l of lines) log(l);
}

try {
  await migrate(pool);
  await generate();
  await timed('rollups built by report_rebuild', () => pool.query(`select report_rebuild($1)`, [TENANT]));
  await pool.query('vacuum analyze report_rollups');
  await pool.query('vacuum analyze attempts');
  const { rows: size } = await pool.query<{ n: number }>(`select count(*)::int as n from report_rollups where tenant_id = $1`, [TENANT]);
  log(`rollup rows: ${fmt(size[0]!.n)} for ${fmt(ATTEMPTS)} attempts`);
  await measure();
} finally {
  await pool.end();
  await db.drop();
}
