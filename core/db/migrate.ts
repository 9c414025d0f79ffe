import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

/** `<repo>/migrations`, resolved from this file so the cwd does not matter. */
export const defaultMigrationsDir = fileURLToPath(new URL('../../migrations/', import.meta.url));

// Session-level advisory lock key for the whole run: the ASCII bytes of "chasmigr".
const LOCK_KEY = '7163082355717531506';

const FILE_PATTERN = /^(\d+)_[\w.-]*\.sql$/;

type Migration = { version: string; number: number; file: string };

/**
 * Applies, in numeric order, every `NNN_name.sql` in `dir` that is not yet in
 * `schema_migrations`, each file in its own transaction together with its
 * bookkeeping row; returns the versions applied (`'001_init'`, …).
 *
 * The run holds a session advisory lock, so processes starting together apply
 * each file once: the later ones wait, then find nothing left to do. A failing
 * file rolls back, is not recorded, and the error (naming the file) is thrown;
 * files before it stay applied.
 *
 * Files run through the simple query protocol (many statements per file are
 * fine) inside BEGIN/COMMIT, so they must not manage transactions themselves
 * and cannot use statements such as CREATE INDEX CONCURRENTLY.
 */
export async function migrate(pool: pg.Pool, dir: string = defaultMigrationsDir): Promise<string[]> {
  const migrations = await listMigrations(dir);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version text PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const done = await client.query<{ version: string }>('SELECT version FROM schema_migrations');
      const applied = new Set(done.rows.map((r) => r.version));
      const result: string[] = [];
      for (const m of migrations) {
        if (applied.has(m.version)) continue;
        const sql = await readFile(path.join(dir, m.file), 'utf8');
        try {
          await client.query('BEGIN');
          await client.query(sql);
          await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())', [m.version]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch((rollbackErr: Error) => {
            broken = rollbackErr;
          });
          throw new Error(`migration ${m.file} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        }
        result.push(m.version);
      }
      return result;
    } finally {
      // A dead connection frees the lock on the server anyway.
      if (!broken) {
        await client.query('SELECT pg_advisory_unlock($1::bigint)', [LOCK_KEY]).catch((unlockErr: Error) => {
          broken = unlockErr;
        });
      }
    }
  } finally {
    client.release(broken);
  }
}

async function listMigrations(dir: string): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const migrations: Migration[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.sql')) continue;
    const match = FILE_PATTERN.exec(entry.name);
    if (!match?.[1]) {
      throw new Error(`${path.join(dir, entry.name)}: migration files must be named like 001_name.sql`);
    }
    migrations.push({ version: entry.name.slice(0, -'.sql'.length), number: Number(match[1]), file: entry.name });
  }
  migrations.sort((a, b) => a.number - b.number);
  for (let i = 1; i < migrations.length; i++) {
    const [prev, cur] = [migrations[i - 1], migrations[i]];
    if (prev && cur && prev.number === cur.number) {
      throw new Error(`${dir}: two migrations share number ${cur.number}: ${prev.file} and ${cur.file}`);
    }
  }
  return migrations;
}
