// The Twilio connector through the official SDK, against the carrier simulator over HTTP.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AppError } from '../../core/errors.ts';
import { startTwilioSim, type TwilioSim } from '../../sim/twilio/index.ts';
import { startAppServer, until, type AppServer } from '../../sim/twilio/testing.ts';
import { createTwilioConnector, type TwilioConnector } from './index.ts';

let sim: TwilioSim;
let app: AppServer;
let twilio: TwilioConnector;

before(async () => {
  sim = await startTwilioSim({ clockSpeed: 200, callsPerSecond: 50, profile: { outcomes: { answered: 1 }, ringSeconds: [2, 2], seed: 1 } });
  app = await startAppServer((r) => (r.path === '/twiml' ? '<Response><Say>您好</Say><Hangup/></Response>' : { status: 204 }));
  twilio = createTwilioConnector({ accountSid: sim.accountSid, authToken: sim.authToken, apiBaseUrl: sim.url });
});
after(async () => {
  await app.close();
  await sim.close();
});

const rejection = async (promise: Promise<unknown>): Promise<AppError> => {
  const err = await promise.then(() => null, (e: unknown) => e);
  assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
  return err;
};

test('a call placed through the SDK runs to completion, with signed status callbacks the connector accepts', async () => {
  const placed = await twilio.placeCall({
    to: '+8613800138000',
    from: '+14155550100',
    url: `${app.url}/twiml`,
    statusCallback: `${app.url}/status?attempt=a1`,
    machineDetection: true,
  });
  assert.match(placed.sid, /^CA[0-9a-f]{32}$/);
  assert.equal(placed.status, 'queued');
  const callbacks = await app.waitFor('/status', 4);
  assert.deepEqual(callbacks.map((c) => c.params.CallStatus), ['initiated', 'ringing', 'in-progress', 'completed']);
  for (const c of callbacks) {
    assert.equal(c.params.CallSid, placed.sid);
    assert.ok(twilio.verify(c.signature ?? '', c.url, c.params), 'the signature verifies');
    assert.ok(!twilio.verify(c.signature ?? '', c.url, { ...c.params, CallStatus: 'busy' }), 'a tampered callback does not');
  }
  const fetched = await twilio.fetchCall(placed.sid);
  assert.equal(fetched.status, 'completed');
  assert.equal(fetched.answeredBy, 'human');
  assert.ok((fetched.durationSeconds ?? 0) > 0);
  const [logged] = sim.calls().filter((c) => c.sid === placed.sid);
  assert.ok(logged?.heard.some((h) => JSON.stringify(h).includes('您好')), 'the callee heard the script');
});

test('ending a ringing call cancels it, and ending a finished one changes nothing', async () => {
  sim.setProfile('+8613900139000', { outcomes: { answered: 1 }, ringSeconds: [600, 600] });
  const placed = await twilio.placeCall({ to: '+8613900139000', from: '+14155550100', url: `${app.url}/twiml`, statusCallback: `${app.url}/status2` });
  await until(() => sim.calls().find((c) => c.sid === placed.sid)?.status === 'ringing', 5000, 'ringing');
  assert.equal((await twilio.endCall(placed.sid)).status, 'canceled');
  assert.equal((await twilio.endCall(placed.sid)).status, 'canceled');
  assert.equal(sim.calls().filter((c) => c.to === '+8613900139000').length, 1, 'no second call was placed');
});

test('SMS and number lookup go through the same client', async () => {
  const sms = await twilio.sendSms({ to: '+8613800138000', from: '+14155550100', body: '您的购物车还在等您' });
  assert.match(sms.sid, /^SM[0-9a-f]{32}$/);
  assert.equal(sim.messages().at(-1)?.body, '您的购物车还在等您');
  assert.deepEqual(await twilio.lookup('+8613800138000'), { valid: true, lineType: 'mobile', country: 'CN' });
  assert.equal((await twilio.lookup('+861380013800099')).valid, false);
});

test('vendor errors become typed errors: bad input is not retried, an outage is', async () => {
  const badNumber = await rejection(twilio.placeCall({ to: 'not-a-number', from: '+14155550100', url: `${app.url}/twiml`, statusCallback: `${app.url}/s` }));
  assert.equal(badNumber.code, 'VALIDATION');
  assert.equal(badNumber.retryable, false);
  assert.equal(badNumber.details?.vendorCode, 21211);

  const unknown = await rejection(twilio.fetchCall(`CA${'0'.repeat(32)}`));
  assert.equal(unknown.code, 'NOT_FOUND');

  const wrongToken = createTwilioConnector({ accountSid: sim.accountSid, authToken: 'x'.repeat(32), apiBaseUrl: sim.url });
  const refused = await rejection(wrongToken.fetchCall(`CA${'0'.repeat(32)}`));
  assert.equal(refused.code, 'UPSTREAM');
  assert.equal(refused.retryable, false);

  const down = createTwilioConnector({ accountSid: sim.accountSid, authToken: sim.authToken, apiBaseUrl: 'http://127.0.0.1:9' });
  const outage = await rejection(down.fetchCall(`CA${'0'.repeat(32)}`));
  assert.equal(outage.code, 'UPSTREAM');
  assert.equal(outage.retryable, true);
});

test('credentials are checked before the connector is made', () => {
  assert.throws(() => createTwilioConnector({ accountSid: 'nope', authToken: 'x'.repeat(32) }), /accountSid/);
});
