/**
 * The tenant's line pool: the carrier's numbers, BYOC trunks and SIP URIs, each with a tier, a cost,
 * a CPS limit and a region. Campaigns without inline lines call from here (core/lines/select.ts
 * picks one; core/lines/health.ts drains the failing ones).
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { AppError, notFound } from '../errors.ts';
import { decodeCursor, toPage, type Page } from '../common/pagination.ts';
import type { LineRoute } from '../ports.ts';

export const lineKinds = ['number', 'byoc', 'sip'] as const;
export const lineTiers = ['premium', 'standard'] as const;
export type LineKind = (typeof lineKinds)[number];
export type LineTier = (typeof lineTiers)[number];

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +14155550100');
// A host name (optionally with a port): it becomes the part after @ in sip:{E.164}@{domain}.
const sipDomain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}(:\d{1,5})?$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/, 'must be a host name such as sip.example.com');

const lineFields = {
  name: z.string().trim().min(1).max(100),
  kind: z
    .enum(lineKinds)
    .default('number')
    .describe("number: a number on the carrier; byoc: a BYOC trunk of the carrier's (bring your own carrier); sip: a SIP URI"),
  fromNumber: e164.describe('the caller id shown to the callee'),
  byocTrunkSid: z
    .string()
    .regex(/^BY[0-9a-f]{32}$/, 'must be a BYOC trunk sid: BY followed by 32 hex digits')
    .nullish()
    .describe('kind byoc only'),
  sipDomain: sipDomain.nullish().describe('kind sip only: calls go to sip:{E.164}@{sipDomain}'),
  tier: z.enum(lineTiers).default('standard').describe('premium lines are kept for high-priority contacts'),
  costPerMinute: z.number().min(0).max(1000).default(0).describe('in the tenant’s currency; the cheapest healthy line is used first'),
  cps: z.number().gt(0, 'must be more than 0 calls per second').max(1000).default(1).describe('calls per second this line may start'),
  region: z.string().trim().min(1).max(64).nullish().describe('free text, e.g. US or eu-west'),
  enabled: z.boolean().default(true),
};

/** Refuses a line that contradicts itself, naming the field (the API answers 400 with it). */
function checkKind(l: { kind: LineKind; byocTrunkSid?: string | null; sipDomain?: string | null }, ctx: z.RefinementCtx) {
  if (l.kind === 'byoc' && !l.byocTrunkSid) ctx.addIssue({ code: 'custom', path: ['byocTrunkSid'], message: 'a byoc line needs its trunk sid (BY…)' });
  if (l.kind !== 'byoc' && l.byocTrunkSid)
    ctx.addIssue({ code: 'custom', path: ['byocTrunkSid'], message: `only a byoc line has a trunk sid (this one is ${l.kind}); send null to clear it` });
  if (l.kind === 'sip' && !l.sipDomain) ctx.addIssue({ code: 'custom', path: ['sipDomain'], message: 'a sip line needs the domain its calls go to' });
  if (l.kind !== 'sip' && l.sipDomain)
    ctx.addIssue({ code: 'custom', path: ['sipDomain'], message: `only a sip line has a domain (this one is ${l.kind}); send null to clear it` });
}

export const LineInputSchema = z.object(lineFields).superRefine(checkKind).meta({ id: 'LineInput' });
export type LineInput = z.output<typeof LineInputSchema>;

/** PATCH: the fields given replace the line's; the merged line is checked by LineInputSchema. */
export const LinePatchSchema = z.object({
  name: lineFields.name.optional(),
  kind: z.enum(lineKinds).optional(),
  fromNumber: lineFields.fromNumber.optional(),
  byocTrunkSid: lineFields.byocTrunkSid,
  sipDomain: lineFields.sipDomain,
  tier: z.enum(lineTiers).optional(),
  costPerMinute: z.number().min(0).max(1000).optional(),
  cps: z.number().gt(0, 'must be more than 0 calls per second').max(1000).optional(),
  region: lineFields.region,
  enabled: z.boolean().optional(),
});
export type LinePatch = z.output<typeof LinePatchSchema>;

export interface Line {
  id: string;
  name: string;
  kind: LineKind;
  fromNumber: string;
  byocTrunkSid: string | null;
  sipDomain: string | null;
  tier: LineTier;
  costPerMinute: number;
  cps: number;
  region: string | null;
  enabled: boolean;
  drainedAt: string | null;
  drainReason: string | null;
  lastProbeAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface LineRow {
  id: string;
  name: string;
  kind: LineKind;
  from_number: string;
  byoc_trunk_sid: string | null;
  sip_domain: string | null;
  tier: LineTier;
  cost_per_minute: string;
  cps: string;
  region: string | null;
  enabled: boolean;
  drained_at: Date | null;
  drain_reason: string | null;
  last_probe_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const LINE_COLUMNS = `id, name, kind, from_number, byoc_trunk_sid, sip_domain, tier, cost_per_minute, cps, region, enabled,
  drained_at, drain_reason, last_probe_at, created_at, updated_at`;

export function toLine(r: LineRow): Line {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    fromNumber: r.from_number,
    byocTrunkSid: r.byoc_trunk_sid,
    sipDomain: r.sip_domain,
    tier: r.tier,
    // numeric comes back as text from node-postgres; costs and rates are small enough for a double.
    costPerMinute: Number(r.cost_per_minute),
    cps: Number(r.cps),
    region: r.region,
    enabled: r.enabled,
    drainedAt: r.drained_at?.toISOString() ?? null,
    drainReason: r.drain_reason,
    lastProbeAt: r.last_probe_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';
const nameTaken = (name: string, cause: unknown) => new AppError('CONFLICT', `a line named "${name}" already exists`, { field: 'name', cause });

const params = (l: LineInput) => [
  l.name,
  l.kind,
  l.fromNumber,
  l.byocTrunkSid ?? null,
  l.sipDomain ?? null,
  l.tier,
  l.costPerMinute,
  l.cps,
  l.region ?? null,
  l.enabled,
];

export async function createLine(deps: Pick<Deps, 'db'>, tenantId: string, input: unknown): Promise<Line> {
  const l = LineInputSchema.parse(input);
  try {
    const { rows } = await deps.db.query<LineRow>(
      `insert into lines (tenant_id, id, name, kind, from_number, byoc_trunk_sid, sip_domain, tier, cost_per_minute, cps, region, enabled)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning ${LINE_COLUMNS}`,
      [tenantId, randomUUID(), ...params(l)],
    );
    return toLine(rows[0]!);
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(l.name, err);
    throw err;
  }
}

/**
 * Adds `input` only when the tenant has no line at all (a starter line, such as the carrier
 * simulator's); null when the pool already had one. Safe when several processes start at once:
 * the unique name lets one insert win.
 */
export async function addLineIfPoolEmpty(db: Pick<pg.Pool, 'query'>, tenantId: string, input: unknown): Promise<Line | null> {
  const l = LineInputSchema.parse(input);
  const { rows } = await db.query<LineRow>(
    `insert into lines (tenant_id, id, name, kind, from_number, byoc_trunk_sid, sip_domain, tier, cost_per_minute, cps, region, enabled)
     select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 where not exists (select 1 from lines where tenant_id = $1)
     on conflict (tenant_id, name) do nothing returning ${LINE_COLUMNS}`,
    [tenantId, randomUUID(), ...params(l)],
  );
  return rows[0] ? toLine(rows[0]) : null;
}

/** Removes the line with this name and number, if there is one (the simulator's, once a real carrier is used). */
export async function deleteLineNamed(db: Pick<pg.Pool, 'query'>, tenantId: string, name: string, fromNumber: string): Promise<Line | null> {
  const { rows } = await db.query<LineRow>(`delete from lines where tenant_id = $1 and name = $2 and from_number = $3 returning ${LINE_COLUMNS}`, [
    tenantId,
    name,
    fromNumber,
  ]);
  return rows[0] ? toLine(rows[0]) : null;
}

/** @param field the input that named the line, for the 404 */
export async function getLine(deps: Pick<Deps, 'db'>, tenantId: string, id: string, field = 'id'): Promise<Line> {
  const { rows } = await deps.db.query<LineRow>(`select ${LINE_COLUMNS} from lines where tenant_id = $1 and id = $2`, [tenantId, id]);
  if (!rows[0]) throw notFound('line', field);
  return toLine(rows[0]);
}

export async function listLines(deps: Pick<Deps, 'db'>, tenantId: string, options: { cursor?: string; limit: number }): Promise<Page<Line>> {
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  const { rows } = await deps.db.query<LineRow>(
    `select ${LINE_COLUMNS} from lines where tenant_id = $1 and ($2::uuid is null or id > $2) order by id limit $3`,
    [tenantId, after, options.limit + 1],
  );
  return toPage(rows, options.limit, toLine);
}

/** Every line of a tenant, for choosing one (pools are tens of lines, not thousands). */
export async function allLines(db: Pick<pg.Pool, 'query'>, tenantId: string): Promise<Line[]> {
  const { rows } = await db.query<LineRow>(`select ${LINE_COLUMNS} from lines where tenant_id = $1 order by name`, [tenantId]);
  return rows.map(toLine);
}

/** Replaces the fields given; the merged line must still make sense (a byoc line keeps a trunk sid…). */
export async function updateLine(deps: Pick<Deps, 'db'>, tenantId: string, id: string, patch: unknown): Promise<Line> {
  const p = LinePatchSchema.parse(patch);
  const current = await getLine(deps, tenantId, id);
  const given = Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined));
  const merged = LineInputSchema.parse({ ...current, ...given });
  try {
    const { rows } = await deps.db.query<LineRow>(
      `update lines set name = $3, kind = $4, from_number = $5, byoc_trunk_sid = $6, sip_domain = $7, tier = $8,
              cost_per_minute = $9, cps = $10, region = $11, enabled = $12, updated_at = now()
        where tenant_id = $1 and id = $2 returning ${LINE_COLUMNS}`,
      [tenantId, id, ...params(merged)],
    );
    if (!rows[0]) throw notFound('line', 'id');
    return toLine(rows[0]);
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(merged.name, err);
    throw err;
  }
}

/** Removes a line from the pool; its past attempts keep their line_id for reports. */
export async function deleteLine(deps: Pick<Deps, 'db'>, tenantId: string, id: string): Promise<Line> {
  const { rows } = await deps.db.query<LineRow>(`delete from lines where tenant_id = $1 and id = $2 returning ${LINE_COLUMNS}`, [tenantId, id]);
  if (!rows[0]) throw notFound('line', 'id');
  return toLine(rows[0]);
}

/** How a call on this line goes out; what the carrier is given for it is the connector's business. */
export function lineRoute(line: Pick<Line, 'kind' | 'byocTrunkSid' | 'sipDomain'>): LineRoute {
  if (line.kind === 'sip') return { kind: 'sip', domain: line.sipDomain! };
  if (line.kind === 'byoc') return { kind: 'trunk', trunkId: line.byocTrunkSid! };
  return { kind: 'number' };
}
