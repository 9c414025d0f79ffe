// Calls through a SIP trunk (To as a SIP URI) or a BYOC trunk (Byoc sid), as the
// product's lines place them: accepted as Twilio accepts them, profiled by the number.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTwilioSim, type TwilioSim } from './index.ts';
import { simTwilioClient } from './sdk.ts';
import { startAppServer, until, type AppServer } from './testing.ts';

let sim: TwilioSim;
let app: AppServer;
let client: ReturnType<typeof simTwilioClient>;
const from = '+14155550199';
const twiml = '<Response><Gather input="speech" action="/said"><Say>Hello?</Say></Gather></Response>';
const BYOC = `BY${'a1'.repeat(16)}`;

before(async () => {
  sim = await startTwilioSim({ clockSpeed: 100, callsPerSecond: 100, profile: { outcomes: { answered: 1 }, ringSeconds: [1, 1] } });
  app = await startAppServer(() => '<Response/>');
  client = simTwilioClient(sim);
});
after(async () => {
  await sim.close();
  await app.close();
});

const final = (sid: string) =>
  until(() => ['completed', 'busy', 'no-answer', 'failed'].includes(sim.calls().find((c) => c.sid === sid)?.status ?? ''), 5000, `call ${sid} to end`);

test('To as a SIP URI: accepted with SIP credentials, shown as given, profiled and answered by the E.164 inside', async () => {
  const to = 'sip:+14155550501@trunk.example.com';
  sim.setProfile('+14155550501', { outcomes: { busy: 1 }, ringSeconds: [1, 1] });
  const call = await client.calls.create({ to, from, twiml, sipAuthUsername: 'chaseline', sipAuthPassword: 's3cret' });
  assert.equal(call.to, to);
  assert.equal((await client.calls(call.sid).fetch()).to, to);
  await final(call.sid);
  assert.equal(sim.calls().find((c) => c.sid === call.sid)?.status, 'busy', "the number's profile");

  sim.setPersona('+14155550502', { script: ['yes'] });
  const talk = await client.calls.create({ to: 'sip:+14155550502@trunk.example.com;transport=tls', from, twiml: twiml.replace('/said', `${app.url}/said`) });
  const [said] = await app.waitFor('/said');
  assert.equal(said?.params.SpeechResult, 'yes', "the number's persona answers");
  assert.equal(said?.params.To, 'sip:+14155550502@trunk.example.com;transport=tls');
  await final(talk.sid);
});

test('Byoc: a valid trunk sid is accepted and can carry its own profile; a malformed one is refused', async () => {
  sim.setProfile(BYOC, { outcomes: { 'no-answer': 1 } });
  const call = await client.calls.create({ to: '+14155550503', from, twiml, byoc: BYOC, timeout: 5 });
  assert.deepEqual(sim.calls().find((c) => c.sid === call.sid)?.request.Byoc, [BYOC]);
  await final(call.sid);
  assert.equal(sim.calls().find((c) => c.sid === call.sid)?.status, 'no-answer', "the trunk's profile");

  sim.setProfile('+14155550504', { outcomes: { answered: 1 }, ringSeconds: [1, 1] });
  const own = await client.calls.create({ to: '+14155550504', from, twiml: '<Response/>', byoc: BYOC });
  await final(own.sid);
  assert.equal(sim.calls().find((c) => c.sid === own.sid)?.status, 'completed', "the number's own profile wins over the trunk's");

  await assert.rejects(client.calls.create({ to: '+14155550505', from, twiml, byoc: 'BY123' }), { status: 400, message: /Byoc/ });
});

test('a SIP To with no host is refused', async () => {
  await assert.rejects(client.calls.create({ to: 'sip:+14155550506', from, twiml }), { status: 400, code: 21211 });
});
