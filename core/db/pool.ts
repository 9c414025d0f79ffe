import pg from 'pg';

/** The database handle passed around the app: a plain node-postgres pool. */
export type Db = pg.Pool;
/** A client checked out of the pool (inside a transaction, for instance). */
export type DbClient = pg.PoolClient;

export type PoolOptions = {
  /** Upper bound on connections this process opens; default 10. */
  max?: number;
  /**
   * Called when an *idle* pooled connection dies (server restart, admin
   * terminate, network drop). The pool has already discarded that connection
   * and the next query opens a new one, so the default ignores it — without a
   * listener node-postgres would turn it into an uncaught exception.
   */
  onIdleError?: (err: Error) => void;
};

export function createPool(url: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: 'chaseline',
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 15_000,
  });
  pool.on('error', options.onIdleError ?? (() => {}));
  return pool;
}

/**
 * Runs `fn` inside BEGIN … COMMIT on one pooled client; rolls back and rethrows
 * if `fn` (or COMMIT) throws. The client is always released — destroyed rather
 * than returned to the pool when even ROLLBACK failed, since its state is unknown.
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackErr) {
      broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
    }
    throw err;
  } finally {
    client.release(broken);
  }
}
