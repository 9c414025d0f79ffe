/** What the benchmarks share: a database of their own (dropped, with its temp dir, after), latency statistics, polling. */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

export function latencyStats(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: Math.round(percentile(sorted, 50)),
    p90: Math.round(percentile(sorted, 90)),
    p99: Math.round(percentile(sorted, 99)),
    max: Math.round(sorted.at(-1) ?? NaN),
  };
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Polls `check` every `everyMs` until it holds; throws after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 5): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
