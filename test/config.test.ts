import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../api/config.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const goodKey = Buffer.alloc(32, 7).toString('base64');

test('defaults apply when nothing is configured', () => {
  const config = loadConfig({});
  assert.equal(config.PORT, 3000);
  assert.equal(config.DATABASE_URL, undefined);
  assert.equal(config.CHASELINE_DEFAULT_REGION, 'CN');
});

test('a bad value is refused with a message naming the variable', () => {
  const cases: [string, string][] = [
    ['PORT', 'eighty'],
    ['DATABASE_URL', 'mysql://x'],
    ['CHASELINE_ENCRYPTION_KEY', 'c2hvcnQ='],
    ['PUBLIC_BASE_URL', 'not a url'],
    ['LOG_LEVEL', 'loud'],
    ['TWILIO_ACCOUNT_SID', 'nope'],
    ['CHASELINE_CARRIER', 'carrier-pigeon'],
    ['CHASELINE_ALLOWED_VENDOR_HOSTS', 'https://sandbox.example.com'],
    ['CHASELINE_ALLOWED_EVENT_HOSTS', 'hooks internal'],
  ];
  for (const [name, value] of cases) {
    assert.throws(
      () => loadConfig({ [name]: value }),
      (err: Error) => err.message.includes(name),
      name,
    );
  }
});

test('the allowed-host lists are parsed into their entries, each variable on its own', () => {
  const config = loadConfig({ CHASELINE_ALLOWED_VENDOR_HOSTS: ' 127.0.0.1 , *.example.com', CHASELINE_ALLOWED_EVENT_HOSTS: 'hooks.internal:8080' });
  assert.deepEqual(config.CHASELINE_ALLOWED_VENDOR_HOSTS, ['127.0.0.1', '*.example.com']);
  assert.deepEqual(config.CHASELINE_ALLOWED_EVENT_HOSTS, ['hooks.internal:8080']);
  assert.deepEqual(loadConfig({}).CHASELINE_ALLOWED_EVENT_HOSTS, []);
});

test('production refuses to run without an encryption key, and accepts one', () => {
  assert.throws(() => loadConfig({ NODE_ENV: 'production' }), /CHASELINE_ENCRYPTION_KEY/);
  assert.equal(loadConfig({ NODE_ENV: 'production', CHASELINE_ENCRYPTION_KEY: goodKey, CHASELINE_CARRIER: 'simulator' }).NODE_ENV, 'production');
});

test('production needs a real carrier, or the simulator asked for by name; the CLI, which calls nobody, needs neither', () => {
  const production = { NODE_ENV: 'production', CHASELINE_ENCRYPTION_KEY: goodKey };
  assert.throws(() => loadConfig(production), /CHASELINE_CARRIER/);
  assert.equal(loadConfig({ ...production, CHASELINE_CARRIER: 'simulator' }).CHASELINE_CARRIER, 'simulator');
  assert.equal(loadConfig({ ...production, TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'a-real-auth-token' }).CHASELINE_CARRIER, undefined);
  assert.equal(loadConfig(production, { carrier: false }).NODE_ENV, 'production');
  // Development falls back to the simulator on its own (and says so loudly at start).
  assert.equal(loadConfig({}).CHASELINE_CARRIER, undefined);
  assert.throws(() => loadConfig({ CHASELINE_CARRIER: 'twilio' }), /TWILIO_ACCOUNT_SID/);
});

test('Twilio credentials come in pairs', () => {
  assert.throws(() => loadConfig({ TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}` }), /TWILIO_AUTH_TOKEN/);
});

test('npm start stops at once on a bad variable, saying which', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    cwd: root,
    env: { ...process.env, PORT: 'not-a-port', DATABASE_URL: 'postgres://127.0.0.1:1/none' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /PORT/);
});
