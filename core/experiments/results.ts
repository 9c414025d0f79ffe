/**
 * Per-arm results of an experiment, counted on read from its chases (an experiment's chases are
 * few and indexed by experiment and arm): chases, conversions by the campaign's goal,
 * complaints, and revenue recovered per currency. The sequential test judges only chases that
 * ended: a live chase has no outcome yet, and counting it as "not converted" would favour the
 * arm whose chases finish sooner (a shorter delay) for no reason.
 */
import type pg from 'pg';
import type { CampaignGoal } from '../campaigns/rules.ts';
import { TERMINAL } from '../chases/store.ts';
import type { Arm } from './experiments.ts';

type Db = Pick<pg.Pool, 'query'>;

/**
 * Whether chase `ch` reached its campaign's goal (common definition: once per chase), read from
 * the chase's own columns as reports read them (migrations/022_reports.sql keeps `clicked_at` and
 * `complaint_source`), so an experiment and a report never disagree on a chase.
 */
export function conversionSql(goal: CampaignGoal, ch = 'ch'): string {
  if (goal === 'interested') return `${ch}.outcome = 'interested'`;
  if (goal === 'order') return `${ch}.revenue is not null`;
  return `${ch}.clicked_at is not null`;
}

export interface ArmResult extends Arm {
  chases: number;
  conversions: number;
  conversionRate: number;
  complaints: number;
  revenue: { currency: string; amount: number }[];
  /** The chases that ended, and their conversions: what the sequential test judges. */
  ended: { chases: number; conversions: number };
}

interface CountRow {
  arm: string;
  chases: number;
  conversions: number;
  complaints: number;
  ended: number;
  ended_conversions: number;
}

export async function armResults(db: Db, tenantId: string, experimentId: string, arms: Arm[], goal: CampaignGoal): Promise<ArmResult[]> {
  const converted = conversionSql(goal, 'ch');
  const { rows } = await db.query<CountRow>(
    `select ch.arm, count(*)::int as chases,
            count(*) filter (where ${converted})::int as conversions,
            count(*) filter (where ch.complaint_source is not null)::int as complaints,
            count(*) filter (where ch.status = any($3))::int as ended,
            count(*) filter (where ch.status = any($3) and ${converted})::int as ended_conversions
       from chases ch where ch.tenant_id = $1 and ch.experiment_id = $2 group by ch.arm`,
    [tenantId, experimentId, TERMINAL],
  );
  const { rows: money } = await db.query<{ arm: string; currency: string; amount: string }>(
    `select arm, revenue_currency as currency, sum(revenue)::text as amount from chases
      where tenant_id = $1 and experiment_id = $2 and revenue is not null group by arm, revenue_currency order by arm, revenue_currency`,
    [tenantId, experimentId],
  );
  return arms.map((arm) => {
    const r = rows.find((x) => x.arm === arm.name);
    const chases = r?.chases ?? 0;
    const conversions = r?.conversions ?? 0;
    return {
      ...arm,
      chases,
      conversions,
      conversionRate: chases ? conversions / chases : 0,
      complaints: r?.complaints ?? 0,
      revenue: money.filter((m) => m.arm === arm.name).map((m) => ({ currency: m.currency ?? 'unknown', amount: Number(m.amount) })),
      ended: { chases: r?.ended ?? 0, conversions: r?.ended_conversions ?? 0 },
    };
  });
}
