// Call progress on the simulated clock, as the application's callback endpoint sees it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { startTwilioSim, type TwilioSim } from './index.ts';
import { simTwilioClient } from './sdk.ts';
import { startAppServer, until, type AppServer } from './testing.ts';

let sim: TwilioSim;
let app: AppServer;
let client: ReturnType<typeof simTwilioClient>;
const from = '+14155550199';
const allEvents = ['initiated', 'ringing', 'answered', 'completed'];

before(async () => {
  sim = await startTwilioSim({ clockSpeed: 100, callsPerSecond: 100, profile: { outcomes: { answered: 1 }, ringSeconds: [2, 2] } });
  app = await startAppServer();
  client = simTwilioClient(sim);
});
after(async () => {
  await sim.close();
  await app.close();
});

test('an answered call sends signed callbacks in order: initiated, ringing, in-progress, completed', async () => {
  const call = await client.calls.create({
    to: '+14155550101',
    from,
    twiml: '<Response><Say>Hello there, this is a reminder.</Say></Response>',
    statusCallback: `${app.url}/status/answered?attempt=a1`,
    statusCallbackEvent: allEvents,
  });
  const got = await app.waitFor('/status/answered', 4);
  assert.deepEqual(
    got.map((r) => r.params.CallStatus),
    ['initiated', 'ringing', 'in-progress', 'completed'],
  );
  assert.deepEqual(
    got.map((r) => r.params.SequenceNumber),
    ['0', '1', '2', '3'],
  );
  for (const r of got) {
    assert.equal(r.params.CallSid, call.sid);
    assert.equal(r.params.AccountSid, sim.accountSid);
    assert.equal(r.params.Direction, 'outbound-api');
    assert.equal(r.params.ApiVersion, '2010-04-01');
    assert.match(r.params.Timestamp ?? '', /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    assert.ok(r.url.endsWith('?attempt=a1'), 'the attempt id in the query string survives');
    assert.equal(twilio.validateRequest(sim.authToken, r.signature ?? '', r.url, r.params), true, 'the SDK validates the signature');
  }
  assert.ok(Number(got[3]?.params.CallDuration) >= 1, 'completed carries the talk time');
  const fetched = await client.calls(call.sid).fetch();
  assert.equal(fetched.status, 'completed');
  assert.ok(fetched.startTime && fetched.endTime && Number(fetched.duration) >= 1);
});

test('without StatusCallbackEvent only completed is sent', async () => {
  await client.calls.create({ to: '+14155550102', from, twiml: '<Response><Hangup/></Response>', statusCallback: `${app.url}/status/default` });
  const [only] = await app.waitFor('/status/default');
  await sim.settled();
  assert.equal(app.received.filter((r) => r.path === '/status/default').length, 1);
  assert.equal(only?.params.CallStatus, 'completed');
});

test('busy, failed and no-answer end the call the way the profile says', async () => {
  sim.setProfile('+14155550103', { outcomes: { busy: 1 }, ringSeconds: [2, 2] });
  sim.setProfile('+14155550104', { outcomes: { failed: 1 } });
  sim.setProfile('+14155550105', { outcomes: { 'no-answer': 1 } });
  for (const to of ['+14155550103', '+14155550104', '+14155550105']) {
    await client.calls.create({
      to,
      from,
      twiml: '<Response><Say>x</Say></Response>',
      statusCallback: `${app.url}/status/${to}`,
      statusCallbackEvent: allEvents,
      timeout: 15,
    });
  }
  const statuses = async (to: string) => (await app.waitFor(`/status/${to}`, to.endsWith('4') ? 2 : 3)).map((r) => r.params.CallStatus);
  assert.deepEqual(await statuses('+14155550103'), ['initiated', 'ringing', 'busy']);
  assert.deepEqual(await statuses('+14155550104'), ['initiated', 'failed'], 'a failed call never rings');
  assert.deepEqual(await statuses('+14155550105'), ['initiated', 'ringing', 'no-answer']);
  const noAnswer = sim.calls().find((c) => c.to === '+14155550105');
  const rang = noAnswer!.history.at(-1)!.at.getTime() - noAnswer!.history.find((h) => h.status === 'ringing')!.at.getTime();
  assert.ok(rang >= 15_000 && rang < 20_000, `rang for the Timeout (15 s simulated), got ${rang} ms`);
});

test('clockSpeed 100 makes a 30 s ring take about 0.3 s of real time', async () => {
  sim.setProfile('+14155550106', { outcomes: { answered: 1 }, ringSeconds: [30, 30] });
  const started = Date.now();
  await client.calls.create({
    to: '+14155550106',
    from,
    twiml: '<Response><Hangup/></Response>',
    statusCallback: `${app.url}/status/slow`,
    statusCallbackEvent: ['answered'],
  });
  await app.waitFor('/status/slow');
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 300 && elapsed < 1500, `took ${elapsed} ms`);
});

test('answering machine detection reports AnsweredBy per profile', async () => {
  sim.setProfile('+14155550107', { outcomes: { answered: 1 }, machine: 1, ringSeconds: [1, 1] });
  const call = await client.calls.create({
    to: '+14155550107',
    from,
    url: `${app.url}/twiml/amd`,
    machineDetection: 'Enable',
    statusCallback: `${app.url}/status/amd`,
    statusCallbackEvent: ['answered', 'completed'],
  });
  const [answered] = await app.waitFor('/status/amd');
  assert.equal(answered?.params.AnsweredBy, 'machine_start');
  const [twimlRequest] = await app.waitFor('/twiml/amd');
  assert.equal(twimlRequest?.params.AnsweredBy, 'machine_start', 'the TwiML request tells the app who picked up');
  await app.waitFor('/status/amd', 2);
  assert.equal((await client.calls(call.sid).fetch()).answeredBy, 'machine_start');
});

test('hanging up an in-progress call completes it at once', async () => {
  sim.setProfile('+14155550108', { outcomes: { answered: 1 }, ringSeconds: [1, 1] });
  const call = await client.calls.create({
    to: '+14155550108',
    from,
    twiml: '<Response><Pause length="600"/></Response>',
    statusCallback: `${app.url}/status/hangup`,
    statusCallbackEvent: ['answered', 'completed'],
  });
  await app.waitFor('/status/hangup');
  const updated = await client.calls(call.sid).update({ status: 'completed' });
  assert.equal(updated.status, 'completed');
  const got = await app.waitFor('/status/hangup', 2);
  assert.equal(got[1]?.params.CallStatus, 'completed');
});

test('a seeded profile draws the same outcomes every run', async () => {
  const profile = { outcomes: { answered: 0.5, busy: 0.25, 'no-answer': 0.25 }, seed: 42, ringSeconds: [1, 1] as [number, number] };
  const run = async () => {
    const s = await startTwilioSim({ clockSpeed: 1000, callsPerSecond: 1000, profile });
    const c = simTwilioClient(s);
    for (let i = 0; i < 8; i++) await c.calls.create({ to: '+14155550109', from, twiml: '<Response/>' });
    const outcomes = s.calls().map((x) => x.draw.outcome);
    await s.close();
    return outcomes;
  };
  const first = await run();
  assert.deepEqual(await run(), first);
  assert.ok(new Set(first).size > 1, `mixes outcomes: ${first.join(',')}`);
});

test('calls() lists every create request, so a second call for an attempt is visible', async () => {
  const before = sim.calls().length;
  await client.calls.create({ to: '+14155550110', from, twiml: '<Response/>', statusCallback: `${app.url}/status/x?attempt=77` });
  const mine = sim.calls().slice(before);
  assert.equal(mine.length, 1);
  assert.deepEqual(mine[0]?.request.StatusCallback, [`${app.url}/status/x?attempt=77`]);
  await until(() => sim.calls().slice(before)[0]?.status === 'completed', 3000, 'completion');
});

test("Twilio's 1 call per second: excess calls wait in the queue", async () => {
  const s = await startTwilioSim({ clockSpeed: 100, profile: { outcomes: { failed: 1 } } });
  const c = simTwilioClient(s);
  for (let i = 0; i < 3; i++) await c.calls.create({ to: '+14155550111', from, twiml: '<Response/>' });
  await until(() => s.calls().every((x) => x.status === 'failed'), 3000, 'all dialled');
  const dialled = s.calls().map((x) => x.history.find((h) => h.status === 'initiated')!.at.getTime());
  assert.ok(dialled[2]! - dialled[0]! >= 1900, `3 calls spread over ≥ 2 simulated seconds, got ${dialled[2]! - dialled[0]!} ms`);
  await s.close();
});

test('a line has its own profile: calls from it follow it unless the number called has one', async () => {
  const trunk = '+14155550188';
  sim.setProfile(trunk, { outcomes: { busy: 1 }, ringSeconds: [1, 1] });
  sim.setProfile('+14155550117', { outcomes: { 'no-answer': 1 } });
  for (const to of ['+14155550116', '+14155550117']) {
    await client.calls.create({ to, from: trunk, twiml: '<Response><Say>x</Say></Response>', statusCallback: `${app.url}/line/${to}`, timeout: 5 });
  }
  await client.calls.create({ to: '+14155550118', from, twiml: '<Response><Say>x</Say></Response>', statusCallback: `${app.url}/line/+14155550118` });
  const final = async (to: string) => (await app.waitFor(`/line/${to}`))[0]?.params.CallStatus;
  assert.equal(await final('+14155550116'), 'busy', "the line's profile");
  assert.equal(await final('+14155550117'), 'no-answer', "the number's own profile wins");
  assert.equal(await final('+14155550118'), 'completed', 'another line: the default profile');
});
