// The built-in carrier is no way in: with the simulator, Twilio webhooks are verified with a
// secret generated for this installation into its data directory, so a webhook forged with
// the token the source once held, with none, or with a guessed one is refused and changes
// nothing; the api and worker processes of one installation share that secret; and
// production does not fall back to the simulator unless told to by name.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { twilioSignature } from '../sim/twilio/index.ts';
import { campaignBody, eventually } from './support/data.ts';
import { freePort, processFixture, startProcess, stopProcess, type Started } from './support/process.ts';

// What engine.ts signed with before every installation got its own secret: public, so forgeable.
const OLD_ACCOUNT = 'AC00000000000000000000000000000000';
const OLD_TOKEN = 'chaseline-simulator-auth-token';
const NAME = 'Ada Forgetarget';
const PHONE = '+14155550187';
const LINE = '+14155550100';

const files = processFixture('sim');
let port: number;
const adminKey = `chl_test_${randomBytes(24).toString('base64url')}`;

before(async () => {
  port = await freePort();
});

// The simulator calls back PUBLIC_BASE_URL, so the port is chosen before the process starts.
const env = () => ({
  DATABASE_URL: files.db.url,
  PORT: String(port),
  PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
  CHASELINE_DATA_DIR: files.dataDir,
  CHASELINE_ADMIN_KEY: adminKey,
});
const secretFile = () => path.join(files.dataDir, 'simulator.secret');
const installationToken = async () => (await readFile(secretFile(), 'utf8')).trim();

async function api(method: string, url: string, body?: unknown) {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  assert.ok(res.status < 300, `${method} ${url}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** A chase of a named contact through the API, once its call has rung: the simulator's signed status callbacks got in. */
async function chaseThatRang(url: string, phone = PHONE) {
  const contact = await api('POST', `${url}/v1/contacts`, { name: NAME, phone });
  const campaign = await api('POST', `${url}/v1/campaigns`, campaignBody({ lines: [{ from: LINE }] }));
  const chase = await api('POST', `${url}/v1/chases`, { campaignId: campaign.id, contact: { id: contact.id } });
  return eventually(
    async () => {
      const c = await api('GET', `${url}/v1/chases/${chase.id}`);
      return c.timeline.some((e: { type: string }) => e.type === 'ringing') && c.attempts[0]?.sid ? c : null;
    },
    'the simulated call to ring (its signed status callback accepted)',
    25_000,
  );
}

/** POSTs a form to a webhook as Twilio would, signed with `token` over the public URL (or with `signature` as given). */
function webhook(url: string, params: Record<string, string>, signing: { token?: string; signature?: string }) {
  const signature = signing.signature ?? (signing.token ? twilioSignature(signing.token, url, params) : undefined);
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature ? { 'x-twilio-signature': signature } : {}) },
    body: new URLSearchParams(params),
  });
}

describe('with the carrier simulator', { timeout: 300_000 }, () => {
  let app: Started;
  before(async () => {
    app = await startProcess(env(), 'all');
  });
  after(async () => {
    if (app) assert.equal(await stopProcess(app), 0);
  });

  test('the simulator secret is generated into the data directory, readable by its owner only', async () => {
    assert.match(app.stdout(), /CARRIER SIMULATOR/);
    const token = await installationToken();
    assert.match(token, /^[0-9a-f]{64}$/);
    assert.equal((await stat(secretFile())).mode & 0o777, 0o600);
    assert.ok(!app.stdout().includes(token) && !app.stderr().includes(token), 'the secret is never logged');
  });

  test('forged Twilio webhooks are 403 and change nothing; the installation secret is what gets in', async () => {
    const chase = await chaseThatRang(app.url);
    const attempt = chase.attempts[0];
    const voice = `http://127.0.0.1:${port}/webhooks/twilio/voice?attempt=${attempt.id}`;
    const voiceParams = { CallSid: attempt.sid, AccountSid: OLD_ACCOUNT, From: LINE, To: PHONE, CallStatus: 'in-progress' };
    const forgeries = { 'the old constant token': { token: OLD_TOKEN }, unsigned: {}, 'a guessed token': { token: randomBytes(32).toString('hex') } };
    for (const [how, signing] of Object.entries(forgeries)) {
      const res = await webhook(voice, voiceParams, signing);
      const text = await res.text();
      assert.equal(res.status, 403, `/voice signed with ${how}`);
      assert.ok(!text.includes(NAME), `no TwiML with the contact's name for a request signed with ${how}`);
    }
    // The same request signed with this installation's secret is served: the forgeries failed on their signature alone.
    const genuine = await webhook(voice, voiceParams, { token: await installationToken() });
    assert.equal(genuine.status, 200);
    assert.match(await genuine.text(), new RegExp(NAME));

    const sms = `http://127.0.0.1:${port}/webhooks/twilio/sms`;
    const stop = () => ({ MessageSid: `SM${randomBytes(16).toString('hex')}`, AccountSid: OLD_ACCOUNT, From: PHONE, To: LINE, Body: 'STOP' });
    for (const [how, signing] of Object.entries(forgeries)) {
      assert.equal((await webhook(sms, stop(), signing)).status, 403, `STOP signed with ${how}`);
    }
    const optOuts = async () => (await api('GET', `${app.url}/v1/opt-outs`)).items as unknown[];
    assert.deepEqual(await optOuts(), [], 'no forged STOP opted the contact out');
    const chaseNow = await api('GET', `${app.url}/v1/chases/${chase.id}`);
    assert.notEqual(chaseNow.status, 'opted-out');

    const genuineStop = await webhook(sms, stop(), { token: await installationToken() });
    assert.equal(genuineStop.status, 200);
    assert.equal((await optOuts()).length, 1, 'a STOP signed with the installation secret opts out');
  });
});

test('a later start, and separate api and worker processes, use the same secret', { timeout: 300_000 }, async () => {
  const token = await installationToken();
  // The worker's simulator signs the call's callbacks; the API process verifies them.
  const apiProcess = await startProcess(env(), 'api');
  const worker = await startProcess({ ...env(), PORT: '0' }, 'worker');
  try {
    const chase = await chaseThatRang(apiProcess.url, '+14155550188');
    assert.ok(chase.attempts[0].sid);
    assert.equal(await installationToken(), token, 'the secret is kept, not regenerated');
  } finally {
    assert.equal(await stopProcess(worker), 0);
    assert.equal(await stopProcess(apiProcess), 0);
  }
});

test(
  'production without a real carrier refuses to start, naming CHASELINE_CARRIER; asked for by name, the simulator says so',
  { timeout: 300_000 },
  async () => {
    const production = { ...env(), NODE_ENV: 'production', CHASELINE_ENCRYPTION_KEY: randomBytes(32).toString('base64'), PORT: '0' };
    await assert.rejects(startProcess(production, 'all'), (err: Error) => {
      assert.match(err.message, /exited with 1/);
      assert.match(err.message, /CHASELINE_CARRIER/);
      return true;
    });
    await assert.rejects(startProcess(production, 'worker'), /CHASELINE_CARRIER/);
    const started = await startProcess({ ...production, CHASELINE_CARRIER: 'simulator' }, 'api');
    try {
      assert.match(started.stdout(), /CARRIER SIMULATOR IN PRODUCTION: CHASELINE_CARRIER=simulator/);
    } finally {
      assert.equal(await stopProcess(started), 0);
    }
  },
);
