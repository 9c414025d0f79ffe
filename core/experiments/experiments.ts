/**
 * Experiments on a campaign: two to five arms, each a script, a calling window and/or a delay
 * that override the campaign's for the chases assigned to it (arm 0 is the control). While an
 * experiment runs, every new chase of the campaign is assigned an arm at random (assign.ts);
 * results are counted on read from the chases (results.ts) and a sequential test decides
 * (decide.ts). One running experiment per campaign: two would fight over the same chases.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { AppError, notFound, validation } from '../errors.ts';
import { withTransaction } from '../db/pool.ts';
import { windowWithin, type CallingWindow } from '../campaigns/calling-window.ts';
import { CallingWindowSchema, effectiveRules } from '../campaigns/rules.ts';
import { getCampaign, getTenantChaseRules, type Campaign } from '../campaigns/campaigns.ts';
import type { Deps } from '../deps.ts';
import { decodeCursor } from '../common/pagination.ts';

export const ArmSchema = z.object({
  name: z.string().trim().min(1).max(100),
  script: z.string().trim().min(1).max(100).optional().describe("the name of one of the campaign's scripts, used whatever its `when` says"),
  window: CallingWindowSchema.optional().describe("a calling window inside the campaign's (or the tenant's)"),
  delayMinutes: z.number().int().min(0).max(43_200).optional().describe('wait after the trigger before the first contact, instead of the campaign’s'),
  weight: z.number().positive().max(1000).default(1).describe('relative share of new chases (default 1: equal shares)'),
});
export type Arm = z.infer<typeof ArmSchema>;

export const ExperimentInputSchema = z
  .object({
    campaignId: z.uuid(),
    name: z.string().trim().min(1).max(200),
    arms: z.array(ArmSchema).min(2, 'an experiment compares at least two arms').max(5, 'at most five arms'),
    alpha: z.number().gt(0).max(0.2).default(0.05).describe('the chance of declaring a winner when the arms convert alike (default 0.05)'),
    minChasesPerArm: z.number().int().min(10).max(1_000_000).default(100).describe('no verdict before every arm has this many ended chases (default 100)'),
  })
  .superRefine((e, ctx) => {
    const seen = new Set<string>();
    e.arms.forEach((a, i) => {
      if (seen.has(a.name)) ctx.addIssue({ code: 'custom', path: ['arms', i, 'name'], message: `two arms are named ${JSON.stringify(a.name)}` });
      seen.add(a.name);
    });
  });
export type ExperimentInput = z.input<typeof ExperimentInputSchema>;

export type ExperimentStatus = 'running' | 'decided' | 'stopped';

export interface Verdict {
  winner: string;
  decidedAt: string;
  evidence: Record<string, unknown>;
}

export interface Experiment {
  id: string;
  campaignId: string;
  name: string;
  status: ExperimentStatus;
  arms: Arm[];
  alpha: number;
  minChasesPerArm: number;
  verdict: Verdict | null;
  createdAt: string;
  endedAt: string | null;
}

export interface ExperimentRow {
  id: string;
  campaign_id: string;
  name: string;
  status: ExperimentStatus;
  arms: Arm[];
  alpha: number;
  min_chases_per_arm: number;
  verdict: Verdict | null;
  created_at: Date;
  ended_at: Date | null;
}

export const EXPERIMENT_COLUMNS = 'id, campaign_id, name, status, arms, alpha, min_chases_per_arm, verdict, created_at, ended_at';

export const toExperiment = (r: ExperimentRow): Experiment => ({
  id: r.id,
  campaignId: r.campaign_id,
  name: r.name,
  status: r.status,
  arms: r.arms,
  alpha: r.alpha,
  minChasesPerArm: r.min_chases_per_arm,
  verdict: r.verdict,
  createdAt: r.created_at.toISOString(),
  endedAt: r.ended_at?.toISOString() ?? null,
});

/** What in the arms contradicts the campaign's rules, as the first problem with its field. */
export function armProblem(arms: Arm[], campaign: Pick<Campaign, 'scripts' | 'rules'>, window: CallingWindow): { field: string; message: string } | null {
  for (const [i, arm] of arms.entries()) {
    if (arm.script !== undefined && !campaign.scripts.some((s) => s.name === arm.script)) {
      const names = campaign.scripts.map((s) => JSON.stringify(s.name)).join(', ');
      return { field: `arms.${i}.script`, message: `the campaign has no script named ${JSON.stringify(arm.script)} (it has ${names})` };
    }
    if (arm.window) {
      const outside = windowWithin(arm.window as CallingWindow, window);
      if (outside) return { field: `arms.${i}.window`, message: `the arm's window must lie inside the campaign's: ${outside}` };
    }
    if (arm.delayMinutes !== undefined && arm.delayMinutes >= campaign.rules.expireAfterHours * 60) {
      return {
        field: `arms.${i}.delayMinutes`,
        message: `a delay of ${arm.delayMinutes} minutes leaves no time before the chase expires (${campaign.rules.expireAfterHours} hours after it starts)`,
      };
    }
  }
  if (arms.every((a) => a.script === undefined && a.window === undefined && a.delayMinutes === undefined)) {
    return { field: 'arms', message: 'every arm is the campaign as it is: give at least one arm a script, a window or a delay' };
  }
  return null;
}

export async function createExperiment(deps: Deps, tenantId: string, input: unknown): Promise<Experiment> {
  const e = ExperimentInputSchema.parse(input);
  const campaign = await getCampaign(deps.db, tenantId, e.campaignId, 'campaignId');
  if (campaign.status === 'canceled') throw new AppError('CONFLICT', 'the campaign is canceled', { field: 'campaignId' });
  const { window } = effectiveRules(campaign.rules, await getTenantChaseRules(deps.db, tenantId));
  const problem = armProblem(e.arms, campaign, window);
  if (problem) throw validation(`${problem.field}: ${problem.message}`, problem.field);
  return withTransaction(deps.db, async (tx) => {
    // The campaign's row lock orders two creates for one campaign; the unique index is the backstop.
    await tx.query(`select 1 from campaigns where tenant_id = $1 and id = $2 for update`, [tenantId, campaign.id]);
    const { rows: running } = await tx.query<{ id: string }>(`select id from experiments where tenant_id = $1 and campaign_id = $2 and status = 'running'`, [
      tenantId,
      campaign.id,
    ]);
    if (running[0]) {
      throw new AppError('CONFLICT', 'the campaign already has a running experiment: stop it first', {
        field: 'campaignId',
        details: { experimentId: running[0].id },
      });
    }
    const { rows } = await tx.query<ExperimentRow>(
      `insert into experiments (tenant_id, id, campaign_id, name, arms, alpha, min_chases_per_arm)
       values ($1, $2, $3, $4, $5, $6, $7) returning ${EXPERIMENT_COLUMNS}`,
      [tenantId, randomUUID(), campaign.id, e.name, JSON.stringify(e.arms), e.alpha, e.minChasesPerArm],
    );
    return toExperiment(rows[0]!);
  });
}

export async function getExperimentRecord(db: Pick<pg.Pool, 'query'>, tenantId: string, id: string): Promise<Experiment> {
  const { rows } = await db.query<ExperimentRow>(`select ${EXPERIMENT_COLUMNS} from experiments where tenant_id = $1 and id = $2`, [tenantId, id]);
  if (!rows[0]) throw notFound('experiment', 'id');
  return toExperiment(rows[0]);
}

/** Experiments in id order (as every list of the API), `limit + 1` of them so the caller can tell there are more. */
export async function listExperimentRecords(
  db: Pick<pg.Pool, 'query'>,
  tenantId: string,
  options: { campaignId?: string; status?: ExperimentStatus; limit: number; cursor?: string },
): Promise<Experiment[]> {
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  const { rows } = await db.query<ExperimentRow>(
    `select ${EXPERIMENT_COLUMNS} from experiments
      where tenant_id = $1 and ($2::uuid is null or id > $2) and ($3::uuid is null or campaign_id = $3) and ($4::text is null or status = $4)
      order by id limit $5`,
    [tenantId, after, options.campaignId ?? null, options.status ?? null, options.limit + 1],
  );
  return rows.map(toExperiment);
}

/** Stops a running experiment: new chases get the campaign as it is; assigned chases keep their arm. */
export async function stopExperiment(deps: Deps, tenantId: string, id: string): Promise<Experiment> {
  const { rows } = await deps.db.query<ExperimentRow>(
    `update experiments set status = 'stopped', ended_at = now() where tenant_id = $1 and id = $2 and status = 'running' returning ${EXPERIMENT_COLUMNS}`,
    [tenantId, id],
  );
  if (rows[0]) return toExperiment(rows[0]);
  const current = await getExperimentRecord(deps.db, tenantId, id);
  if (current.status === 'stopped') return current;
  throw new AppError('CONFLICT', `the experiment already ended (${current.status})`, { field: 'id' });
}
