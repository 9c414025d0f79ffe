// `npm start` as a person runs it: the mode and URL in the log, migrations applied, the
// admin key printed on first run only, and a clean stop on SIGTERM.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { processFixture, startProcess, stopProcess } from './support/process.ts';

const files = processFixture('start');
const start = () => startProcess({ DATABASE_URL: files.db.url, PORT: '0', CHASELINE_DATA_DIR: files.dataDir });
const stop = stopProcess;

const adminKeyIn = (stderr: string) => /^\s+(chl_\S+)\s*$/m.exec(stderr)?.[1];

test('first start: says which database and where it listens, migrates, prints the admin key once', async () => {
  const first = await start();
  try {
    assert.match(first.stdout(), /database: DATABASE_URL/);
    assert.match(first.stdout(), /"applied":\["001_init"/);
    assert.ok(!first.stdout().includes(new URL(files.db.url).password || '\u0000'), 'no database password in the log');
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
