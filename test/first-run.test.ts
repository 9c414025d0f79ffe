// `npm start` as a newcomer meets it, against a fresh database: in simulator mode the default
// tenant has a simulated line to call from and the simulator's URL and personas are printed;
// once a real carrier is configured the simulated line leaves the pool; logs are JSON when
// piped and readable lines with LOG_FORMAT=pretty.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { findFreePort } from '../api/runtime/embedded-postgres.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { baseEnv } from './support/process.ts';
import { spawnNode, type Spawned } from './support/spawn.ts';
import { campaignBody } from './support/data.ts';

let db: TestDatabase;
let dataDir: string;
let env: Record<string, string>;
let campaignId: string;
let key: string;

before(async () => {
  db = await testDatabase({ migrations: false });
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'chaseline-first-run-'));
  key = `chl_first_run_${'k'.repeat(24)}`;
  env = { ...baseEnv(), DATABASE_URL: db.url, CHASELINE_DATA_DIR: dataDir, CHASELINE_ADMIN_KEY: key, PORT: '0' };
});
after(async () => {
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
});

// Tests read response bodies loosely, as test/support/app.ts does.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Api = (method: string, p: string, body?: unknown) => Promise<{ status: number; body: any }>;

async function start(extra: Record<string, string> = {}): Promise<{ server: Spawned; api: Api }> {
  const server = spawnNode(['api/main.ts', 'all'], { ...env, ...extra });
  const url = (await server.waitFor(/listening on http:\/\/localhost:(\d+) /))[1]!;
  const api: Api = async (method, p, body) => {
    const res = await fetch(`http://127.0.0.1:${url}${p}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  };
  return { server, api };
}

const lines = async (api: Api) =>
  ((await api('GET', '/v1/lines')).body.items as { name: string; fromNumber: string; health: { status: string } }[]).map((l) => [
    l.name,
    l.fromNumber,
    l.health.status,
  ]);

test(
  'simulator mode: a simulated line is in the pool, the simulator and its personas are announced; the log is JSON when piped',
  { timeout: 120_000 },
  async () => {
    const { server, api } = await start();
    try {
      assert.deepEqual(await lines(api), [['Simulated line (carrier simulator: nobody is called)', '+15005550006', 'healthy']]);
      const sim = (await server.waitFor(/carrier simulator at (http:\/\/127\.0\.0\.1:\d+):/))[1]!;
      const personas = (await (await fetch(`${sim}/sim/personas`)).json()) as { bySuffix: Record<string, string> };
      assert.equal(personas.bySuffix['1'], 'price-then-yes');
      const created = await api('POST', '/v1/campaigns', campaignBody({ lines: [] }));
      assert.equal(created.status, 201);
      assert.deepEqual(created.body.warnings, [], 'the simulated line serves a campaign without lines of its own');
      campaignId = created.body.id;
      const out = server.stdout().trim().split('\n');
      assert.ok(out.length > 5 && out.every((l) => typeof JSON.parse(l).msg === 'string'), `every stdout line is a JSON log entry:\n${server.stdout()}`);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  },
);

test(
  'a real carrier configured: the simulated line leaves the pool (and the campaign now warns); LOG_FORMAT=pretty logs readable lines',
  { timeout: 120_000 },
  async () => {
    const { server, api } = await start({
      TWILIO_ACCOUNT_SID: `AC${'0123456789abcdef'.repeat(2)}`,
      TWILIO_AUTH_TOKEN: 'not-a-real-token',
      LOG_FORMAT: 'pretty',
    });
    try {
      assert.deepEqual(await lines(api), []);
      assert.match(server.stdout(), /^\[\d\d:\d\d:\d\d\.\d{3} [^\]]+\] WARN: line pool: removed "Simulated line/m);
      assert.ok(
        !server
          .stdout()
          .split('\n')
          .some((l) => l.startsWith('{')),
        'no JSON lines',
      );
      assert.deepEqual(
        (await api('GET', `/v1/campaigns/${campaignId}`)).body.warnings.map((w: { code: string }) => w.code),
        ['no-line'],
      );
      assert.equal((await api('POST', '/v1/lines', { name: 'our number', fromNumber: '+14155550100' })).status, 201);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  },
);

test('back in simulator mode with a line of its own: no simulated line is added; the simulator listens on PORT + 1', { timeout: 120_000 }, async () => {
  const port = await findFreePort();
  const { server, api } = await start({ PORT: String(port), CHASELINE_SIMULATOR_SPEED: '10' });
  try {
    assert.deepEqual(await lines(api), [['our number', '+14155550100', 'healthy']]);
    const announced = (await server.waitFor(/carrier simulator at http:\/\/127\.0\.0\.1:(\d+)/))[1];
    // PORT + 1 unless something else holds it, in which case the log says so.
    if (!/port \d+ is taken/.test(server.stdout())) assert.equal(Number(announced), port + 1);
    assert.match(server.stdout(), /"clockSpeed":10/);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('a bad LOG_FORMAT or simulator setting stops the start, naming the variable', { timeout: 60_000 }, async () => {
  const run = spawnNode(['api/main.ts', 'all'], { ...env, LOG_FORMAT: 'xml', CHASELINE_SIMULATOR_SPEED: '0', CHASELINE_SIMULATOR_PORT: '70000' });
  assert.equal(await run.exited, 1);
  assert.match(run.stderr(), /LOG_FORMAT: must be json or pretty/);
  assert.match(run.stderr(), /CHASELINE_SIMULATOR_SPEED: must be more than 0/);
  assert.match(run.stderr(), /CHASELINE_SIMULATOR_PORT:/);
});
