/**
 * Reports read from `report_rollups`, never from attempts: the rollups are kept up to date by
 * the triggers of migrations/022_reports.sql in the transaction of each fact, so a summary reads
 * at most one row per hour and group, however many calls were made. This module is the SQL that
 * reads them, and the rebuild that recounts them from the stored rows.
 */
import type pg from 'pg';
import { validation } from '../errors.ts';
import { MAX_RANGE_DAYS, type GroupBy, type Metric } from './definitions.ts';

type Db = Pick<pg.Pool, 'query'>;

export interface Range {
  from: Date;
  to: Date;
  campaignId?: string | undefined;
}

export interface Revenue {
  currency: string;
  amount: number;
}

export type ReportKey = string | number | null;

export interface ReportRow {
  key: ReportKey;
  /** With a second dimension (thenBy): the group within `key`. */
  subKey?: ReportKey;
  chases: number;
  attempts: number;
  answered: number;
  connectRate: number | null;
  conversions: number;
  conversionRate: number | null;
  optOuts: number;
  complaints: number;
  complaintRate: number | null;
  invalid: number;
  invalidRate: number | null;
  smsSent: number;
  smsDelivered: number;
  smsClicked: number;
  clickRate: number | null;
  talkSeconds: number;
  revenue: Revenue[];
}

/** Each group's key as SQL over a rollup row. */
const KEY_SQL: Record<GroupBy, string> = {
  campaign: 'campaign_id::text',
  script: 'script',
  segmentTier: 'tier',
  line: 'line',
  carrier: 'carrier',
  localHour: 'local_hour',
  weekday: 'weekday',
  industry: 'industry',
  day: `to_char(hour at time zone 'UTC', 'YYYY-MM-DD')`,
};

/**
 * The rollups with the deltas not yet folded into them: what the triggers append in each fact's
 * transaction counts at once (the fold is only compaction).
 */
const ROLLUPS = `(select * from report_rollups union all select * from report_rollup_deltas)`;

/**
 * Folds the counted deltas into the rollups (migrations/022_reports.sql, report_fold): every
 * minute from the worker. One folder at a time; the others go on at once. Reports do not fold
 * first: they read the deltas anyway (ROLLUPS), and a fold would read and move every tenant's.
 */
export async function foldDeltas(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`select report_fold() as n`);
  return rows[0]?.n ?? 0;
}

const SUMS = `sum(chases)::int as chases, sum(attempts)::int as attempts, sum(answered)::int as answered, sum(conversions)::int as conversions,
  sum(opt_outs)::int as opt_outs, sum(complaints)::int as complaints, sum(invalid)::int as invalid, sum(refused)::int as refused,
  sum(sms_sent)::int as sms_sent, sum(sms_delivered)::int as sms_delivered, sum(sms_clicked)::int as sms_clicked,
  sum(talk_seconds)::bigint as talk_seconds, sum(revenue)::text as revenue`;

interface SumRow {
  key: ReportKey;
  sub_key?: ReportKey;
  currency: string | null;
  chases: number;
  attempts: number;
  answered: number;
  conversions: number;
  opt_outs: number;
  complaints: number;
  invalid: number;
  refused: number;
  sms_sent: number;
  sms_delivered: number;
  sms_clicked: number;
  talk_seconds: string;
  revenue: string;
}

/** The range a report covers, checked: `from` before `to`, at most 400 days. */
export function checkRange(from: Date, to: Date): void {
  if (from.getTime() > to.getTime()) throw validation('from is after to', 'from');
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000) throw validation(`the range is longer than ${MAX_RANGE_DAYS} days`, 'from');
}

const ratio = (n: number, d: number) => (d > 0 ? n / d : null);

type Sums = Omit<SumRow, 'key' | 'sub_key' | 'currency' | 'revenue'>;

function toRow(key: ReportKey, s: Sums, revenue: Revenue[], subKey?: ReportKey): ReportRow {
  const talkSeconds = Number(s.talk_seconds);
  return {
    key,
    ...(subKey !== undefined ? { subKey } : {}),
    chases: s.chases,
    attempts: s.attempts,
    answered: s.answered,
    connectRate: ratio(s.answered, s.attempts),
    conversions: s.conversions,
    conversionRate: ratio(s.conversions, s.chases),
    optOuts: s.opt_outs,
    complaints: s.complaints,
    complaintRate: ratio(s.complaints, s.chases),
    invalid: s.invalid,
    invalidRate: ratio(s.invalid, s.chases + s.refused),
    smsSent: s.sms_sent,
    smsDelivered: s.sms_delivered,
    smsClicked: s.sms_clicked,
    clickRate: ratio(s.sms_clicked, s.sms_sent),
    talkSeconds,
    revenue,
  };
}

const COUNTS = [
  'chases',
  'attempts',
  'answered',
  'conversions',
  'opt_outs',
  'complaints',
  'invalid',
  'refused',
  'sms_sent',
  'sms_delivered',
  'sms_clicked',
] as const;

/**
 * The summary of a tenant's rollups over [from, to) (hours are whole: a range starting
 * mid-hour includes that hour), one row per group, or one total row (key null) without groupBy.
 * With `thenBy` too, one row per pair of groups (`key`, `subKey`): the cells of a grid (e.g.
 * local hour × weekday) whose counts add up to the one-dimension rows.
 */
export async function summary(db: Db, tenantId: string, range: Range, groupBy?: GroupBy, thenBy?: GroupBy): Promise<ReportRow[]> {
  checkRange(range.from, range.to);
  if (thenBy && !groupBy) throw validation('thenBy needs groupBy', 'thenBy');
  if (thenBy && thenBy === groupBy) throw validation('thenBy must differ from groupBy', 'thenBy');
  const key = groupBy ? KEY_SQL[groupBy] : 'null::text';
  const subKey = thenBy ? KEY_SQL[thenBy] : 'null::text';
  // One row per group and currency; the currencies of a group are folded into its revenue below.
  const { rows } = await db.query<SumRow>(
    `select ${key} as key, ${subKey} as sub_key, currency, ${SUMS}
       from ${ROLLUPS} u
      where tenant_id = $1 and hour >= date_trunc('hour', $2::timestamptz) and hour < $3 and ($4::uuid is null or campaign_id = $4)
      group by 1, 2, 3`,
    [tenantId, range.from, range.to, range.campaignId ?? null],
  );
  const zero = () => ({ ...Object.fromEntries(COUNTS.map((c) => [c, 0])), talk_seconds: '0' }) as Sums;
  const groups = new Map<string, { key: ReportKey; subKey: ReportKey; sums: Sums; revenue: Revenue[] }>();
  for (const r of rows) {
    const id = JSON.stringify([r.key, r.sub_key ?? null]);
    let g = groups.get(id);
    if (!g) {
      g = { key: r.key, subKey: r.sub_key ?? null, sums: zero(), revenue: [] };
      groups.set(id, g);
    }
    for (const c of COUNTS) g.sums[c] += r[c];
    g.sums.talk_seconds = String(Number(g.sums.talk_seconds) + Number(r.talk_seconds));
    if (r.currency && Number(r.revenue) !== 0) g.revenue.push({ currency: r.currency, amount: Number(r.revenue) });
  }
  const out = [...groups.values()]
    // A group whose facts all moved elsewhere (a chase's first attempt moves it out of "none") is not shown.
    .filter((g) => COUNTS.some((c) => g.sums[c] !== 0) || g.revenue.length)
    .map((g) =>
      toRow(
        g.key,
        g.sums,
        g.revenue.sort((a, b) => a.currency.localeCompare(b.currency)),
        thenBy ? g.subKey : undefined,
      ),
    );
  if (!groupBy && !out.length) return [toRow(null, zero(), [])];
  return out.sort((a, b) => compareKeys(a.key, b.key) || compareKeys(a.subKey ?? null, b.subKey ?? null));
}

/** Groups in key order (numbers as numbers), the null group last. */
function compareKeys(a: ReportKey, b: ReportKey): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

export interface Point {
  at: string;
  value: number | null;
}

/** A metric per hour or UTC day over [from, to), every bucket present (zero, or null for a rate with nothing to divide). */
export async function timeseries(db: Db, tenantId: string, range: Range, metric: Metric, interval: 'hour' | 'day'): Promise<Point[]> {
  checkRange(range.from, range.to);
  const { rows } = await db.query<SumRow & { at: Date }>(
    `with buckets as (
       select generate_series(date_trunc($5, $2::timestamptz at time zone 'UTC'), $3::timestamptz at time zone 'UTC' - interval '1 microsecond', ('1 ' || $5)::interval) at time zone 'UTC' as at)
     select b.at, null::text as key, null::text as currency, ${SUMS.replace(/sum\((\w+)\)/g, 'coalesce(sum(r.$1), 0)')}
       from buckets b
       left join ${ROLLUPS} r
         on r.tenant_id = $1 and r.hour >= b.at and r.hour < b.at + ('1 ' || $5)::interval and r.hour < $3
        and r.hour >= date_trunc('hour', $2::timestamptz) and ($4::uuid is null or r.campaign_id = $4)
      group by b.at order by b.at`,
    [tenantId, range.from, range.to, range.campaignId ?? null, interval],
  );
  return rows.map((r) => ({ at: r.at.toISOString(), value: toRow(null, r, [])[metric] }));
}

/**
 * Recounts a tenant's rollups from its attempts, chases and imports with the statements the
 * triggers use (report_rebuild in migrations/022_reports.sql): for history stored before
 * reports existed, or after a repair. Live counting waits while it runs.
 */
export async function rebuildRollups(db: Db, tenantId: string): Promise<void> {
  await db.query(`select report_rebuild($1)`, [tenantId]);
}
