/**
 * Assignment: while an experiment runs, each new chase of its campaign draws an arm (weighted;
 * crypto randomness unless a test hands in a seeded one). The chase records the experiment and
 * the arm; the arm's script, window and delay then stand in for the campaign's for that chase.
 */
import type pg from 'pg';
import type { Arm } from './experiments.ts';
import { cryptoRandom, pickWeighted, type Random } from '../common/random.ts';

type Tx = Pick<pg.PoolClient, 'query'>;

export interface RunningExperiment {
  id: string;
  name: string;
  arms: Arm[];
}

/** The campaign's running experiment, if any, read in the transaction that creates its chases. */
export async function runningExperiment(tx: Tx, tenantId: string, campaignId: string): Promise<RunningExperiment | null> {
  const { rows } = await tx.query<RunningExperiment>(
    `select id, name, arms from experiments where tenant_id = $1 and campaign_id = $2 and status = 'running'`,
    [tenantId, campaignId],
  );
  return rows[0] ?? null;
}

/** One arm per new chase, drawn by weight. */
export function drawArms(experiment: RunningExperiment, count: number, random: Random = cryptoRandom): Arm[] {
  const weights = experiment.arms.map((a) => a.weight ?? 1);
  return Array.from({ length: count }, () => experiment.arms[pickWeighted(weights, random)]!);
}

/** SQL for `value` (over `a`, the chase's arm) from the chase's experiment; `ch` is the alias of the chases row. A primary-key lookup. */
const armSql = (ch: string, value: string) => `(select ${value} from experiments x cross join jsonb_array_elements(x.arms) a
   where x.tenant_id = ${ch}.tenant_id and x.id = ${ch}.experiment_id and a ->> 'name' = ${ch}.arm)`;

/** SQL for the calling window a chase's arm sets (jsonb, null when the chase is in no experiment or its arm keeps the campaign's). */
export const armWindowSql = (ch: string) => armSql(ch, `a -> 'window'`);

/** SQL for the delay (minutes) a chase's arm sets, or null. */
export const armDelaySql = (ch: string) => armSql(ch, `(a ->> 'delayMinutes')::int`);
