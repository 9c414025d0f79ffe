/**
 * File imports of contacts and do-not-call lists. Rows stream in from a reader
 * (connectors/files), are checked one by one, and land in batches: a bad row is reported
 * with its spreadsheet row number and column while the good rows around it are kept.
 */
import { randomUUID } from 'node:crypto';
import { AppError, notFound, validation } from './errors.ts';
import type { Actor, Deps } from './deps.ts';
import type { ImportRow, ImportSource } from './import.rows.ts';
import { isRegionCode } from './phone.ts';
import { getTenant } from './tenants.ts';
import { recordOptOuts, type Channel } from './consent.ts';
import { upsertContactBatch, type PreparedContact } from './imports.store.ts';
import { merge, prepareRows, type Prepared } from './imports.prepare.ts';
import { withTransaction } from './db/pool.ts';
import { queueImportNumberChecks } from './number-quality.ts';

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
  encoding?: string;
  /** Called after each batch lands with the number of rows read so far. */
  onProgress?: (rowsRead: number) => void;
  batchSize?: number;
}

/** Rows checked and encrypted together (see prepareRows). */
const CHUNK = 500;
/** Batches written to the database at once. */
const MAX_INFLIGHT = 2;

export async function importFile(
  deps: Deps,
  actor: Actor,
  source: ImportSource,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const kind = options.kind ?? 'contacts';
  const region = (options.defaultRegion ?? (await getTenant(deps, actor.tenantId)).defaultRegion).toUpperCase();
  if (!isRegionCode(region)) throw validation(`"${options.defaultRegion}" is not a known ISO 3166-1 region code`, 'defaultRegion');
  if (!source.columns.phone) {
    const found = source.headers.length ? `found: ${source.headers.join(', ')}` : 'the file is empty';
    throw validation(`the file has no phone column (such as 手机号, 电话, phone or mobile); ${found}`, 'file');
  }

  const result: ImportResult = { id: randomUUID(), kind, total: 0, created: 0, updated: 0, rejected: [] };
  await deps.db.query(
    `insert into imports (tenant_id, id, kind, api_key_id, status, encoding) values ($1, $2, $3, $4, 'running', $5)`,
    [actor.tenantId, result.id, kind, actor.keyId, options.encoding ?? null],
  );

  const batchSize = options.batchSize ?? 2000;
  let batch = new Map<string, PreparedContact>();
  // Batches being written. Two may be in flight when they share no number, so a later row
  // still always lands after an earlier row with the same number.
  const inflight: { done: Promise<void>; numbers: Map<string, PreparedContact> }[] = [];
  const settle = async () => {
    const oldest = inflight.shift();
    await oldest?.done;
  };

  const land = async (rows: PreparedContact[]) => {
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
      );
      const created = fresh.filter(Boolean).length;
      result.created += created;
      result.updated += fresh.length - created;
    } else {
      const inserted = await upsertContactBatch(deps.db, actor.tenantId, rows);
      result.created += inserted;
      result.updated += rows.length - inserted;
    }
    options.onProgress?.(result.total);
  };
  // Parsing and encrypting the next batch overlaps with the database writing earlier ones.
  const flush = async () => {
    const numbers = batch;
    batch = new Map();
    const overlaps = () => inflight.some((b) => [...numbers.keys()].some((n) => b.numbers.has(n)));
    while (inflight.length >= MAX_INFLIGHT || (inflight.length > 0 && overlaps())) await settle();
    if (numbers.size === 0) return;
    const done = land([...numbers.values()]);
    done.catch(() => undefined); // awaited by settle(); not an unhandled rejection meanwhile
    inflight.push({ done, numbers });
  };
  const drain = async () => {
    while (inflight.length) await settle();
  };

  const take = async (p: Prepared) => {
    result.total++;
    if (!p.ok) {
      result.rejected.push({ row: p.row, column: source.columns[p.field] ?? null, reason: p.reason });
      return;
    }
    const earlier = batch.get(p.contact.phoneHash);
    if (earlier) result.updated++;
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
    await finish(deps, actor.tenantId, result, 'failed', 'the import stopped on an internal error');
    throw err;
  }
  if (readError) {
    const cause = readError instanceof AppError ? readError : null;
    const message = cause?.message ?? 'the file could not be read';
    await finish(deps, actor.tenantId, result, 'failed', message);
    // Reader messages name rows and positions, never cell values, so they are safe to store.
    throw new AppError(cause?.code ?? 'VALIDATION', `${message} (rows before it were imported: see import ${result.id})`, {
      field: cause?.field ?? 'file',
      details: { ...cause?.details, importId: result.id, total: result.total, created: result.created, updated: result.updated },
      cause: readError,
    });
  }
  await finish(deps, actor.tenantId, result, 'done', null);
  return result;
}

async function finish(deps: Deps, tenantId: string, r: ImportResult, status: 'done' | 'failed', error: string | null) {
  // One transaction: an import is never finished without its number checks queued.
  await withTransaction(deps.db, async (tx) => {
    await tx.query(
      `update imports set status = $3, total = $4, created = $5, updated = $6, rejected = $7, error = $8, finished_at = now()
        where tenant_id = $1 and id = $2`,
      [tenantId, r.id, status, r.total, r.created, r.updated, JSON.stringify(r.rejected), error],
    );
    // Even a failed import keeps the rows it landed, so their numbers are checked too.
    if (r.kind === 'contacts' && r.created + r.updated > 0) await queueImportNumberChecks(deps, tx, tenantId, r.id);
  });
}

export async function getImport(deps: Deps, tenantId: string, id: string) {
  const { rows } = await deps.db.query(
    `select id, kind, status, encoding, total, created, updated, rejected, error, created_at, finished_at
       from imports where tenant_id = $1 and id = $2`,
    [tenantId, id],
  );
  const r = rows[0];
  if (!r) throw notFound('import', 'id');
  return {
    id: r.id as string,
    kind: r.kind as ImportKind,
    status: r.status as 'running' | 'done' | 'failed',
    encoding: r.encoding as string | null,
    total: r.total as number,
    created: r.created as number,
    updated: r.updated as number,
    rejected: r.rejected as RejectedRow[],
    error: r.error as string | null,
    createdAt: (r.created_at as Date).toISOString(),
    finishedAt: (r.finished_at as Date | null)?.toISOString() ?? null,
  };
}
