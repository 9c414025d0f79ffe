// The Twilio connector through the official SDK, against the carrier simulator over HTTP.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../core/errors.ts';
import type { PlaceCall } from '../../core/ports.ts';
import { startTwilioSim, type TwilioSim } from '../../sim/twilio/index.ts';
import { startAppServer, until, type AppServer } from '../../sim/twilio/testing.ts';
import { createTwilioConnector, type TwilioConnector } from './index.ts';

let sim: TwilioSim;
let app: AppServer;
let twilio: TwilioConnector;

before(async () => {
  sim = await startTwilioSim({ clockSpeed: 200, callsPerSecond: 50, profile: { outcomes: { answered: 1 }, ringSeconds: [2, 2], seed: 1 } });
  // The pause keeps the callee on the line until answering-machine detection (2.5 simulated
  // seconds) has its verdict: a call that ends first gets none, as on Twilio.
  app = await startAppServer((r) =>
    r.path === '/webhooks/twilio/voice' ? '<Response><Say>您好</Say><Pause length="3"/><Hangup/></Response>' : { status: 204 },
  );
  twilio = createTwilioConnector({ accountSid: sim.accountSid, authToken: sim.authToken, apiBaseUrl: sim.url }, { publicBaseUrl: app.url });
});
after(async () => {
  await app.close();
  await sim.close();
});

/** An attempt's call as the engine asks for it: a number line, machine detection on. */
const callFor = (to: string, from = '+14155550100', attemptId: string = randomUUID()): PlaceCall => ({
  attemptId,
  to,
  from,
  route: { kind: 'number' },
  detectMachine: true,
  ringSeconds: 30,
});

const rejection = async (promise: Promise<unknown>): Promise<AppError> => {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
  return err;
};

test('a call placed through the SDK runs to completion, with signed status callbacks for its attempt the connector accepts', async () => {
  const attemptId = randomUUID();
  const placed = await twilio.placeCall(callFor('+8613800138000', '+14155550100', attemptId));
  assert.match(placed.callId, /^CA[0-9a-f]{32}$/);
  assert.equal(placed.status, 'queued');
  const callbacks = await app.waitFor('/webhooks/twilio/status', 3);
  assert.deepEqual(
    callbacks.map((c) => c.params.CallStatus),
    ['ringing', 'in-progress', 'completed'],
  );
  for (const c of callbacks) {
    assert.equal(c.params.CallSid, placed.callId);
    assert.equal(new URL(c.url).searchParams.get('attempt'), attemptId, 'the callback carries the attempt');
    assert.ok(twilio.verify(c.signature ?? '', c.url, c.params), 'the signature verifies');
    assert.ok(!twilio.verify(c.signature ?? '', c.url, { ...c.params, CallStatus: 'busy' }), 'a tampered callback does not');
  }
  const [verdict] = await app.waitFor('/webhooks/twilio/amd', 1);
  assert.equal(new URL(verdict!.url).searchParams.get('attempt'), attemptId, 'the machine verdict carries the attempt');
  const fetched = await twilio.fetchCall(placed.callId);
  assert.equal(fetched.status, 'completed');
  assert.equal(fetched.answeredBy, 'human');
  assert.ok((fetched.durationSeconds ?? 0) > 0);
  const [logged] = sim.calls().filter((c) => c.sid === placed.callId);
  assert.ok(
    logged?.heard.some((h) => JSON.stringify(h).includes('您好')),
    'the callee heard the script',
  );
});

test('ending a ringing call cancels it, and ending a finished one changes nothing', async () => {
  sim.setProfile('+8613900139000', { outcomes: { answered: 1 }, ringSeconds: [600, 600] });
  const placed = await twilio.placeCall(callFor('+8613900139000'));
  await until(() => sim.calls().find((c) => c.sid === placed.callId)?.status === 'ringing', 5000, 'ringing');
  assert.equal((await twilio.endCall(placed.callId)).status, 'canceled');
  assert.equal((await twilio.endCall(placed.callId)).status, 'canceled');
  assert.equal(sim.calls().filter((c) => c.to === '+8613900139000').length, 1, 'no second call was placed');
});

test('SMS and number lookup go through the same client', async () => {
  const sms = await twilio.sendSms({ messageRef: randomUUID(), to: '+8613800138000', from: '+14155550100', body: '您的购物车还在等您' });
  assert.match(sms.messageId, /^SM[0-9a-f]{32}$/);
  assert.equal(sim.messages().at(-1)?.body, '您的购物车还在等您');
  assert.deepEqual(await twilio.lookup('+8613800138000'), { valid: true, lineType: 'mobile', country: 'CN' });
  assert.equal((await twilio.lookup('+861380013800099')).valid, false);
});

test('vendor errors become typed errors: bad input is not retried, an outage is', async () => {
  const badNumber = await rejection(twilio.placeCall(callFor('not-a-number')));
  assert.equal(badNumber.code, 'VALIDATION');
  assert.equal(badNumber.retryable, false);
  assert.equal(badNumber.details?.vendorCode, 21211);
  assert.equal(badNumber.details?.httpStatus, 400, 'Twilio answered: it refused');

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
  assert.equal(outage.details?.httpStatus, undefined, 'connection refused: no answer at all');

  sim.failNext({ status: 503 });
  const unavailable = await rejection(twilio.fetchCall(`CA${'0'.repeat(32)}`));
  assert.equal(unavailable.code, 'UPSTREAM');
  assert.equal(unavailable.retryable, true);
  assert.equal(unavailable.details?.httpStatus, 503);
  assert.equal(unavailable.details?.vendorCode, 20503);
});

test('a Twilio that never answers times out, retryable and without an HTTP status', async () => {
  const silent = createServer(() => {}); // accepts, reads, never responds
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const slow = createTwilioConnector({ accountSid: sim.accountSid, authToken: sim.authToken, apiBaseUrl: url }, { timeoutMs: 200 });
    const started = Date.now();
    const timedOut = await rejection(slow.fetchCall(`CA${'0'.repeat(32)}`));
    assert.ok(Date.now() - started < 5000, 'gave up after the timeout, not the SDK default of 30 s');
    assert.equal(timedOut.code, 'UPSTREAM');
    assert.equal(timedOut.retryable, true);
    assert.equal(timedOut.details?.httpStatus, undefined);
  } finally {
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
});

test('findCalls finds the call placed for that number since, and not earlier ones or other numbers', async () => {
  const to = '+8613700137000';
  const from = '+14155550100';
  const place = (n: string, f = from) => twilio.placeCall(callFor(n, f));
  const earlier = await place(to);
  // `since` on the simulator's timeline (it runs 200× fast): 60 simulated seconds later.
  const since = new Date(sim.clock.now().getTime() + 60_000);
  await until(() => sim.clock.now() >= since, 3000, 'a minute to pass');
  const placed = await place(to);
  await place('+8613700137001');
  await place(to, '+14155550101');

  const found = await twilio.findCalls({ to, from, since });
  assert.deepEqual(
    found.map((c) => c.callId),
    [placed.callId],
    `not ${earlier.callId}, placed a minute before`,
  );
  assert.deepEqual(await twilio.findCalls({ to: '+8613700137002', from, since }), []);
});

test('a call whose answer was lost is found by findCalls, even while it waits in the queue', async () => {
  // 0.001 calls per second: the second call waits 1000 simulated seconds (5 s), with no start_time.
  const slow = await startTwilioSim({ clockSpeed: 200, callsPerSecond: 0.001, profile: { outcomes: { answered: 1 }, ringSeconds: [600, 600] } });
  try {
    const connector = createTwilioConnector({ accountSid: slow.accountSid, authToken: slow.authToken, apiBaseUrl: slow.url }, { publicBaseUrl: app.url });
    const to = '+8613600136000';
    const attempt = callFor(to);
    await connector.placeCall({ ...attempt, to: '+8613600136001' });
    const since = slow.clock.now();
    slow.failNext({ processed: true });
    const lost = await rejection(connector.placeCall(attempt));
    assert.equal(lost.details?.httpStatus, 500);
    assert.equal(lost.retryable, true);

    const [placed] = slow.calls().filter((c) => c.to === to);
    assert.equal(placed?.startTime, null, 'still queued');
    assert.deepEqual(await connector.findCalls({ to, from: attempt.from, since }), [
      { callId: placed?.sid, status: 'queued', answeredBy: null, durationSeconds: null },
    ]);
  } finally {
    await slow.close();
  }
});

test('a connector made without the public URL looks numbers up but refuses to place calls or send texts, before asking Twilio', async () => {
  const lookupOnly = createTwilioConnector({ accountSid: sim.accountSid, authToken: sim.authToken, apiBaseUrl: sim.url });
  const before = sim.calls().length;
  const refused = await rejection(lookupOnly.placeCall(callFor('+8613800138009')));
  assert.equal(refused.code, 'INTERNAL');
  assert.match(refused.message, /public base URL/);
  assert.equal((await rejection(lookupOnly.sendSms({ messageRef: randomUUID(), to: '+8613800138009', from: '+14155550100', body: 'x' }))).code, 'INTERNAL');
  assert.equal(sim.calls().length, before, 'no call was placed');
  assert.equal((await lookupOnly.lookup('+8613800138000')).lineType, 'mobile');
});

test('credentials are checked before the connector is made', () => {
  assert.throws(() => createTwilioConnector({ accountSid: 'nope', authToken: 'x'.repeat(32) }), /accountSid/);
});
