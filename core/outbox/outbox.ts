/**
 * The outbox: every write-back to a vendor (a CRM's call activities, opt-outs and tags, a
 * store's order notes) is a row written in the same transaction as the change that caused
 * it, then sent by the `connector-writeback` job in the vendor's batch sizes. A failed send
 * is retried with backoff (a CRM down for an hour loses nothing); a row that runs out of
 * attempts, or that the vendor refused for good, is dead: the API lists it and can retry it.
 *
 * Rows are claimed with a lease (next_at moved ahead) rather than a lock held over HTTP, so a
 * worker that dies mid-send leaves its rows to be claimed again once the lease runs out.
 */
import type pg from 'pg';
import type { Deps, RetryPolicy } from '../deps.ts';
import { AppError, loggable, notFound } from '../errors.ts';
import { queues, type Queryable } from '../jobs/queue.ts';
import { chaseEngine } from '../deps.ts';
import type { WriteBack, WriteBackKind, WriteBackResult, WriteBackTarget, WriteBackTargetFor } from '../ports.ts';

export interface WriteBackJob {
  tenantId: string;
  connector: string;
}

/** The outbox's backoff; `attempts` sends are tried before a row is dead. */
export type OutboxRetry = RetryPolicy;

/** The wait before the next try of something tried `attempts` times: baseMs doubling each time, at most maxMs. */
export const retryDelayMs = (retry: OutboxRetry, attempts: number) => Math.min(retry.maxMs, retry.baseMs * 2 ** (attempts - 1));

/** 30 s doubling to 10 min, 20 tries: about 2 h 45 min of trying before a row is dead. */
export const DEFAULT_OUTBOX_RETRY: OutboxRetry = { baseMs: 30_000, maxMs: 600_000, attempts: 20 };

/** Rows sent by one claim: a few of the vendors' batches (HubSpot 100, Salesforce 200). */
const CLAIM = 400;
/** How long a claimed row is left alone before another worker may take it (the sender died). */
const LEASE_MS = 5 * 60_000;
/** New rows wait this long, so a burst of them goes in full batches rather than one request each. */
const GATHER_SECONDS = 2;

export interface NewWriteBack {
  connector: string;
  item: WriteBack;
  contactId?: string | null;
  /** Writes the same cause once (e.g. `call:{attemptId}`). */
  dedupeKey?: string;
}

/**
 * Adds write-backs in the caller's transaction and wakes the connectors' senders (one job per
 * connector per few seconds, however many rows arrive).
 */
export async function enqueueWriteBacks(tx: Queryable, deps: Deps, tenantId: string, rows: NewWriteBack[]): Promise<void> {
  if (!rows.length) return;
  const { rows: inserted } = await tx.query<{ connector: string }>(
    `insert into outbox (tenant_id, connector, kind, item_enc, contact_id, dedupe_key)
     select $1, u.connector, u.kind, u.item, u.contact_id, u.dedupe_key
       from jsonb_to_recordset($2::jsonb) as u(connector text, kind text, item text, contact_id uuid, dedupe_key text)
     on conflict (tenant_id, connector, dedupe_key) where dedupe_key is not null do nothing
     returning connector`,
    [
      tenantId,
      JSON.stringify(
        rows.map((r) => ({
          connector: r.connector,
          kind: r.item.kind,
          item: deps.pii.encrypt(JSON.stringify(r.item)),
          contact_id: r.contactId ?? null,
          dedupe_key: r.dedupeKey ?? null,
        })),
      ),
    ],
  );
  // Without a queue in this process (a one-off script), the worker's sweep finds the rows.
  for (const connector of deps.jobs ? new Set(inserted.map((r) => r.connector)) : []) {
    await deps.jobs!.send(tx, queues.connectorWriteBack, { tenantId, connector } satisfies WriteBackJob, {
      singletonKey: `${tenantId}:${connector}`,
      singletonSeconds: GATHER_SECONDS,
      singletonNextSlot: true,
    });
  }
}

/**
 * Write-backs about contacts, to every vendor each contact is linked with (its CRM references)
 * where the tenant has that connector enabled. `except` is the vendor the change came from:
 * it already knows, and writing it back would echo.
 */
export async function enqueueForLinkedContacts(
  tx: Queryable,
  deps: Deps,
  tenantId: string,
  contactIds: string[],
  make: (externalId: string, system: string) => WriteBack[],
  options: { except?: string | null; dedupeKey?: (item: WriteBack) => string } = {},
): Promise<number> {
  if (!contactIds.length) return 0;
  const { rows } = await tx.query<{ system: string; external_id: string; contact_id: string }>(
    `select r.system, r.external_id, r.contact_id from contact_crm_refs r
       join connectors k on k.tenant_id = r.tenant_id and k.type = r.system and k.enabled
      where r.tenant_id = $1 and r.contact_id = any($2::uuid[]) and r.system is distinct from $3
      order by r.contact_id, r.system`,
    [tenantId, contactIds, options.except ?? null],
  );
  const out: NewWriteBack[] = [];
  for (const r of rows) {
    for (const item of make(r.external_id, r.system)) {
      out.push({ connector: r.system, item, contactId: r.contact_id, ...(options.dedupeKey ? { dedupeKey: options.dedupeKey(item) } : {}) });
    }
  }
  await enqueueWriteBacks(tx, deps, tenantId, out);
  return out.length;
}

interface Claimed {
  id: string;
  item_enc: string;
  attempts: number;
}

type SenderDeps = Deps & {
  writeBack?: WriteBackTargetFor;
  outboxRetry?: OutboxRetry;
  log?: { warn(o: object, msg: string): void };
};

/** Sends a connector's due write-backs until none is left; schedules the next try of those that failed. */
export async function sendWriteBacks(deps: SenderDeps, job: WriteBackJob): Promise<SendCounts> {
  const target = deps.writeBack ? await deps.writeBack(job.tenantId, job.connector) : null;
  if (!target) {
    // Removed or disabled: the rows wait, to be sent if it comes back (retry from the API).
    deps.log?.warn({ tenantId: job.tenantId, connector: job.connector }, 'write-backs for a connector that is not configured: left pending');
    return { done: 0, dead: 0, retrying: 0 };
  }
  const retry = deps.outboxRetry ?? DEFAULT_OUTBOX_RETRY;
  const total: SendCounts = { done: 0, dead: 0, retrying: 0 };
  for (;;) {
    const claimed = await claim(deps.db, job);
    if (!claimed.length) break;
    const sent = await sendBatch(deps, target, job, claimed, retry);
    addCounts(total, sent);
    if (sent.retrying) break; // the vendor is failing: the rest waits for the retry
  }
  return total;
}

/** Write-backs sent, dead (refused for good or out of attempts), and waiting to be tried again. */
export interface SendCounts {
  done: number;
  dead: number;
  retrying: number;
}

const addCounts = (total: SendCounts, more: SendCounts) => {
  total.done += more.done;
  total.dead += more.dead;
  total.retrying += more.retrying;
};

async function claim(db: pg.Pool, job: WriteBackJob): Promise<Claimed[]> {
  const { rows } = await db.query<Claimed>(
    `update outbox o set next_at = now() + $3 * interval '1 millisecond', attempts = o.attempts + 1
      where (o.tenant_id, o.id) in (
        select tenant_id, id from outbox where tenant_id = $1 and connector = $2 and status = 'pending' and next_at <= now()
         order by id limit $4 for update skip locked)
      returning o.id::text as id, o.item_enc, o.attempts`,
    [job.tenantId, job.connector, LEASE_MS, CLAIM],
  );
  return rows.sort((a, b) => Number(a.id) - Number(b.id));
}

async function sendBatch(deps: SenderDeps, target: WriteBackTarget, job: WriteBackJob, rows: Claimed[], retry: OutboxRetry): Promise<SendCounts> {
  const items = rows.map((r) => decodeItem(JSON.parse(deps.pii.decrypt(r.item_enc)) as WriteBack));
  let results: WriteBackResult[];
  try {
    results = await target.writeBack(items);
    if (results.length !== items.length)
      throw new AppError('INTERNAL', `the ${job.connector} connector answered ${results.length} results for ${items.length} write-backs`);
  } catch (err) {
    // A request the vendor refused for good, with several items in it: one of them may be the
    // cause, so each is sent on its own and only the bad one dies.
    if (err instanceof AppError && err.code === 'VALIDATION' && rows.length > 1) {
      const total: SendCounts = { done: 0, dead: 0, retrying: 0 };
      for (const row of rows) addCounts(total, await sendBatch(deps, target, job, [row], retry));
      return total;
    }
    // What earlier requests of this call already wrote is settled, so a retry does not write it twice.
    const partial = partialResults(err, rows.length);
    const settled = await settle(
      deps,
      job,
      rows.flatMap((r, i) => (partial[i] ? [{ row: r, result: partial[i] }] : [])),
    );
    const left = rows.filter((_, i) => !partial[i]);
    const message = err instanceof Error ? err.message : String(err);
    const permanent = err instanceof AppError && err.code === 'VALIDATION';
    const dead = left.length ? await failRows(deps, job, left, message, permanent, retry) : 0;
    deps.log?.warn(
      { tenantId: job.tenantId, connector: job.connector, rows: rows.length, written: rows.length - left.length, dead, error: loggable(err) },
      'write-back failed',
    );
    return { done: settled.done, dead: settled.dead + dead, retrying: left.length - dead };
  }
  return settle(
    deps,
    job,
    rows.map((row, i) => ({ row, result: results[i]! })),
  );
}

/** A stored item as the connector takes it: its times are Dates again (JSON kept them as strings). */
function decodeItem(item: WriteBack): WriteBack {
  if (item.kind === 'call') return { ...item, call: { ...item.call, at: new Date(item.call.at) } };
  if (item.kind === 'sms') return { ...item, message: { ...item.message, at: new Date(item.message.at) } };
  return item;
}

/** The results a connector says it had when a later request failed (`details.partial`, null where nothing was written). */
function partialResults(err: unknown, count: number): (WriteBackResult | null)[] {
  const partial = err instanceof AppError ? (err.details as { partial?: unknown } | undefined)?.partial : undefined;
  return Array.isArray(partial) && partial.length === count ? (partial as (WriteBackResult | null)[]) : Array.from({ length: count }, () => null);
}

/** Records what became of rows the vendor answered for: done, skipped, or dead when refused for good. */
async function settle(deps: SenderDeps, job: WriteBackJob, answered: { row: Claimed; result: WriteBackResult }[]): Promise<SendCounts> {
  if (!answered.length) return { done: 0, dead: 0, retrying: 0 };
  const rejected = answered.filter((a) => a.result.status === 'rejected').length;
  await deps.db.query(
    `update outbox o set status = u.status, vendor_id = u.vendor_id, last_error = u.error, done_at = now(),
            item_enc = case when u.status = 'dead' then o.item_enc else null end
       from jsonb_to_recordset($2::jsonb) as u(id bigint, status text, vendor_id text, error text)
      where o.tenant_id = $1 and o.id = u.id`,
    [
      job.tenantId,
      JSON.stringify(
        answered.map(({ row, result }) => ({
          id: row.id,
          status: result.status === 'rejected' ? 'dead' : result.status,
          vendor_id: result.status === 'done' ? (result.vendorId ?? null) : null,
          error: result.status === 'rejected' ? result.error : null,
        })),
      ),
    ],
  );
  return { done: answered.length - rejected, dead: rejected, retrying: 0 };
}

/** Each row is tried again after its backoff, or is dead once its attempts are spent (or the vendor refused it for good). @returns how many are dead */
async function failRows(deps: SenderDeps, job: WriteBackJob, rows: Claimed[], error: string, permanent: boolean, retry: OutboxRetry): Promise<number> {
  const { jobs } = chaseEngine(deps);
  const delays = rows.map((r) => retryDelayMs(retry, r.attempts));
  const dead = permanent ? rows.length : rows.filter((r) => r.attempts >= retry.attempts).length;
  await deps.db.query(
    `update outbox o set last_error = $3,
            status = case when $4 or o.attempts >= $5 then 'dead' else 'pending' end,
            next_at = now() + u.delay * interval '1 millisecond'
       from unnest($2::bigint[], $6::int[]) as u(id, delay)
      where o.tenant_id = $1 and o.id = u.id`,
    [job.tenantId, rows.map((r) => r.id), error.slice(0, 500), permanent, retry.attempts, delays],
  );
  // One wake-up for the earliest retry; the sender takes every row due by then.
  if (dead < rows.length)
    await jobs.send(deps.db, queues.connectorWriteBack, job satisfies WriteBackJob, { startAfter: new Date(Date.now() + Math.min(...delays)) });
  return dead;
}

export interface OutboxRow {
  id: string;
  kind: WriteBackKind;
  status: 'pending' | 'done' | 'skipped' | 'dead';
  attempts: number;
  lastError: string | null;
  nextAt: string | null;
  createdAt: string;
  doneAt: string | null;
}

/** A connector's write-backs by status, newest first (what they were about is not shown: it names people). */
export async function listOutbox(db: Queryable, tenantId: string, connector: string, status: OutboxRow['status'], limit = 100): Promise<OutboxRow[]> {
  const { rows } = await db.query<{
    id: string;
    kind: WriteBackKind;
    status: OutboxRow['status'];
    attempts: number;
    last_error: string | null;
    next_at: Date;
    created_at: Date;
    done_at: Date | null;
  }>(
    `select id::text as id, kind, status, attempts, last_error, next_at, created_at, done_at from outbox
      where tenant_id = $1 and connector = $2 and status = $3 order by id desc limit $4`,
    [tenantId, connector, status, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    nextAt: r.status === 'pending' ? r.next_at.toISOString() : null,
    createdAt: r.created_at.toISOString(),
    doneAt: r.done_at?.toISOString() ?? null,
  }));
}

/** Wakes the sender of every enabled connector with write-backs overdue by a minute (a lost wake-up, a row written where no queue ran). */
export async function wakeOverdueWriteBacks(deps: Deps): Promise<number> {
  const { jobs } = chaseEngine(deps);
  const { rows } = await deps.db.query<{ tenant_id: string; connector: string }>(
    `select distinct o.tenant_id, o.connector from outbox o
       join connectors k on k.tenant_id = o.tenant_id and k.type = o.connector and k.enabled
      where o.status = 'pending' and o.next_at < now() - interval '1 minute'`,
  );
  for (const r of rows) await jobs.send(deps.db, queues.connectorWriteBack, { tenantId: r.tenant_id, connector: r.connector } satisfies WriteBackJob);
  return rows.length;
}

/** Dead write-backs go back to pending with their attempts reset, and the sender is woken. @returns how many */
export async function retryDeadWriteBacks(deps: Deps, tenantId: string, connector: string): Promise<number> {
  const { jobs } = chaseEngine(deps);
  const { rowCount: exists } = await deps.db.query(`select 1 from connectors where tenant_id = $1 and type = $2`, [tenantId, connector]);
  if (!exists) throw notFound(`${connector} connector`, 'type');
  const { rowCount } = await deps.db.query(
    `update outbox set status = 'pending', attempts = 0, next_at = now(), last_error = null, done_at = null
      where tenant_id = $1 and connector = $2 and status = 'dead' and item_enc is not null`,
    [tenantId, connector],
  );
  if (rowCount) await jobs.send(deps.db, queues.connectorWriteBack, { tenantId, connector } satisfies WriteBackJob);
  return rowCount ?? 0;
}
