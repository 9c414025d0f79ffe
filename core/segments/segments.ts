/**
 * Segments: rule tiers (or k-means clusters) over contacts. A refresh recomputes every member
 * in one transaction; rule tiers in one set-based statement, so it scales with the database,
 * not with a loop over contacts.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { kmeans } from 'ml-kmeans';
import type { Deps } from '../deps.ts';
import { AppError, notFound } from '../errors.ts';
import { withTransaction } from '../db/pool.ts';
import { decodeCursor, toPage, type Page } from '../common/pagination.ts';
import { compileTiers, numericSql, validateDefinition, type KmeansDefinition, type SegmentDefinition } from './rules.ts';

export type { SegmentDefinition } from './rules.ts';

export interface Segment {
  id: string;
  name: string;
  definition: SegmentDefinition;
  createdAt: string;
  /** Null until the first refresh. */
  refreshedAt: string | null;
  /** Members per tier at the last refresh (every tier listed, zeros included). */
  counts: Record<string, number>;
  total: number;
}

interface SegmentRow {
  id: string;
  name: string;
  definition: SegmentDefinition;
  created_at: Date;
  refreshed_at: Date | null;
  counts: Record<string, number>;
}

const SELECT = `select id, name, definition, created_at, refreshed_at, counts from segments`;

function toSegment(r: SegmentRow): Segment {
  return {
    id: r.id,
    name: r.name,
    definition: r.definition,
    createdAt: r.created_at.toISOString(),
    refreshedAt: r.refreshed_at?.toISOString() ?? null,
    counts: r.counts,
    total: Object.values(r.counts).reduce((a, b) => a + b, 0),
  };
}

/** Default seed so a k-means segment refreshed twice over the same contacts gives the same clusters. */
const DEFAULT_SEED = 42;

export async function createSegment(deps: Deps, tenantId: string, input: { name: string; definition: unknown }): Promise<Segment> {
  const definition = validateDefinition(input.definition);
  const { rows } = await deps.db.query<SegmentRow>(
    `insert into segments (tenant_id, id, name, definition) values ($1, $2, $3, $4)
     returning id, name, definition, created_at, refreshed_at, counts`,
    [tenantId, randomUUID(), input.name, definition],
  );
  return toSegment(rows[0]!);
}

export async function getSegment(deps: Deps, tenantId: string, id: string): Promise<Segment> {
  const { rows } = await deps.db.query<SegmentRow>(`${SELECT} where tenant_id = $1 and id = $2`, [tenantId, id]);
  if (!rows[0]) throw notFound('segment', 'id');
  return toSegment(rows[0]);
}

export async function listSegments(deps: Deps, tenantId: string, options: { cursor?: string; limit: number }): Promise<Page<Segment>> {
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  const { rows } = await deps.db.query<SegmentRow>(`${SELECT} where tenant_id = $1 and ($2::uuid is null or id > $2) order by id limit $3`, [
    tenantId,
    after,
    options.limit + 1,
  ]);
  return toPage(rows, options.limit, toSegment);
}

/**
 * Recomputes a segment's members and counts now, in one transaction (readers see the old
 * members until it commits); refreshes of one segment queue behind each other on its row lock.
 */
export async function refreshSegment(deps: Deps, tenantId: string, id: string): Promise<Record<string, number>> {
  return withTransaction(deps.db, async (tx) => {
    const { rows } = await tx.query<{ definition: SegmentDefinition }>(`select definition from segments where tenant_id = $1 and id = $2 for update`, [
      tenantId,
      id,
    ]);
    if (!rows[0]) throw notFound('segment', 'id');
    const definition = validateDefinition(rows[0].definition);
    let tiers: string[];
    if (definition.kind === 'rules') {
      // Only what changed is written: a member whose contact left the segment, changed tier
      // or is gone is deleted; new members are inserted; the rest are not touched (a rewrite
      // of a million unchanged rows costs seconds and a gigabyte of WAL). The tiers are
      // computed once, into a temporary table (no WAL), and both sides are hash anti-joins.
      const tier = compileTiers(definition, 2);
      await tx.query(`set local work_mem = '256MB'`);
      await tx.query(`create temp table segment_fresh (contact_id uuid not null, tier text not null) on commit drop`);
      await tx.query(
        `insert into segment_fresh select id, tier from (select id, ${tier.sql} as tier from contacts where tenant_id = $1) c where tier is not null`,
        [tenantId, ...tier.params],
      );
      await tx.query(`analyze segment_fresh`);
      await tx.query(
        `delete from segment_members m where m.tenant_id = $1 and m.segment_id = $2
            and not exists (select 1 from segment_fresh f where f.contact_id = m.contact_id and f.tier = m.tier)`,
        [tenantId, id],
      );
      await tx.query(
        `insert into segment_members (tenant_id, segment_id, contact_id, tier)
         select $1, $2, f.contact_id, f.tier from segment_fresh f
          where not exists (select 1 from segment_members m where m.tenant_id = $1 and m.segment_id = $2 and m.contact_id = f.contact_id)`,
        [tenantId, id],
      );
      tiers = definition.tiers.map((t) => t.name);
    } else {
      await tx.query(`delete from segment_members where tenant_id = $1 and segment_id = $2`, [tenantId, id]);
      tiers = await insertClusters(tx, tenantId, id, definition);
    }
    const counted = await tx.query<{ tier: string; n: number }>(
      `select tier, count(*)::int as n from segment_members where tenant_id = $1 and segment_id = $2 group by tier`,
      [tenantId, id],
    );
    const counts = Object.fromEntries(tiers.map((t) => [t, 0]));
    for (const r of counted.rows) counts[r.tier] = r.n;
    await tx.query(`update segments set counts = $3, refreshed_at = now() where tenant_id = $1 and id = $2`, [tenantId, id, counts]);
    return counts;
  });
}

/**
 * Clusters contacts having every attribute as a number (ml-kmeans, seeded) and inserts them in
 * one statement. Attributes are standardised so one measured in thousands does not drown the
 * others; clusters are named cluster-1…k by their centre on the first attribute, ascending,
 * so names stay put from one refresh to the next.
 */
async function insertClusters(tx: pg.PoolClient, tenantId: string, segmentId: string, def: KmeansDefinition): Promise<string[]> {
  const values = def.attributes.map((_, i) => `${numericSql(`(attributes ->> $${i + 2}::text)`)}::float8`);
  const { rows } = await tx.query<{ id: string; point: (number | null)[] }>(
    `select id, array[${values.join(', ')}] as point from contacts where tenant_id = $1 order by id`,
    [tenantId, ...def.attributes],
  );
  const complete = rows.filter((r) => r.point.every((v) => v !== null && Number.isFinite(v))) as { id: string; point: number[] }[];
  const distinct = new Set(complete.map((r) => r.point.join(','))).size;
  if (distinct < def.k) {
    throw new AppError('CONFLICT', `k-means with k=${def.k} needs at least ${def.k} distinct points; the contacts have ${distinct}`, {
      field: 'definition.k',
    });
  }
  const data = standardise(complete.map((r) => r.point));
  const result = kmeans(data, def.k, { seed: def.seed ?? DEFAULT_SEED, initialization: 'kmeans++' });
  const order = result.centroids.map((c, i) => ({ i, x: c[0]! })).sort((a, b) => a.x - b.x || a.i - b.i);
  const nameOf = new Map(order.map((o, rank) => [o.i, `cluster-${rank + 1}`]));
  await tx.query(
    `insert into segment_members (tenant_id, segment_id, contact_id, tier)
     select $1, $2, contact_id, tier from unnest($3::uuid[], $4::text[]) as m (contact_id, tier)`,
    [tenantId, segmentId, complete.map((r) => r.id), result.clusters.map((c) => nameOf.get(c)!)],
  );
  return order.map((_, rank) => `cluster-${rank + 1}`);
}

/** Each dimension to mean 0, standard deviation 1 (a constant dimension just to 0). */
function standardise(points: number[][]): number[][] {
  const dims = points[0]?.length ?? 0;
  const scale = Array.from({ length: dims }, (_, d) => {
    const xs = points.map((p) => p[d]!);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    return { mean, sd: sd || 1 };
  });
  return points.map((p) => p.map((x, d) => (x - scale[d]!.mean) / scale[d]!.sd));
}
