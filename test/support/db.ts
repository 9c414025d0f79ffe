// A fresh, migrated database per test file, on the server named by DATABASE_URL
// (test/run.mjs points it at an embedded PostgreSQL when it is unset).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../core/db/migrate.ts';
import { createPool } from '../../core/db/pool.ts';
import { adminQuery } from '../../core/db/admin.ts';

export type TestDatabase = {
  /** URL of the fresh database. */
  url: string;
  pool: pg.Pool;
  /** Closes `pool` and drops the database, terminating any other connections to it. */
  drop(): Promise<void>;
};

export type TestDatabaseOptions = {
  /** Migrations directory to apply, or `false` for an empty database. Default: the repo's `migrations/`. */
  migrations?: string | false;
};

export async function testDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const admin = process.env.DATABASE_URL;
  if (!admin) {
    throw new Error('DATABASE_URL is not set: run tests through `npm test` / `node test/run.mjs`, which start an embedded PostgreSQL when it is unset');
  }
  const name = `chaseline_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(admin, `CREATE DATABASE ${name}`, 'chaseline-test-admin');
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const pool = createPool(url.toString());

  let dropped: Promise<void> | undefined;
  const drop = (): Promise<void> =>
    (dropped ??= (async () => {
      await pool.end().catch(() => {});
      await adminQuery(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, 'chaseline-test-admin');
    })());

  if (options.migrations !== false) {
    try {
      await migrate(pool, options.migrations);
    } catch (err) {
      await drop().catch(() => {});
      throw err;
    }
  }
  return { url: url.toString(), pool, drop };
}
