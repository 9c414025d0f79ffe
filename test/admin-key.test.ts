// The admin key as a newcomer meets it: printed even when the first start fails right after
// making it, and re-issued from the terminal with `npm run chaseline -- admin-key --reset`.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { baseEnv } from './support/process.ts';
import { printedAdminKey, runCli, spawnNode } from './support/spawn.ts';

let db: TestDatabase;
let dataDir: string;
let env: Record<string, string>;

before(async () => {
  db = await testDatabase({ migrations: false });
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'chaseline-admin-key-'));
  env = { ...baseEnv(), DATABASE_URL: db.url, CHASELINE_DATA_DIR: dataDir, LOG_FORMAT: 'json' };
});
after(async () => {
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
});

/** A port something else listens on (every interface), so Chaseline's HTTP server cannot. */
async function busyPort(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const me = (url: string, key: string) => fetch(`${url}/v1/tenants/current`, { headers: { authorization: `Bearer ${key}` } });

test(
  'a first start that fails after making the admin key has printed it; admin-key --reset revokes it and prints a new one',
  { timeout: 180_000 },
  async () => {
    const busy = await busyPort();
    let firstKey: string | undefined;
    try {
      const failed = spawnNode(['api/main.ts', 'all'], { ...env, PORT: String(busy.port) });
      assert.equal(await failed.exited, 1, 'the start fails: its port is taken');
      firstKey = printedAdminKey(failed.stderr());
      assert.ok(firstKey, `the key was printed though the start failed:\n${failed.stderr()}`);
      assert.match(failed.stderr(), /admin-key --reset/, 'and it says how to get a new one');
    } finally {
      await busy.close();
    }

    const refused = await runCli(['admin-key'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /--reset/);

    const reset = await runCli(['admin-key', '--reset'], env);
    assert.equal(reset.code, 0, reset.stderr);
    const newKey = reset.stdout.trim();
    assert.match(newKey, /^chl_[\w-]{40,}$/, 'stdout is the new key alone, ready for $(…)');
    assert.notEqual(newKey, firstKey);
    assert.match(reset.stderr, /Revoked 1 bootstrap key/);

    const server = spawnNode(['api/main.ts', 'all'], { ...env, PORT: '0' });
    try {
      const url = (await server.waitFor(/listening on (http:\/\/\S+?) /))[1]!;
      assert.equal(printedAdminKey(server.stderr()), undefined, 'a later start prints no key');
      assert.equal((await me(url, firstKey!)).status, 401, 'the lost key no longer works');
      const ok = await me(url, newKey);
      assert.equal(ok.status, 200);
      assert.equal(((await ok.json()) as { name: string }).name, 'default');
      // The new key is a bootstrap key: it may create tenants, and the reset is in the audit log.
      const tenant = await fetch(`${url}/v1/tenants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${newKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'second', defaultRegion: 'US' }),
      });
      assert.equal(tenant.status, 201, await tenant.text());
      const audit = (await (await fetch(`${url}/v1/audit-log`, { headers: { authorization: `Bearer ${newKey}` } })).json()) as {
        items: { action: string; actorKeyId: string | null }[];
      };
      assert.deepEqual(
        audit.items.filter((e) => e.action === 'api-key.reset-bootstrap').map((e) => e.actorKeyId),
        [null],
      );
    } finally {
      assert.equal(await server.stop(), 0);
    }
  },
);
