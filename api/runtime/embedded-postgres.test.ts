import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { EmbeddedPostgresError, findFreePort, startEmbeddedPostgres } from './embedded-postgres.ts';

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
    const [enc] = await query<{ encoding: string; up: string }>(
      first.url,
      "SELECT pg_encoding_to_char(encoding) AS encoding, upper('é退订') AS up FROM pg_database WHERE datname = 'chaseline'",
    );
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

test(
  'embedded PostgreSQL: a port another program holds → a free one, and the log says which; our own server on a port is re-used; a failure is one sentence',
  { timeout: 180_000 },
  async () => {
    const parent = await mkdtemp(path.join(os.tmpdir(), 'chaseline-embedded-'));
    await chmod(parent, 0o755);
    const dataDir = path.join(parent, 'pg');
    // A plain TCP listener, as another program (or another PostgreSQL) holding the port would be.
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    const warnings: string[] = [];
    const logger = { debug: () => {}, warn: (msg: string) => void warnings.push(msg) };
    const started: { stop(): Promise<void> }[] = [];
    try {
      const first = await startEmbeddedPostgres({ dataDir, port: taken, logger, ephemeral: true });
      started.push(first);
      assert.equal(first.attached, false);
      assert.notEqual(first.port, taken);
      assert.equal(first.url.replace(/:[^:@/]+@/, ':***@'), `postgres://postgres:***@127.0.0.1:${first.port}/chaseline`);
      assert.equal((await query<{ one: number }>(first.url, 'SELECT 1 AS one'))[0]?.one, 1);
      assert.deepEqual(warnings, [
        `embedded PostgreSQL: port ${taken} on 127.0.0.1 is taken by another program, so it listens on ${first.port} instead (set CHASELINE_EMBEDDED_PG_PORT to choose the port)`,
      ]);

      // The port is taken now by our own server: a second start re-uses it rather than moving on.
      const second = await startEmbeddedPostgres({ dataDir, port: first.port, logger });
      assert.equal(second.attached, true);
      assert.equal(second.port, first.port);
      assert.equal(warnings.length, 1, 'nothing more to say');
      await first.stop();

      // Data another PostgreSQL version made: the error names that, and what to set, in one sentence.
      await writeFile(path.join(dataDir, 'PG_VERSION'), '11\n');
      await assert.rejects(startEmbeddedPostgres({ dataDir, port: await findFreePort(), logger, ephemeral: true }), (err: unknown) => {
        assert.ok(err instanceof EmbeddedPostgresError, String(err));
        assert.match(err.message, /made by another PostgreSQL version \(made by PostgreSQL 11; this is \d+/);
        assert.match(err.message, /CHASELINE_DATA_DIR/);
        assert.match(err.message, /DATABASE_URL/);
        assert.ok(!err.message.includes('\n'), `one line, not the server's log:\n${err.message}`);
        return true;
      });
    } finally {
      await Promise.all(started.map((s) => s.stop()));
      await new Promise((resolve) => blocker.close(resolve));
      await rm(parent, { recursive: true, force: true });
    }
  },
);
