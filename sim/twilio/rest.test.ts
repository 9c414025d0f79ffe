// The real twilio SDK against the simulator over HTTP: what the product's connector sees.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { startTwilioSim, type TwilioSim } from './index.ts';
import { simTwilioClient } from './sdk.ts';
import { startAppServer, until, type AppServer } from './testing.ts';

let sim: TwilioSim;
let app: AppServer;
let client: ReturnType<typeof simTwilioClient>;
const twiml = '<Response><Say>Hello</Say></Response>';

before(async () => {
  sim = await startTwilioSim({ clockSpeed: 100, callsPerSecond: 100, profile: { outcomes: { answered: 1 }, ringSeconds: [20, 20] } });
  app = await startAppServer();
  client = simTwilioClient(sim);
});
after(async () => {
  await sim.close();
  await app.close();
});

test("generated credentials look like Twilio's", () => {
  assert.match(sim.accountSid, /^AC[0-9a-f]{32}$/);
  assert.match(sim.authToken, /^[0-9a-f]{32}$/);
});

test('create a call, fetch it, cancel it while it rings', async () => {
  const created = await client.calls.create({ to: '+14155550100', from: '+14155550199', twiml, statusCallback: `${app.url}/status` });
  assert.match(created.sid, /^CA[0-9a-f]{32}$/);
  assert.equal(created.status, 'queued');
  assert.equal(created.direction, 'outbound-api');
  assert.equal(created.accountSid, sim.accountSid);
  assert.equal(created.to, '+14155550100');
  assert.ok(created.dateCreated instanceof Date && !Number.isNaN(created.dateCreated.getTime()), 'date_created parses as RFC 2822');
  assert.equal(created.uri, `/2010-04-01/Accounts/${sim.accountSid}/Calls/${created.sid}.json`);
  assert.equal(created.price, null);

  await until(() => sim.calls().find((c) => c.sid === created.sid)?.status === 'ringing', 3000, 'ringing');
  const fetched = await client.calls(created.sid).fetch();
  assert.equal(fetched.status, 'ringing');

  const canceled = await client.calls(created.sid).update({ status: 'canceled' });
  assert.equal(canceled.status, 'canceled');
  assert.equal((await client.calls(created.sid).fetch()).status, 'canceled');
  const [status] = await app.waitFor('/status');
  assert.equal(status?.params.CallStatus, 'canceled', 'the completed callback reports the cancel');
  // It stays canceled: the ring timer that was running does not answer it later.
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(
    sim
      .calls()
      .find((c) => c.sid === created.sid)
      ?.history.map((h) => h.status),
    ['queued', 'initiated', 'ringing', 'canceled'],
  );
  await assert.rejects(client.calls(created.sid).update({ status: 'completed' }), { status: 400, code: 21220 });
});

test('an unknown call sid is a 404 with code 20404', async () => {
  await assert.rejects(client.calls(`CA${'0'.repeat(32)}`).fetch(), (err: twilio.RestException) => {
    assert.equal(err.status, 404);
    assert.equal(err.code, 20404);
    assert.match(String(err.moreInfo), /twilio\.com\/docs\/errors\/20404/);
    return true;
  });
});

test('wrong auth token is a 401 with code 20003, and nothing is placed', async () => {
  const before = sim.calls().length;
  const intruder = simTwilioClient(sim, 'f'.repeat(32));
  await assert.rejects(intruder.calls.create({ to: '+14155550100', from: '+14155550199', twiml }), { status: 401, code: 20003 });
  assert.equal(sim.calls().length, before);
});

test("bad request bodies are refused with Twilio's error codes", async () => {
  const base = { to: '+14155550100', from: '+14155550199' };
  await assert.rejects(client.calls.create({ ...base, url: 'not a url' }), { status: 400, code: 21205 });
  await assert.rejects(client.calls.create({ ...base, to: '555-0100', twiml }), { status: 400, code: 21211 });
  await assert.rejects(client.calls.create({ ...base, from: 'nobody', twiml }), { status: 400, code: 21212 });
  await assert.rejects(client.calls.create({ ...base }), { status: 400, code: 21205 }, 'neither Url nor Twiml');
  await assert.rejects(client.calls.create({ ...base, twiml, method: 'PUT' as 'POST' }), { status: 400, code: 21206 });
  await assert.rejects(client.calls.create({ ...base, twiml, statusCallbackEvent: ['answerd'] }), { status: 400, message: /answerd/ });
  await assert.rejects(client.calls.create({ ...base, twiml, timeout: 'soon' as unknown as number }), { status: 400, message: /Timeout/ });
  const res = await fetch(`${sim.url}/2010-04-01/Accounts/${sim.accountSid}/Calls.json`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${sim.accountSid}:${sim.authToken}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ To: '+14155550100', From: '+14155550199', Twiml: twiml, Colour: 'red' }),
  });
  assert.equal(res.status, 400);
  const body = (await res.json()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['code', 'message', 'more_info', 'status']);
  assert.match(String(body.message), /Unknown parameter "Colour"/);
});

test('send an SMS: 201 queued, then signed sent → delivered callbacks', async () => {
  const msg = await client.messages.create({
    to: '+14155550111',
    from: '+14155550199',
    body: 'Your cart is waiting: https://x.test/l/abc',
    statusCallback: `${app.url}/sms`,
  });
  assert.match(msg.sid, /^SM[0-9a-f]{32}$/);
  assert.equal(msg.status, 'queued');
  assert.equal(msg.numSegments, '1');
  const callbacks = await app.waitFor('/sms', 2);
  assert.deepEqual(
    callbacks.map((c) => c.params.MessageStatus),
    ['sent', 'delivered'],
  );
  for (const c of callbacks) assert.equal(twilio.validateRequest(sim.authToken, c.signature ?? '', c.url, c.params), true);
  assert.equal((await client.messages(msg.sid).fetch()).status, 'delivered');
  await assert.rejects(client.messages.create({ to: '+14155550111', from: '+14155550199' }), { status: 400, code: 21602 });
  await assert.rejects(client.messages.create({ to: '+14155550111', body: 'hi' }), { status: 400, code: 21603 });
});

test('an SMS profile can make delivery fail', async () => {
  sim.setProfile('+447700900123', { outcomes: { answered: 1 }, sms: { undelivered: 1 } });
  const msg = await client.messages.create({ to: '+447700900123', from: '+14155550199', body: 'hello', statusCallback: `${app.url}/sms-bad` });
  const callbacks = await app.waitFor('/sms-bad', 2);
  assert.deepEqual(
    callbacks.map((c) => c.params.MessageStatus),
    ['sent', 'undelivered'],
  );
  assert.equal(callbacks[1]?.params.ErrorCode, '30003');
  const fetched = await client.messages(msg.sid).fetch();
  assert.equal(fetched.errorCode, 30003);
});

test('lookup a number with line type intelligence', async () => {
  const res = await client.lookups.v2.phoneNumbers('+14155552671').fetch({ fields: 'line_type_intelligence' });
  assert.equal(res.valid, true);
  assert.equal(res.callingCountryCode, '1');
  assert.equal(res.countryCode, 'US');
  assert.equal(res.phoneNumber, '+14155552671');
  assert.equal(res.nationalFormat, '(415) 555-2671');
  assert.ok(res.lineTypeIntelligence && typeof (res.lineTypeIntelligence as { type?: string }).type === 'string');

  const london = await client.lookups.v2.phoneNumbers('+442071838750').fetch({ fields: 'line_type_intelligence' });
  assert.equal(london.countryCode, 'GB');
  assert.equal(london.nationalFormat, '020 7183 8750');
  assert.equal((london.lineTypeIntelligence as { type?: string }).type, 'landline', 'from the numbering plan');
  sim.setProfile('+447911123456', { outcomes: {}, lineType: 'nonFixedVoip' });
  const voip = await client.lookups.v2.phoneNumbers('+447911123456').fetch({ fields: 'line_type_intelligence' });
  assert.equal((voip.lineTypeIntelligence as { type?: string }).type, 'nonFixedVoip', 'the profile overrides the plan');

  const bad = await client.lookups.v2.phoneNumbers('+1415555267100').fetch();
  assert.equal(bad.valid, false);
  assert.deepEqual(bad.validationErrors, ['TOO_LONG']);
  assert.equal(bad.lineTypeIntelligence, null);
  await assert.rejects(client.lookups.v2.phoneNumbers('+14155552671').fetch({ fields: 'horoscope' }), { status: 400 });
  assert.ok(sim.lookups().some((l) => l.phoneNumber === '+447911123456'));
});

test('call and message JSON carry exactly the fields of the vendor schemas', async () => {
  const { readFileSync } = await import('node:fs');
  const { CONTRACT_PATH } = await import('./contract.ts');
  const spec = JSON.parse(readFileSync(CONTRACT_PATH, 'utf8')) as { components: { schemas: Record<string, { properties: object }> } };
  const fieldsOf = (name: string) => Object.keys(spec.components.schemas[name]?.properties ?? {}).sort();
  const auth = { authorization: `Basic ${Buffer.from(`${sim.accountSid}:${sim.authToken}`).toString('base64')}` };
  const call = await client.calls.create({ to: '+14155550120', from: '+14155550199', twiml });
  const callJson = (await (await fetch(`${sim.url}${call.uri}`, { headers: auth })).json()) as object;
  assert.deepEqual(Object.keys(callJson).sort(), fieldsOf('api.v2010.account.call'));
  const msg = await client.messages.create({ to: '+14155550120', from: '+14155550199', body: 'hi' });
  const msgJson = (await (await fetch(`${sim.url}${msg.uri}`, { headers: auth })).json()) as object;
  assert.deepEqual(Object.keys(msgJson).sort(), fieldsOf('api.v2010.account.message'));
});

test('failNext injects Twilio 5xx answers, optionally after the request was carried out', async () => {
  const to = '+14155550140';
  sim.failNext({ status: 503 });
  await assert.rejects(client.calls.create({ to, from: '+14155550199', twiml }), { status: 503, code: 20503 });
  assert.equal(sim.calls().filter((c) => c.to === to).length, 0, 'refused before anything happened');

  sim.failNext({ processed: true });
  await assert.rejects(client.calls.create({ to, from: '+14155550199', twiml }), { status: 500, code: 20500 });
  assert.equal(sim.calls().filter((c) => c.to === to).length, 1, 'the answer was lost, the call was placed');
  assert.equal((await client.calls.list({ to })).length, 1, 'and only the next request fails');
});

test('fetching the account answers for its own credentials and refuses others as Twilio does (401 20003, 404 20404)', async () => {
  const account = await client.api.v2010.accounts(sim.accountSid).fetch();
  assert.equal(account.sid, sim.accountSid);
  assert.equal(account.status, 'active');
  assert.equal(account.type, 'Full');
  assert.equal(account.ownerAccountSid, sim.accountSid);
  assert.ok(account.dateCreated instanceof Date && !Number.isNaN(account.dateCreated.getTime()));
  assert.equal(account.subresourceUris.calls, `/2010-04-01/Accounts/${sim.accountSid}/Calls.json`);

  const wrong = simTwilioClient({ ...sim, authToken: 'f'.repeat(32) });
  await assert.rejects(wrong.api.v2010.accounts(sim.accountSid).fetch(), (err: { status?: number; code?: number }) => err.status === 401 && err.code === 20003);
  await assert.rejects(
    client.api.v2010.accounts(`AC${'0'.repeat(32)}`).fetch(),
    (err: { status?: number; code?: number }) => err.status === 404 && err.code === 20404,
  );
});
