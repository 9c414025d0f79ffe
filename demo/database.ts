/**
 * Where the demo keeps its data, and how it leaves nothing behind: with DATABASE_URL, a
 * fresh database created on that server and dropped at the end; otherwise an embedded
 * PostgreSQL in a temporary directory on a free port (boot() starts it), removed at the end.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from '../api/runtime/embedded-postgres.ts';
import { adminQuery } from '../core/db/admin.ts';

export interface DemoDatabase {
  /** What the demo's configuration says about the database (DATABASE_URL, data dir, embedded port). */
  env: Record<string, string>;
  /** One line for the output: where the data lives. */
  description: string;
  /** Drops the database / removes the directory. Call after Chaseline stopped. */
  remove(): Promise<void>;
}

export async function demoDatabase(serverUrl: string | undefined): Promise<DemoDatabase> {
  // 0755: run as root, the embedded PostgreSQL runs as `postgres` and must get into it.
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'chaseline-demo-'));
  await chmod(dataDir, 0o755);
  const removeDir = () => rm(dataDir, { recursive: true, force: true });
  if (!serverUrl) {
    const port = await findFreePort();
    return {
      env: { CHASELINE_DATA_DIR: dataDir, CHASELINE_EMBEDDED_PG_PORT: String(port) },
      description: `embedded PostgreSQL on 127.0.0.1:${port}, data in ${dataDir} (removed at the end)`,
      remove: removeDir,
    };
  }
  const name = `chaseline_demo_${randomBytes(6).toString('hex')}`;
  try {
    await adminQuery(serverUrl, `CREATE DATABASE ${name}`, 'chaseline-demo');
  } catch (err) {
    await removeDir();
    throw new Error(`could not create a database on the server DATABASE_URL names: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    env: { CHASELINE_DATA_DIR: dataDir, DATABASE_URL: url.toString() },
    description: `database ${name} on ${url.host} (DATABASE_URL; dropped at the end)`,
    remove: async () => {
      await removeDir();
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, 'chaseline-demo');
    },
  };
}
