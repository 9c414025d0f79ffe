// The callee's side of a conversation: what they heard and what they answered.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { type TwilioSim } from './index.ts';
import { startDialogTestbed, until, type AppServer, type DialogTestbed, type Received } from './testing.ts';

let sim: TwilioSim;
let app: AppServer;
let client: DialogTestbed['client'];
const from = '+14155550199';

// A tiny dialog app: ask, then react to the answer.
function reply(r: Received): string | { status: number } {
  switch (r.path) {
    case '/voice':
      return `<Response><Gather input="speech" action="/answer?attempt=9" timeout="3"><Say>Hi, you left something in your cart. Still interested?</Say></Gather><Say>We did not hear you. Goodbye.</Say></Response>`;
    case '/answer':
      return /stop|don't call/i.test(r.params.SpeechResult ?? '')
        ? '<Response><Say>Understood, we will not call again.</Say><Hangup/></Response>'
        : '<Response><Say>Great, I will text you the link.</Say></Response>';
    case '/menu':
      return '<Response><Gather input="dtmf" numDigits="1" action="/pressed"><Say>Press 1 to talk to us.</Say></Gather></Response>';
    case '/pressed':
      return `<Response><Say>You pressed ${r.params.Digits}.</Say><Dial>+14155550000</Dial></Response>`;
    case '/broken':
      return { status: 500 };
    default:
      return { status: 204 };
  }
}

let bed: DialogTestbed;
before(async () => {
  ({ sim, app, client } = bed = await startDialogTestbed(reply));
});
after(() => bed.close());

const finished = (sid: string) =>
  until(() => ['completed', 'failed'].includes(sim.calls().find((c) => c.sid === sid)?.status ?? ''), 5000, `call ${sid} to end`);
const said = (sid: string) =>
  sim
    .calls()
    .find((c) => c.sid === sid)!
    .heard.filter((h) => h.verb === 'Say')
    .map((h) => h.text);

test("the persona's words reach the Gather action, signed, and the callee hears the reply", async () => {
  sim.setPersona('+14155550201', { script: ["Please don't call me again"] });
  const call = await client.calls.create({ to: '+14155550201', from, url: `${app.url}/voice` });
  const [voice] = await app.waitFor('/voice');
  assert.equal(voice?.params.CallStatus, 'in-progress');
  const [answer] = await app.waitFor('/answer');
  assert.equal(answer?.params.SpeechResult, "Please don't call me again");
  assert.ok(Number(answer?.params.Confidence) > 0.5);
  assert.equal(answer?.params.CallSid, call.sid);
  assert.ok(answer?.url.endsWith('/answer?attempt=9'), 'relative action resolved against the document URL');
  assert.equal(twilio.validateRequest(sim.authToken, answer?.signature ?? '', answer?.url ?? '', answer?.params ?? {}), true);
  await finished(call.sid);
  assert.deepEqual(said(call.sid), ['Hi, you left something in your cart. Still interested?', 'Understood, we will not call again.']);
  const gather = sim
    .calls()
    .find((c) => c.sid === call.sid)!
    .heard.find((h) => h.verb === 'Gather');
  assert.equal(gather?.reply, "Please don't call me again");
});

test('silence falls through to the verb after the Gather, without calling the action', async () => {
  sim.setPersona('+14155550202', { script: [null] });
  const call = await client.calls.create({ to: '+14155550202', from, url: `${app.url}/voice` });
  await finished(call.sid);
  assert.deepEqual(said(call.sid), ['Hi, you left something in your cart. Still interested?', 'We did not hear you. Goodbye.']);
  assert.equal(app.received.filter((r) => r.path === '/answer' && r.params.CallSid === call.sid).length, 0);
});

test('keypresses answer a DTMF Gather; Dial is logged', async () => {
  sim.setPersona('+14155550203', { script: [{ digits: '1' }] });
  const call = await client.calls.create({ to: '+14155550203', from, url: `${app.url}/menu` });
  await finished(call.sid);
  const pressed = app.received.find((r) => r.path === '/pressed' && r.params.CallSid === call.sid);
  assert.equal(pressed?.params.Digits, '1');
  const heard = sim.calls().find((c) => c.sid === call.sid)!.heard;
  assert.deepEqual(
    heard.map((h) => h.verb),
    ['Say', 'Gather', 'Say', 'Dial'],
  );
  assert.equal(heard.at(-1)?.text, '+14155550000');
});

test('an answering machine stays silent, whatever the persona says', async () => {
  sim.setProfile('+14155550204', { outcomes: { answered: 1 }, machine: 1, ringSeconds: [1, 1] });
  sim.setPersona('+14155550204', { script: ['yes please'] });
  const call = await client.calls.create({ to: '+14155550204', from, url: `${app.url}/voice` });
  await finished(call.sid);
  assert.equal(said(call.sid).at(-1), 'We did not hear you. Goodbye.');
});

test('inline Twiml runs without any fetch; a redirect via the API replaces the live document', async () => {
  const call = await client.calls.create({ to: '+14155550205', from, twiml: '<Response><Say>Please hold.</Say><Pause length="600"/></Response>' });
  await until(
    () =>
      sim
        .calls()
        .find((c) => c.sid === call.sid)
        ?.heard.some((h) => h.verb === 'Pause') ?? false,
    3000,
    'the pause',
  );
  await client.calls(call.sid).update({ twiml: '<Response><Say>Transferring you now.</Say></Response>' });
  await finished(call.sid);
  assert.deepEqual(said(call.sid), ['Please hold.', 'Transferring you now.']);
  assert.equal(sim.calls().find((c) => c.sid === call.sid)?.status, 'completed');
});

test('a TwiML URL answering 500 ends the call with the error recorded', async () => {
  const call = await client.calls.create({ to: '+14155550206', from, url: `${app.url}/broken` });
  await finished(call.sid);
  const record = sim.calls().find((c) => c.sid === call.sid)!;
  assert.equal(record.status, 'completed');
  assert.match(record.errors.join(' '), /11200.*HTTP 500/);
});
