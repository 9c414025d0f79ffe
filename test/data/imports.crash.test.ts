/**
 * An import killed with SIGKILL half-way: its batches' counts were committed with them, the
 * next start-up marks it `interrupted` with what landed (while a live import elsewhere is left
 * alone), the API says how to complete it, and importing the file again converges.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { createApp } from '../../api/app.ts';
import { loadConfig } from '../../api/config.ts';
import { boot, type Runtime } from '../../api/runtime/boot.ts';
import { interruptDeadImports } from '../../core/imports/liveness.ts';
import { csvBytes, eventually } from '../support/data.ts';
import { testDatabase, type TestDatabase } from '../support/db.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ROWS = 60_000;
const BAD_EVERY = 1000; // every 1000th row has a junk number
const VALID = ROWS - ROWS / BAD_EVERY;

let db: TestDatabase;
let dir: string;
let file: string;
const children: ChildProcess[] = [];
const adminKey = `chl_test_${randomBytes(24).toString('base64url')}`;
const env = (): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  TMPDIR: os.tmpdir(),
  DATABASE_URL: db.url,
  CHASELINE_ENCRYPTION_KEY: randomKey,
  CHASELINE_ADMIN_KEY: adminKey,
  CHASELINE_DATA_DIR: path.join(dir, 'data'),
});
const randomKey = randomBytes(32).toString('base64');

before(async () => {
  db = await testDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'chaseline-import-crash-'));
  const lines = ['姓名,手机号,标签'];
  for (let i = 1; i <= ROWS; i++) lines.push(`客户${i},${i % BAD_EVERY === 0 ? 'abc' : `138${String(i).padStart(8, '0')}`},批量`);
  file = path.join(dir, '客户.csv');
  await writeFile(file, csvBytes(lines, { bom: true }));
});
after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

function cliImport(): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/cli.ts', 'import', file], { cwd: root, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

interface ImportRow {
  id: string;
  status: string;
  total: number;
  created: number;
  updated: number;
  rejected: unknown[];
}
const imports = async () => (await db.pool.query<ImportRow>(`select id, status, total, created, updated, rejected from imports order by created_at`)).rows;
const contactCount = async () => (await db.pool.query<{ n: number }>(`select count(*)::int as n from contacts`)).rows[0]!.n;

test('kill -9 during an import: the next start-up marks it interrupted with what it committed, and a re-import converges', { timeout: 180_000 }, async () => {
  const first = cliImport();
  // Some batches have committed, and their counts with them.
  const running = await eventually(
    async () => {
      const [row] = await imports();
      return row && row.total > 0 && row;
    },
    () => 'the import to commit a batch',
    60_000,
  );
  assert.equal(running.status, 'running');

  // Another process sweeping meanwhile (a worker's minute) leaves a live import alone.
  assert.deepEqual(await interruptDeadImports(db.pool), []);
  assert.equal((await imports())[0]!.status, 'running');

  first.child.kill('SIGKILL');
  const killed = await first.done;
  assert.equal(killed.code, null, 'killed, not finished');
  const [left] = await imports();
  assert.equal(left!.status, 'running', 'nothing marks it by itself');
  // What the row says landed is what is in the database, batch for batch.
  assert.equal(left!.created, await contactCount());
  assert.ok(left!.total < ROWS, `killed before the end (${left!.total} rows)`);
  assert.equal(left!.total, left!.created + left!.updated + left!.rejected.length);

  // PostgreSQL notices the dead process's connections close and drops its lock.
  await eventually(
    async () => {
      const { rows } = await db.pool.query(
        `select 1 from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and application_name = 'chaseline'`,
      );
      return rows.length === 0;
    },
    () => 'the killed process to leave the database',
    10_000,
  );

  // A start-up marks it interrupted, with what it committed.
  const logs: string[] = [];
  const log = pino({ level: 'info' }, new Writable({ write: (chunk, _e, cb) => void (logs.push(String(chunk)), cb()) }));
  const runtime: Runtime = await boot(loadConfig(env()), log);
  const server = createServer(createApp({ deps: runtime.deps, log }));
  try {
    const [marked] = await imports();
    assert.equal(marked!.status, 'interrupted');
    assert.deepEqual(marked, { ...left, status: 'interrupted' }, 'the committed counts are kept');
    const committed = marked!.created + marked!.updated;
    assert.ok(committed > 0 && committed < VALID, `${committed} rows committed`);
    const warned = logs.map((l) => JSON.parse(l)).find((l) => l.importId === marked!.id);
    assert.match(warned?.msg ?? '', /import the same file again/);
    assert.ok(!logs.some((l) => l.includes('客户') || l.includes('13800')), 'no PII in the logs');

    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const headers = { authorization: `Bearer ${adminKey}` };
    const rest = await fetch(`${url}/v1/imports/${marked!.id}`, { headers });
    assert.equal(rest.status, 200);
    const body = await rest.json();
    assert.equal(body.status, 'interrupted');
    assert.equal(body.committed, committed);
    assert.equal(body.total, marked!.total);
    assert.match(body.hint, /import the same file again to complete it/i);
    assert.match(body.hint, new RegExp(`\\b${committed}\\b`));
    assert.equal(body.encoding, 'utf-8-bom');
    assert.ok(body.finishedAt);
    const trpc = await fetch(`${url}/trpc/imports.get?input=${encodeURIComponent(JSON.stringify({ id: marked!.id }))}`, { headers });
    assert.deepEqual((await trpc.json()).result.data, body);

    // Importing the same file again completes it: what landed is updated, the rest created.
    const again = await cliImport().done;
    assert.equal(again.code, 0, again.stderr);
    const result = JSON.parse(again.stdout);
    assert.deepEqual(
      { total: result.total, created: result.created, updated: result.updated, rejected: result.rejected.length },
      { total: ROWS, created: VALID - marked!.created, updated: marked!.created, rejected: ROWS / BAD_EVERY },
    );
    assert.equal(await contactCount(), VALID, 'every number once, none twice');
    const { rows: dupes } = await db.pool.query(`select phone_hash from contacts group by phone_hash having count(*) > 1`);
    assert.deepEqual(dupes, []);
    assert.deepEqual(
      (await imports()).map((i) => i.status),
      ['interrupted', 'done'],
    );
  } finally {
    server.close();
    await runtime.stop();
  }
});
