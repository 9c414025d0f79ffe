/**
 * File imports of contacts and do-not-call lists. Rows stream in from a reader
 * (connectors/files), are checked one by one, and land in batches: a bad row is reported
 * with its spreadsheet row number and column while the good rows around it are kept.
 */
import { randomUUID } from 'node:crypto';
import { AppError, notFound, validation } from '../errors.ts';
import type { Actor, Deps } from '../deps.ts';
import type { ImportRow, ImportSource } from './rows.ts';
import { isRegionCode } from '../phone/phone.ts';
import { getTenant } from '../tenants/tenants.ts';
import { recordOptOuts, type Channel } from '../consent/consent.ts';
import { upsertContactBatch, type PreparedContact } from './store.ts';
import { merge, prepareRows, type Prepared } from './prepare.ts';
import { withTransaction } from '../db/pool.ts';
import { queueImportNumberChecks } from '../contacts/number-quality.ts';
import { holdImportLease } from './liveness.ts';

export const importKinds = ['contacts', 'do-not-call'] as const;
export type ImportKind = (typeof importKinds)[number];

export interface RejectedRow {
  row: number;
  /** The header as the file names it; null when the row is rejected as a whole. */
  column: string | null;
  reason: string;
}

export interface ImportResult {
  id: string;
  kind: ImportKind;
  total: number;
  created: number;
  updated: number;
  rejected: RejectedRow[];
}

export interface ImportOptions {
  kind?: ImportKind;
  /** Region for numbers written without a country code; defaults to the tenant's. */
  defaultRegion?: string;
  /** Channel a do-not-call list opts numbers out of; default `all`. */
  channel?: Channel;
  /** Called after each batch lands with the number of rows read so far. */
  onProgress?: (rowsRead: number) => void;
  batchSize?: number;
}

/** Rows checked and encrypted together (see prepareRows). */
const CHUNK = 500;
/** Batches written to the database at once. */
const MAX_INFLIGHT = 2;

export async function importFile(deps: Deps, actor: Actor, source: ImportSource, options: ImportOptions = {}): Promise<ImportResult> {
  const kind = options.kind ?? 'contacts';
  const region = (options.defaultRegion ?? (await getTenant(deps, actor.tenantId)).defaultRegion).toUpperCase();
  if (!isRegionCode(region)) throw validation(`"${options.defaultRegion}" is not a known ISO 3166-1 region code`, 'defaultRegion');
  if (!source.columns.phone) {
    const found = source.headers.length ? `found: ${source.headers.join(', ')}` : 'the file is empty';
    throw validation(`the file has no phone column (such as 手机号, 电话, phone or mobile); ${found}`, 'file');
  }

  const result: ImportResult = { id: randomUUID(), kind, total: 0, created: 0, updated: 0, rejected: [] };
  // Held from before the row exists until the import ends: while it is held, this import is
  // alive to every process that looks (see imports.liveness.ts).
  const lease = await holdImportLease(deps.db, result.id);
  try {
    await deps.db.query(`insert into imports (tenant_id, id, kind, api_key_id, status, encoding) values ($1, $2, $3, $4, 'running', $5)`, [
      actor.tenantId,
      result.id,
      kind,
      actor.keyId,
      source.encoding?.() ?? null,
    ]);
    return await run(deps, actor, source, { ...options, kind, region, result, lease });
  } finally {
    await lease.release();
  }
}

/** What the rows read since the last batch was cut add to the import, landed with that batch. */
interface Progress {
  rows: number;
  /** Rows folded into an earlier row of the same batch (same number): each is an update. */
  merged: number;
  rejected: RejectedRow[];
}

const noProgress = (): Progress => ({ rows: 0, merged: 0, rejected: [] });

async function run(
  deps: Deps,
  actor: Actor,
  source: ImportSource,
  options: ImportOptions & { kind: ImportKind; region: string; result: ImportResult; lease: { check(): void } },
): Promise<ImportResult> {
  const { kind, region, result } = options;
  const batchSize = options.batchSize ?? 2000;
  let batch = new Map<string, PreparedContact>();
  let progress = noProgress();
  // Batches being written. Two may be in flight when they share no number, so a later row
  // still always lands after an earlier row with the same number.
  const inflight: { done: Promise<void>; numbers: Map<string, PreparedContact> }[] = [];
  const settle = async () => {
    const oldest = inflight.shift();
    await oldest?.done;
  };

  // A batch and the counts of the rows behind it commit together, so after a crash the
  // import's row says exactly what landed.
  const land = (rows: PreparedContact[], p: Progress) =>
    withTransaction(deps.db, async (tx) => {
      options.lease.check();
      let created: number;
      if (kind === 'do-not-call') {
        const fresh = await recordOptOuts(
          deps,
          actor.tenantId,
          rows.map((r) => ({
            phoneHash: Buffer.from(r.phoneHash, 'hex'),
            phoneEnc: r.phoneEnc,
            channel: options.channel ?? 'all',
            source: 'import' as const,
          })),
          tx,
        );
        created = fresh.filter(Boolean).length;
      } else {
        created = await upsertContactBatch(tx, actor.tenantId, rows);
      }
      const updated = rows.length - created;
      await tx.query(
        `update imports set total = total + $3, created = created + $4, updated = updated + $5, rejected = rejected || $6::jsonb,
                encoding = coalesce($7, encoding), progressed_at = now()
          where tenant_id = $1 and id = $2`,
        [actor.tenantId, result.id, p.rows, created, updated + p.merged, JSON.stringify(p.rejected), source.encoding?.() ?? null],
      );
      return { created, updated };
    }).then(({ created, updated }) => {
      result.created += created;
      result.updated += updated;
      options.onProgress?.(result.total);
    });
  // Parsing and encrypting the next batch overlaps with the database writing earlier ones.
  const flush = async () => {
    const numbers = batch;
    const behind = progress;
    batch = new Map();
    progress = noProgress();
    const overlaps = () => inflight.some((b) => [...numbers.keys()].some((n) => b.numbers.has(n)));
    while (inflight.length >= MAX_INFLIGHT || (inflight.length > 0 && overlaps())) await settle();
    if (numbers.size === 0) return; // only rejected rows since the last batch: finish() records them
    const done = land([...numbers.values()], behind);
    done.catch(() => undefined); // awaited by settle(); not an unhandled rejection meanwhile
    inflight.push({ done, numbers });
  };
  const drain = async () => {
    while (inflight.length) await settle();
  };

  const take = async (p: Prepared) => {
    result.total++;
    progress.rows++;
    if (!p.ok) {
      const rejected = { row: p.row, column: p.column ?? (p.field && source.columns[p.field]) ?? null, reason: p.reason };
      result.rejected.push(rejected);
      progress.rejected.push(rejected);
      return;
    }
    const earlier = batch.get(p.contact.phoneHash);
    if (earlier) {
      result.updated++;
      progress.merged++;
    }
    batch.set(p.contact.phoneHash, earlier ? merge(earlier, p.contact) : p.contact);
    if (batch.size >= batchSize) await flush();
  };

  let chunk: ImportRow[] = [];
  const takeChunk = async () => {
    for (const p of prepareRows(deps.pii, chunk, region)) await take(p);
    chunk = [];
  };

  // A file that breaks half-way (a stray quote, an upload cut at the size limit) still lands
  // every good row read before the break; the error then says how far it got.
  let readError: unknown = null;
  try {
    const rows = source.rows[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<ImportRow>;
      try {
        next = await rows.next();
      } catch (err) {
        readError = err;
        break;
      }
      if (next.done) break;
      chunk.push(next.value);
      if (chunk.length === CHUNK) await takeChunk();
    }
    await takeChunk();
    await flush();
    await drain();
  } catch (err) {
    await Promise.allSettled(inflight.map((b) => b.done));
    await finish(deps, actor.tenantId, source, result, 'failed', 'the import stopped on an internal error');
    throw err;
  }
  if (readError) {
    const cause = readError instanceof AppError ? readError : null;
    const message = cause?.message ?? 'the file could not be read';
    await finish(deps, actor.tenantId, source, result, 'failed', message);
    // Reader messages name rows and positions, never cell values, so they are safe to store.
    throw new AppError(cause?.code ?? 'VALIDATION', `${message} (rows before it were imported: see import ${result.id})`, {
      field: cause?.field ?? 'file',
      details: { ...cause?.details, importId: result.id, total: result.total, created: result.created, updated: result.updated },
      cause: readError,
    });
  }
  await finish(deps, actor.tenantId, source, result, 'done', null);
  return result;
}

async function finish(deps: Deps, tenantId: string, source: ImportSource, r: ImportResult, status: 'done' | 'failed', error: string | null) {
  // One transaction: an import is never finished without its number checks queued.
  await withTransaction(deps.db, async (tx) => {
    await tx.query(
      `update imports set status = $3, total = $4, created = $5, updated = $6, rejected = $7, error = $8, encoding = coalesce($9, encoding),
              finished_at = now(), progressed_at = now()
        where tenant_id = $1 and id = $2`,
      [tenantId, r.id, status, r.total, r.created, r.updated, JSON.stringify(r.rejected), error, source.encoding?.() ?? null],
    );
    // Even a failed import keeps the rows it landed, so their numbers are checked too.
    if (r.kind === 'contacts' && r.created + r.updated > 0) await queueImportNumberChecks(deps, tx, tenantId, r.id);
  });
}

export const importStatuses = ['running', 'done', 'failed', 'interrupted'] as const;
export type ImportStatus = (typeof importStatuses)[number];

/** What to do about an import that did not end well; null when there is nothing to do. */
export function importHint(status: ImportStatus, committed: number): string | null {
  if (status === 'interrupted') {
    return `The import was interrupted after ${committed} rows were committed. Import the same file again to complete it: rows already imported are updated, never duplicated.`;
  }
  if (status === 'failed' && committed > 0) {
    return `${committed} rows before the problem were imported. Fix the file and import it again to complete it: rows already imported are updated, never duplicated.`;
  }
  return null;
}

export async function getImport(deps: Deps, tenantId: string, id: string) {
  const { rows } = await deps.db.query(
    `select id, kind, status, encoding, total, created, updated, rejected, error, created_at, finished_at, progressed_at
       from imports where tenant_id = $1 and id = $2`,
    [tenantId, id],
  );
  const r = rows[0];
  if (!r) throw notFound('import', 'id');
  const status = r.status as ImportStatus;
  const committed = (r.created as number) + (r.updated as number);
  return {
    id: r.id as string,
    kind: r.kind as ImportKind,
    status,
    encoding: r.encoding as string | null,
    total: r.total as number,
    created: r.created as number,
    updated: r.updated as number,
    committed,
    rejected: r.rejected as RejectedRow[],
    error: r.error as string | null,
    hint: importHint(status, committed),
    createdAt: (r.created_at as Date).toISOString(),
    progressedAt: (r.progressed_at as Date).toISOString(),
    finishedAt: (r.finished_at as Date | null)?.toISOString() ?? null,
  };
}
