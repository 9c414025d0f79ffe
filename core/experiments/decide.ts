/**
 * Judging a running experiment: its arms' ended chases go through the sequential test
 * (sequential.ts); when it names a winner, the experiment is decided and `experiment.decided`
 * is emitted in that same transaction — once, whoever judged first (a reader of the experiment
 * or the worker's minute tick).
 */
import type pg from 'pg';
import { withTransaction } from '../db/pool.ts';
import { emitEvent } from '../events/emit.ts';
import { getCampaign } from '../campaigns/campaigns.ts';
import type { Deps } from '../deps.ts';
import { armResults, type ArmResult } from './results.ts';
import { decide, type Decision } from './sequential.ts';
import { EXPERIMENT_COLUMNS, toExperiment, type Experiment, type ExperimentRow, type Verdict } from './experiments.ts';

export interface Judged {
  experiment: Experiment;
  arms: ArmResult[];
  /** The test's state as of this read (null once the experiment is no longer running). */
  decision: Decision | null;
}

/** What the verdict shows as its evidence: the test, its threshold and each comparison with the control. */
function evidenceOf(e: Experiment, arms: ArmResult[], d: Decision): Record<string, unknown> {
  return {
    test: 'mSPRT (mixture sequential probability ratio test) on the difference of conversion rates, each arm against the control',
    alpha: e.alpha,
    threshold: d.threshold,
    control: arms[0]!.name,
    comparisons: d.comparisons.map((c) => ({ arm: arms[c.arm]!.name, lift: c.lift, likelihoodRatio: c.likelihoodRatio, favours: c.favours })),
    arms: arms.map((a) => ({ name: a.name, chases: a.ended.chases, conversions: a.ended.conversions })),
  };
}

/** Reads an experiment with its results; a running one is judged, and decided when the evidence holds. */
export async function judgeExperiment(deps: Deps, tenantId: string, experiment: Experiment): Promise<Judged> {
  const campaign = await getCampaign(deps.db, tenantId, experiment.campaignId, 'campaignId');
  const arms = await armResults(deps.db, tenantId, experiment.id, experiment.arms, campaign.goal);
  if (experiment.status !== 'running') return { experiment, arms, decision: null };
  const decision = decide(
    arms.map((a) => a.ended),
    { alpha: experiment.alpha, minChasesPerArm: experiment.minChasesPerArm },
  );
  if (decision.winner === null) return { experiment, arms, decision };
  const now = deps.clock?.now() ?? new Date();
  const verdict: Verdict = { winner: arms[decision.winner]!.name, decidedAt: now.toISOString(), evidence: evidenceOf(experiment, arms, decision) };
  const decided = await withTransaction(deps.db, async (tx) => {
    const { rows } = await tx.query<ExperimentRow>(
      `update experiments set status = 'decided', verdict = $3, ended_at = $4 where tenant_id = $1 and id = $2 and status = 'running' returning ${EXPERIMENT_COLUMNS}`,
      [tenantId, experiment.id, verdict, now],
    );
    if (!rows[0]) return null;
    await emitEvent(tx, tenantId, 'experiment.decided', {
      experimentId: experiment.id,
      campaignId: experiment.campaignId,
      name: experiment.name,
      winner: verdict.winner,
      arms: Object.fromEntries(arms.map((a) => [a.name, { chases: a.ended.chases, conversions: a.ended.conversions }])),
    });
    return toExperiment(rows[0]);
  });
  // Someone else decided or stopped it meanwhile: show what they wrote.
  const current =
    decided ??
    toExperiment(
      (await deps.db.query<ExperimentRow>(`select ${EXPERIMENT_COLUMNS} from experiments where tenant_id = $1 and id = $2`, [tenantId, experiment.id]))
        .rows[0]!,
    );
  return { experiment: current, arms, decision: null };
}

/** The worker's tick: judges every running experiment (few: one per campaign at most). */
export async function judgeRunningExperiments(deps: Deps): Promise<number> {
  const { rows } = await (deps.db as Pick<pg.Pool, 'query'>).query<ExperimentRow & { tenant_id: string }>(
    `select tenant_id, ${EXPERIMENT_COLUMNS} from experiments where status = 'running'`,
  );
  let decided = 0;
  for (const r of rows) {
    const judged = await judgeExperiment(deps, r.tenant_id, toExperiment(r));
    if (judged.experiment.status === 'decided') decided++;
  }
  return decided;
}
