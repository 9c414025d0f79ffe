/**
 * Reports: connect, conversion, complaint and invalid-number rates, read from the rollups.
 * Every role reads them; the CSV export (format=csv) is for admin and analyst keys.
 */
import { z } from 'zod';
import { defineProcedure, requireOneOf, type Ctx } from '../procedure.ts';
import { definitions, groupBys, metrics, MAX_RANGE_DAYS } from '../../core/reports/definitions.ts';
import { summary, timeseries } from '../../core/reports/rollups.ts';
import { summaryCsv, timeseriesCsv } from '../../core/reports/csv.ts';

const DAY = 86_400_000;

/** A date (2026-03-01, midnight UTC) or a date-time with its offset (2026-03-01T08:00:00+08:00). */
const When = (what: string) =>
  z
    .union([z.iso.date(), z.iso.datetime({ offset: true })], { error: 'a date (YYYY-MM-DD) or an ISO 8601 date-time with its offset' })
    // Reports start in 1970 at the earliest; PostgreSQL has no year 0, so such a date would not reach it.
    .refine(
      (s) => {
        const y = new Date(s).getUTCFullYear();
        return y >= 1970 && y <= 9999;
      },
      { error: 'a date between 1970 and 9999' },
    )
    .describe(what);

const RangeQuery = {
  from: When('start of the range, inclusive, by whole UTC hours; default 30 days before `to`').optional(),
  to: When('end of the range, exclusive; default now').optional(),
  campaignId: z.uuid().optional().describe('only this campaign'),
  format: z.enum(['json', 'csv']).default('json').describe('csv: a text/csv download (admin and analyst keys only); over tRPC the text comes in `csv`'),
};

const Rate = (text: string) => z.number().nullable().describe(text);
const Count = (text: string) => z.number().int().describe(text);

export const ReportRow = z
  .object({
    key: z.union([z.string(), z.number(), z.null()]).describe(definitions.key),
    subKey: z
      .union([z.string(), z.number(), z.null()])
      .optional()
      .describe('with thenBy: the group of the second dimension within `key` (same kinds of value as key)'),
    chases: Count(definitions.chases),
    attempts: Count(definitions.attempts),
    answered: Count(definitions.answered),
    connectRate: Rate(definitions.connectRate),
    conversions: Count(definitions.conversions),
    conversionRate: Rate(definitions.conversionRate),
    optOuts: Count(definitions.optOuts),
    complaints: Count(definitions.complaints),
    complaintRate: Rate(definitions.complaintRate),
    invalid: Count(definitions.invalid),
    invalidRate: Rate(definitions.invalidRate),
    smsSent: Count(definitions.smsSent),
    smsDelivered: Count(definitions.smsDelivered),
    smsClicked: Count(definitions.smsClicked),
    clickRate: Rate(definitions.clickRate),
    talkSeconds: Count(definitions.talkSeconds),
    revenue: z.array(z.object({ currency: z.string(), amount: z.number() })).describe(definitions.revenue),
  })
  .meta({ id: 'ReportRow' });

const Csv = z.string().optional().describe('with format=csv over tRPC: the CSV text (REST answers text/csv instead)');

/** The range asked for, defaults filled in. `from` after `to` and ranges over 400 days are refused by core (naming `from`). */
function rangeOf(ctx: Ctx, input: { from?: string | undefined; to?: string | undefined; campaignId?: string | undefined }) {
  const to = input.to ? new Date(input.to) : (ctx.deps.clock?.now() ?? new Date());
  const from = input.from ? new Date(input.from) : new Date(to.getTime() - 30 * DAY);
  return { from, to, campaignId: input.campaignId };
}

function csvFile(ctx: Ctx, name: string, text: string) {
  requireOneOf(ctx.actor, ['admin', 'analyst'], 'exporting a report as CSV');
  return { type: 'text/csv; charset=utf-8', name, text };
}

export const reportsSummary = defineProcedure({
  name: 'reports.summary',
  method: 'get',
  path: '/v1/reports/summary',
  summary: `Counts and rates over a range (at most ${MAX_RANGE_DAYS} days), in total or per group, from rollups kept as things happen`,
  tag: 'reports',
  role: 'viewer',
  csv: true,
  input: z.object({
    ...RangeQuery,
    groupBy: z
      .enum(groupBys)
      .optional()
      .describe(
        'one row per campaign, script, segmentTier, line, carrier, localHour (recipient’s), weekday (recipient’s), industry or day (UTC); without it, one total row with key null',
      ),
    thenBy: z
      .enum(groupBys)
      .optional()
      .describe(
        'a second dimension (needs groupBy, and differs from it): one row per pair, the second group in `subKey`, e.g. groupBy=localHour&thenBy=weekday for an hour × weekday grid',
      ),
  }),
  output: z.object({ rows: z.array(ReportRow), csv: Csv }),
  handler: async ({ ctx, input }) => {
    const range = rangeOf(ctx, input);
    const rows = await summary(ctx.deps.db, ctx.actor.tenantId, range, input.groupBy, input.thenBy);
    if (input.format !== 'csv') return { body: { rows } };
    const by = [input.groupBy ?? 'total', ...(input.thenBy ? [input.thenBy] : [])].join('-');
    const file = csvFile(ctx, `report-${by}-${range.from.toISOString().slice(0, 10)}.csv`, summaryCsv(input.groupBy, rows, input.thenBy));
    return { body: { rows, csv: file.text }, file };
  },
});

export const reportsTimeseries = defineProcedure({
  name: 'reports.timeseries',
  method: 'get',
  path: '/v1/reports/timeseries',
  summary: 'One metric per hour or UTC day over a range, every bucket present',
  tag: 'reports',
  role: 'viewer',
  csv: true,
  input: z.object({
    ...RangeQuery,
    metric: z.enum(metrics).describe('one of the numbers of a summary row'),
    interval: z.enum(['hour', 'day']).default('day'),
  }),
  output: z.object({
    metric: z.enum(metrics),
    interval: z.enum(['hour', 'day']),
    points: z.array(z.object({ at: z.string().describe('start of the bucket (UTC)'), value: z.number().nullable() })),
    csv: Csv,
  }),
  handler: async ({ ctx, input }) => {
    const range = rangeOf(ctx, input);
    const points = await timeseries(ctx.deps.db, ctx.actor.tenantId, range, input.metric, input.interval);
    const body = { metric: input.metric, interval: input.interval, points };
    if (input.format !== 'csv') return { body };
    const file = csvFile(ctx, `report-${input.metric}-${input.interval}.csv`, timeseriesCsv(input.metric, points));
    return { body: { ...body, csv: file.text }, file };
  },
});

export const reportsDefinitions = defineProcedure({
  name: 'reports.definitions',
  method: 'get',
  path: '/v1/reports/definitions',
  summary: 'What each report number means (the texts the OpenAPI descriptions and the console show)',
  tag: 'reports',
  role: 'viewer',
  input: z.object({}),
  output: z.object({ definitions: z.record(z.string(), z.string()).describe('metric name (and revenue, key) → its definition, in English') }),
  handler: async () => ({ body: { definitions: { ...definitions } } }),
});
