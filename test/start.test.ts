// `npm start` as a person runs it: the mode and URL in the log, migrations applied, the
// admin key printed on first run only, and a clean stop on SIGTERM.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { startProcess, stopProcess } from './support/process.ts';

let db: TestDatabase;
let dataDir: string;

before(async () => {
  db = await testDatabase({ migrations: false });
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'chaseline-start-'));
});
after(async () => {
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
});

const start = () => startProcess({ DATABASE_URL: db.url, PORT: '0', CHASELINE_DATA_DIR: dataDir });
const stop = stopProcess;

const adminKeyIn = (stderr: string) => /^\s+(chl_\S+)\s*$/m.exec(stderr)?.[1];

test('first start: says which database and where it listens, migrates, prints the admin key once', async () => {
  const first = await start();
  try {
    assert.match(first.stdout(), /database: DATABASE_URL/);
    assert.match(first.stdout(), /"applied":\["001_init"/);
    assert.ok(!first.stdout().includes(new URL(db.url).password || '\u0000'), 'no database password in the log');
    const key = adminKeyIn(first.stderr());
    assert.ok(key, `the admin key is printed on first run:\n${first.stderr()}`);
    const me = await fetch(`${first.url}/v1/tenants/current`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { name: string }).name, 'default');
  } finally {
    assert.equal(await stop(first), 0, 'SIGTERM stops it cleanly');
  }

  const second = await start();
  try {
    assert.equal(adminKeyIn(second.stderr()), undefined, 'the key is not printed again');
    assert.ok(!/"applied"/.test(second.stdout()), 'nothing left to migrate');
    assert.equal((await fetch(`${second.url}/healthz`)).status, 200);
  } finally {
    assert.equal(await stop(second), 0);
  }
});
