/**
 * Telling a running import from one whose process died.
 *
 * Each running import holds a session-level advisory lock, keyed by its id, on a connection
 * of its own for as long as it runs. PostgreSQL itself then knows which imports are alive:
 * when the process dies (kill -9, OOM, a lost machine) its connections close and the server
 * drops the lock at once, whichever process or machine asks afterwards. A heartbeat column
 * was the alternative; it can only call an import dead after a lease has passed without a
 * beat, so it is either slow to notice (a long lease) or wrong about a slow upload (a short
 * one), and a process that restarts cannot tell its own dead imports from another live
 * process's. A boot id needs a liveness record per process, which is this lock again with a
 * registry around it. The cost is one connection per running import.
 *
 * The lock lives in pg_locks, which every role may read; the sweep looks for a granted lock
 * with the import's key in this database (test runs share one server across databases).
 * A transaction-pooling proxy between Chaseline and PostgreSQL would break session locks;
 * Chaseline's own connections are direct (or through session pooling).
 */
import type pg from 'pg';
import { AppError } from '../errors.ts';

type Db = Pick<pg.Pool, 'query' | 'connect'>;

/** The lock key of an import, as SQL over a text expression of its id. */
const lockKey = (idSql: string) => `hashtextextended('chaseline:import:' || ${idSql}, 0)`;

export interface ImportLease {
  /** Throws if the lease's connection was lost: the import can no longer prove it is alive. */
  check(): void;
  release(): Promise<void>;
}

/** Takes the import's liveness lock on a connection held until release(). */
export async function holdImportLease(db: Db, importId: string): Promise<ImportLease> {
  const client = await db.connect();
  let lost: Error | undefined;
  // An error on an idle checked-out client is emitted, not thrown: keep it from crashing the process.
  const onError = (err: Error) => (lost ??= err);
  client.on('error', onError);
  try {
    await client.query(`select pg_advisory_lock(${lockKey('$1::text')})`, [importId]);
  } catch (err) {
    client.off('error', onError);
    client.release(err as Error);
    throw err;
  }
  let released = false;
  return {
    check() {
      if (lost) throw new AppError('INTERNAL', 'the import lost its database session', { cause: lost });
    },
    async release() {
      if (released) return;
      released = true;
      let broken = lost;
      if (!broken) {
        await client.query(`select pg_advisory_unlock(${lockKey('$1::text')})`, [importId]).catch((err: Error) => (broken = err));
      }
      client.off('error', onError);
      // A connection in doubt is closed rather than pooled; closing it drops the lock too.
      client.release(broken);
    },
  };
}

export const INTERRUPTED_ERROR = 'the process running the import stopped before the end of the file';

export interface InterruptedImport {
  tenantId: string;
  id: string;
  total: number;
  committed: number;
}

/**
 * Marks every `running` import that no live process holds as `interrupted`, keeping the
 * counts its batches committed. Safe to run from any number of processes at once: the update
 * re-checks the status, so each import is marked by one of them.
 */
export async function interruptDeadImports(db: Pick<pg.Pool, 'query'>, log?: { warn(o: object, msg: string): void }): Promise<InterruptedImport[]> {
  const { rows } = await db.query<{ tenant_id: string; id: string; total: number; committed: number }>(
    `update imports i set status = 'interrupted', error = $1, finished_at = now()
      where i.status = 'running'
        and not exists (
          select 1 from pg_locks l
           where l.locktype = 'advisory' and l.granted and l.objsubid = 1
             and l.database = (select oid from pg_database where datname = current_database())
             and ((l.classid::bigint << 32) | l.objid::bigint) = ${lockKey('i.id::text')})
      returning i.tenant_id, i.id, i.total, i.created + i.updated as committed`,
    [INTERRUPTED_ERROR],
  );
  const interrupted = rows.map((r) => ({ tenantId: r.tenant_id, id: r.id, total: r.total, committed: r.committed }));
  for (const i of interrupted) {
    log?.warn(
      { importId: i.id, tenantId: i.tenantId, committed: i.committed },
      'import interrupted: the process running it stopped; import the same file again to complete it',
    );
  }
  return interrupted;
}
