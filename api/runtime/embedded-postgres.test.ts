import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { findFreePort, startEmbeddedPostgres } from './embedded-postgres.ts';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

test('embedded PostgreSQL: first start, reattach, stop, restart', { timeout: 180_000 }, async (t) => {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'chaseline-embedded-'));
  await chmod(parent, 0o755); // as root, PostgreSQL runs as `postgres` and must get through it
  const dataDir = path.join(parent, 'pg');
  const port = await findFreePort();
  const started: { stop(): Promise<void> }[] = [];
  try {
    let t0 = Date.now();
    const first = await startEmbeddedPostgres({ dataDir, port, ephemeral: true });
    started.push(first);
    t.diagnostic(`initdb + first start: ${Date.now() - t0} ms`);
    assert.equal(first.attached, false);
    assert.equal(first.url.replace(/:[^:@/]+@/, ':***@'), `postgres://postgres:***@127.0.0.1:${port}/chaseline`);
    assert.deepEqual(await query(first.url, 'SELECT 1 AS one, current_database() AS db'), [{ one: 1, db: 'chaseline' }]);
    const [enc] = await query<{ encoding: string; up: string }>(first.url, "SELECT pg_encoding_to_char(encoding) AS encoding, upper('é退订') AS up FROM pg_database WHERE datname = 'chaseline'");
    assert.deepEqual(enc, { encoding: 'UTF8', up: 'É退订' });

    // A second process (the CLI while the API runs) connects to the running server,
    // even when asked for another port, and its stop() leaves the server alone.
    const second = await startEmbeddedPostgres({ dataDir, port: await findFreePort() });
    assert.equal(second.attached, true);
    assert.equal(second.url, first.url);
    await second.stop();
    assert.equal((await query(first.url, 'SELECT 1 AS one'))[0]?.one, 1);

    await first.stop();
    await first.stop(); // idempotent
    await assert.rejects(query(first.url, 'SELECT 1'), /ECONNREFUSED/);

    t0 = Date.now();
    const again = await startEmbeddedPostgres({ dataDir, port, ephemeral: true });
    started.push(again);
    t.diagnostic(`restart on the existing cluster: ${Date.now() - t0} ms`);
    assert.equal(again.attached, false);
    assert.equal(again.url, first.url); // same password, kept in the data directory
    assert.equal((await query(again.url, 'SELECT 1 AS one'))[0]?.one, 1);
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    await rm(parent, { recursive: true, force: true });
  }
});
