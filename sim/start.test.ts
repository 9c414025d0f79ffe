// A simulator that cannot start — its port taken, its vendor contract missing — fails at
// once with the reason, and a test that hits it fails and ends instead of hanging.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startGoogleTtsSim } from './google-tts/index.ts';
import { startHubspotSim } from './hubspot/index.ts';
import { startSalesforceSim } from './salesforce/index.ts';
import { startShopifySim } from './shopify/index.ts';
import { startTelnyxSim } from './telnyx/index.ts';
import { startTwilioSim } from './twilio/index.ts';

let taken: Server;
let port: number;
let dir: string;

before(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  port = (taken.address() as { port: number }).port;
  dir = await mkdtemp(path.join(os.tmpdir(), 'sim-start-'));
});
after(async () => {
  await new Promise((resolve) => taken.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** Settles within `ms`, or the test fails saying it would have hung. */
async function settles<T>(what: string, p: Promise<T>, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

test('every simulator refuses to start on a taken port, at once and naming it', async () => {
  const starts: [string, () => Promise<{ close(): Promise<void> }>][] = [
    ['twilio', () => startTwilioSim({ port })],
    ['hubspot', () => startHubspotSim({ port })],
    ['shopify', () => startShopifySim({ port })],
    ['salesforce', () => startSalesforceSim({ port })],
    ['google-tts', () => startGoogleTtsSim({ port })],
    ['telnyx', () => startTelnyxSim({ port })],
  ];
  for (const [name, start] of starts) {
    const outcome = await settles(
      name,
      start().then(
        async (sim) => {
          await sim.close();
          return null;
        },
        (err: unknown) => err,
      ),
    );
    assert.ok(outcome instanceof Error, `${name} started on a port already in use`);
    assert.match(outcome.message, new RegExp(`127\\.0\\.0\\.1:${port}.*EADDRINUSE`), name);
  }
});

test('a simulator whose vendor contract is missing refuses to start, naming the file', async () => {
  const missing = path.join(dir, 'nothing-here');
  await assert.rejects(settles('twilio', startTwilioSim({ contractPath: `${missing}.json` })), (err: Error) => err.message.includes(`${missing}.json`));
  await assert.rejects(settles('shopify', startShopifySim({ contractDir: missing })), (err: Error) => err.message.includes(missing));
});

test('a test file whose simulator cannot start fails and its process ends, with a receiver already listening', async () => {
  // The pattern that used to hang for good: a receiver started, then a simulator that throws.
  const at = (p: string) => pathToFileURL(fileURLToPath(new URL(p, import.meta.url))).href;
  const fixture = path.join(dir, 'cannot-start.test.mjs');
  await writeFile(
    fixture,
    `
import { test } from 'node:test';
import { startReceiver as hubspotReceiver } from ${JSON.stringify(at('./hubspot/testing.ts'))};
import { startReceiver as shopifyReceiver } from ${JSON.stringify(at('./shopify/testing.ts'))};
import { startAppServer } from ${JSON.stringify(at('./twilio/testing.ts'))};
import { startShopifySim } from ${JSON.stringify(at('./shopify/index.ts'))};
import { startHubspotSim } from ${JSON.stringify(at('./hubspot/index.ts'))};
test('contract missing', async () => {
  const app = await shopifyReceiver();
  await startShopifySim({ webhookUrl: app.url, contractDir: ${JSON.stringify(path.join(dir, 'nothing-here'))} });
});
test('port taken', async () => {
  await hubspotReceiver();
  await startAppServer();
  await startHubspotSim({ port: ${port} });
});
`,
  );
  // A test run of its own (without this runner's context, which would make it report to us).
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', fixture], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const code = await settles('the failing test file', exit, 30_000);
    assert.equal(code, 1, out);
    assert.match(out, /# fail 2/, out);
    assert.match(out, /could not be read/);
    assert.match(out, /EADDRINUSE/);
  } finally {
    child.kill('SIGKILL');
  }
});
