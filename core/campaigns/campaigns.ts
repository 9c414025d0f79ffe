/**
 * Campaigns: what to say, on which line, under which rules, started by what. Pausing holds
 * every live chase where it is; resuming puts them back on the queue; cancelling ends them.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Deps } from '../deps.ts';
import { AppError, notFound } from '../errors.ts';
import { withTransaction } from '../db/pool.ts';
import { decodeCursor, toPage, type Page } from '../common/pagination.ts';
import {
  CampaignInputSchema,
  TenantChaseRulesSchema,
  defaultGoal,
  type CampaignGoal,
  type CampaignInput,
  type Industry,
  type TenantChaseRules,
} from './rules.ts';
import { chaseEngine } from '../deps.ts';
import { flagSettings } from '../scripts/flags.ts';
import type { ScriptFlagSettings } from '../scripts/flags.rules.ts';
import { CallSettingsSchema } from '../dialog/schema.ts';
import { endChases, rescheduleLive } from '../chases/transitions.ts';

export type CampaignStatus = 'active' | 'paused' | 'canceled';

export interface Campaign extends CampaignInput {
  id: string;
  /** Its own goal, else the default for its trigger. */
  goal: CampaignGoal;
  scriptFlags: ScriptFlagSettings;
  /** Its own industry, else 'other'. */
  industry: Industry;
  status: CampaignStatus;
  createdAt: string;
  updatedAt: string;
}

interface CampaignRow {
  id: string;
  name: string;
  goal: CampaignGoal | null;
  script_flags: unknown;
  schedule: CampaignInput['schedule'] | null;
  industry: Industry | null;
  status: CampaignStatus;
  trigger: CampaignInput['trigger'] & { segmentId?: string };
  channel: CampaignInput['channel'];
  rules: CampaignInput['rules'];
  scripts: CampaignInput['scripts'];
  lines: CampaignInput['lines'];
  call: Partial<CampaignInput['call']>;
  segment_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, name, goal, industry, script_flags, schedule, status, segment_id, trigger, channel, rules, scripts, lines, call, created_at, updated_at`;
const SELECT = `select ${COLUMNS} from campaigns`;

function toCampaign(r: CampaignRow): Campaign {
  return {
    id: r.id,
    name: r.name,
    goal: r.goal ?? defaultGoal(r.trigger),
    scriptFlags: flagSettings(r.script_flags),
    ...(r.schedule?.optimise ? { schedule: r.schedule } : {}),
    industry: r.industry ?? 'other',
    status: r.status,
    ...(r.segment_id ? { segmentId: r.segment_id } : {}),
    trigger: r.trigger,
    channel: r.channel,
    rules: r.rules,
    scripts: r.scripts,
    lines: r.lines,
    // Campaigns stored before calls had settings get the defaults.
    call: CallSettingsSchema.parse(r.call ?? {}),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** `schedule: {}` (optimising turned off) is stored as no schedule. */
const storedSchedule = (c: CampaignInput) => (c.schedule?.optimise ? c.schedule : null);

/** A campaign row read as `to_jsonb(campaigns)` inside another query: timestamps come as text. */
export type CampaignJson = Omit<CampaignRow, 'created_at' | 'updated_at'> & { created_at: string; updated_at: string };

export function campaignFromJson(j: CampaignJson): Campaign {
  return toCampaign({ ...j, created_at: new Date(j.created_at), updated_at: new Date(j.updated_at) });
}

/** The segment whose tiers a campaign's chases carry: its own, else its trigger's. */
export const campaignSegment = (c: Pick<Campaign, 'segmentId' | 'trigger'>): string | null =>
  c.segmentId ?? (c.trigger.type === 'segment-entry' ? c.trigger.segmentId : null);

async function assertSegment(db: Pick<pg.Pool, 'query'>, tenantId: string, segmentId: string | null, field: string) {
  if (!segmentId) return;
  const { rowCount } = await db.query(`select 1 from segments where tenant_id = $1 and id = $2`, [tenantId, segmentId]);
  if (!rowCount) throw notFound('segment', field);
}

/** The campaign's columns as the insert and the update take them: $1 tenant, $2 id, then $3–$14. */
function campaignParams(tenantId: string, id: string, c: CampaignInput): unknown[] {
  return [
    tenantId,
    id,
    c.name,
    c.segmentId ?? null,
    c.trigger,
    c.channel,
    c.rules,
    JSON.stringify(c.scripts),
    JSON.stringify(c.lines),
    c.call,
    c.goal ?? null,
    c.scriptFlags ?? null,
    storedSchedule(c),
    c.industry ?? null,
  ];
}

export async function createCampaign(deps: Deps, tenantId: string, input: unknown): Promise<Campaign> {
  const c = CampaignInputSchema.parse(input);
  await assertSegment(deps.db, tenantId, c.segmentId ?? null, 'segmentId');
  if (c.trigger.type === 'segment-entry') await assertSegment(deps.db, tenantId, c.trigger.segmentId, 'trigger.segmentId');
  return withTransaction(deps.db, async (tx) => {
    const id = randomUUID();
    const { rows } = await tx.query<CampaignRow>(
      `insert into campaigns (tenant_id, id, name, segment_id, trigger, channel, rules, scripts, lines, call, goal, script_flags, schedule, industry)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) returning ${COLUMNS}`,
      campaignParams(tenantId, id, c),
    );
    await seedEntries(tx, tenantId, id, c.trigger);
    return toCampaign(rows[0]!);
  });
}

/**
 * A segment-entry campaign chases only contacts entering from now on (unless includeExisting):
 * the current members are recorded as already seen. Run on create and whenever the trigger changes.
 */
async function seedEntries(tx: Pick<pg.PoolClient, 'query'>, tenantId: string, campaignId: string, trigger: CampaignInput['trigger']) {
  await tx.query(`delete from campaign_entries where tenant_id = $1 and campaign_id = $2`, [tenantId, campaignId]);
  if (trigger.type !== 'segment-entry' || trigger.includeExisting) return;
  await tx.query(
    `insert into campaign_entries (tenant_id, campaign_id, contact_id)
     select $1, $2, contact_id from segment_members
      where tenant_id = $1 and segment_id = $3 and ($4::text[] is null or tier = any($4))`,
    [tenantId, campaignId, trigger.segmentId, trigger.tiers ?? null],
  );
}

/** @param field the input that named the campaign, for the 404 ('id' on /campaigns/{id}, 'campaignId' on a chase) */
export async function getCampaign(db: Pick<pg.Pool, 'query'>, tenantId: string, id: string, field = 'id'): Promise<Campaign> {
  const { rows } = await db.query<CampaignRow>(`${SELECT} where tenant_id = $1 and id = $2`, [tenantId, id]);
  if (!rows[0]) throw notFound('campaign', field);
  return toCampaign(rows[0]);
}

export async function listCampaigns(
  deps: Deps,
  tenantId: string,
  options: { cursor?: string; limit: number; status?: CampaignStatus },
): Promise<Page<Campaign>> {
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  const { rows } = await deps.db.query<CampaignRow>(
    `${SELECT} where tenant_id = $1 and ($2::uuid is null or id > $2) and ($3::text is null or status = $3) order by id limit $4`,
    [tenantId, after, options.status ?? null, options.limit + 1],
  );
  return toPage(rows, options.limit, toCampaign);
}

/**
 * Replaces what a campaign says and how it runs. Live chases keep their script and priority;
 * rules (window, caps, attempts) apply from their next step.
 */
export async function updateCampaign(deps: Deps, tenantId: string, id: string, input: unknown): Promise<Campaign> {
  const current = await getCampaign(deps.db, tenantId, id);
  if (current.status === 'canceled') throw new AppError('CONFLICT', 'a canceled campaign cannot be changed', { field: 'status' });
  const { id: _id, status: _s, createdAt: _c, updatedAt: _u, ...base } = current;
  const c = CampaignInputSchema.parse({ ...base, ...(input as object) });
  await assertSegment(deps.db, tenantId, c.segmentId ?? null, 'segmentId');
  if (c.trigger.type === 'segment-entry') await assertSegment(deps.db, tenantId, c.trigger.segmentId, 'trigger.segmentId');
  return withTransaction(deps.db, async (tx) => {
    const { rows } = await tx.query<CampaignRow>(
      `update campaigns set name = $3, segment_id = $4, trigger = $5, channel = $6, rules = $7, scripts = $8, lines = $9, call = $10, goal = $11, script_flags = $12, schedule = $13, industry = $14, updated_at = now()
        where tenant_id = $1 and id = $2 returning ${COLUMNS}`,
      campaignParams(tenantId, id, c),
    );
    if (JSON.stringify(c.trigger) !== JSON.stringify(current.trigger)) await seedEntries(tx, tenantId, id, c.trigger);
    return toCampaign(rows[0]!);
  });
}

const transitions: Record<'pause' | 'resume' | 'cancel', { from: CampaignStatus[]; to: CampaignStatus }> = {
  pause: { from: ['active', 'paused'], to: 'paused' },
  resume: { from: ['paused', 'active'], to: 'active' },
  cancel: { from: ['active', 'paused', 'canceled'], to: 'canceled' },
};

/**
 * Pause: live chases stay as they are and their jobs find the campaign paused and wait.
 * Resume: every live chase gets a fresh job (due now, or when it was due). Cancel: every
 * live chase ends as canceled. Repeating an action is harmless.
 */
export async function setCampaignStatus(deps: Deps, tenantId: string, id: string, action: 'pause' | 'resume' | 'cancel'): Promise<Campaign> {
  return withTransaction(deps.db, async (tx) => {
    const { rows } = await tx.query<{ status: CampaignStatus }>(`select status from campaigns where tenant_id = $1 and id = $2 for update`, [tenantId, id]);
    if (!rows[0]) throw notFound('campaign', 'id');
    const rule = transitions[action];
    if (!rule.from.includes(rows[0].status)) {
      throw new AppError('CONFLICT', `a ${rows[0].status} campaign cannot ${action}`, { field: 'status' });
    }
    await tx.query(`update campaigns set status = $3, updated_at = now() where tenant_id = $1 and id = $2`, [tenantId, id, rule.to]);
    if (action === 'cancel') await endChases(tx, tenantId, { campaignId: id }, 'canceled', { reason: 'campaign canceled' });
    if (action === 'resume' && rows[0].status === 'paused') {
      const { jobs, clock } = chaseEngine(deps); // only resuming sends jobs
      await rescheduleLive(tx, jobs, tenantId, id, clock.now());
    }
    return getCampaign(tx, tenantId, id);
  });
}

export async function getTenantChaseRules(db: Pick<pg.Pool, 'query'>, tenantId: string): Promise<TenantChaseRules> {
  const { rows } = await db.query<{ chase_rules: unknown }>(`select chase_rules from tenants where id = $1`, [tenantId]);
  return TenantChaseRulesSchema.parse(rows[0]?.chase_rules ?? {});
}

export async function setTenantChaseRules(deps: Deps, tenantId: string, input: unknown): Promise<TenantChaseRules> {
  const rules = TenantChaseRulesSchema.parse(input);
  await deps.db.query(`update tenants set chase_rules = $2 where id = $1`, [tenantId, rules]);
  return rules;
}
