/** What every benchmark needs first: a database of its own, dropped (with its temp dir) after. */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { findFreePort, startEmbeddedPostgres } from '../api/runtime/embedded-postgres.ts';

/** A fresh database on DATABASE_URL's server, or on an embedded PostgreSQL in a temp dir. */
export async function openBenchDatabase(): Promise<{ url: string; tmp: string; drop(): Promise<void> }> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'chaseline-bench-'));
  await chmod(tmp, 0o755);
  let stopEmbedded = async () => {};
  let admin = process.env.DATABASE_URL;
  if (!admin) {
    const embedded = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port: await findFreePort(), ephemeral: true });
    admin = embedded.url;
    stopEmbedded = embedded.stop;
  }
  const name = `chaseline_bench_${randomBytes(4).toString('hex')}`;
  const adminClient = new pg.Client({ connectionString: admin });
  await adminClient.connect();
  await adminClient.query(`create database ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    tmp,
    async drop() {
      await adminClient.query(`drop database ${name} with (force)`);
      await adminClient.end();
      await stopEmbedded();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
