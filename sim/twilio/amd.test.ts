// Answering machine detection through the real SDK: synchronous (the TwiML waits for the
// result) and asynchronous (the TwiML starts at once, the result is POSTed later), and a
// live update that swaps the running document for a voicemail.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { type TwilioSim } from './index.ts';
import { startDialogTestbed, until, type AppServer, type DialogTestbed, type Received } from './testing.ts';

let sim: TwilioSim;
let app: AppServer;
let client: DialogTestbed['client'];
const from = '+14155550199';
const machine = { outcomes: { answered: 1 }, machine: 1, ringSeconds: [1, 1] as [number, number] };

// The dialog asks a question at once; the app learns later that a machine is listening.
function reply(r: Received): string | { status: number } {
  if (r.path === '/voice') return '<Response><Gather input="speech" action="/answer" timeout="20"><Say>您好，请问您还需要吗？</Say></Gather></Response>';
  if (r.path === '/voicemail') return '<Response><Say>Sorry we missed you, we will text you.</Say><Hangup/></Response>';
  return { status: 204 };
}

let bed: DialogTestbed;
before(async () => {
  ({ sim, app, client } = bed = await startDialogTestbed(reply));
});
after(() => bed.close());

const record = (sid: string) => sim.calls().find((c) => c.sid === sid)!;
const finished = (sid: string) => until(() => ['completed', 'failed'].includes(record(sid)?.status ?? ''), 5000, `call ${sid} to end`);

test('async AMD: the TwiML runs at answer, the result is POSTed signed, and a Twiml update leaves the voicemail', async () => {
  const to = '+14155550301';
  sim.setProfile(to, machine);
  sim.setPersona(to, { script: ['我要'] });
  const call = await client.calls.create({
    to,
    from,
    url: `${app.url}/voice`,
    machineDetection: 'DetectMessageEnd',
    asyncAmd: 'true',
    asyncAmdStatusCallback: `${app.url}/amd?attempt=5`,
    asyncAmdStatusCallbackMethod: 'POST',
    machineDetectionTimeout: 30,
  });
  const [voice] = await app.waitFor('/voice');
  assert.equal(voice?.params.AnsweredBy, undefined, 'not known yet when the TwiML is asked for');
  const [amd] = await app.waitFor('/amd');
  assert.deepEqual(Object.keys(amd?.params ?? {}).sort(), ['AccountSid', 'AnsweredBy', 'CallSid', 'MachineDetectionDuration']);
  assert.equal(amd?.params.AnsweredBy, 'machine_end_beep');
  assert.equal(amd?.params.CallSid, call.sid);
  assert.equal(amd?.params.AccountSid, sim.accountSid);
  assert.equal(amd?.params.MachineDetectionDuration, '8000');
  assert.equal(twilio.validateRequest(sim.authToken, amd?.signature ?? '', amd?.url ?? '', amd?.params ?? {}), true);
  assert.equal((await client.calls(call.sid).fetch()).answeredBy, 'machine_end_beep');

  await client.calls(call.sid).update({ twiml: '<Response><Say>This is Chaseline, please call us back.</Say></Response>' });
  await finished(call.sid);
  const heard = record(call.sid).heard;
  // The question, then (as the update cut the silent Gather) the voicemail.
  assert.deepEqual(
    heard.filter((h) => h.verb === 'Say').map((h) => h.text),
    ['您好，请问您还需要吗？', 'This is Chaseline, please call us back.'],
  );
  assert.ok(
    heard.filter((h) => h.verb === 'Gather').every((h) => h.reply === null),
    'a machine hears the prompt but says nothing',
  );
  assert.equal(app.received.filter((r) => r.path === '/answer').length, 0, 'a machine never answers');
  assert.deepEqual(record(call.sid).amd && { answeredBy: record(call.sid).amd!.answeredBy, async: record(call.sid).amd!.async }, {
    answeredBy: 'machine_end_beep',
    async: true,
  });
  assert.ok(record(call.sid).callbacks.some((c) => c.event === 'amd' && c.response === 204));
});

test('async AMD reports a human quickly; the persona answers the Gather meanwhile', async () => {
  const to = '+14155550302';
  sim.setPersona(to, { script: ['要的'] });
  const call = await client.calls.create({
    to,
    from,
    url: `${app.url}/voice`,
    machineDetection: 'Enable',
    asyncAmd: 'true',
    asyncAmdStatusCallback: `${app.url}/amd-human`,
  });
  const [amd] = await app.waitFor('/amd-human');
  assert.equal(amd?.params.AnsweredBy, 'human');
  assert.equal(amd?.params.MachineDetectionDuration, '2500');
  const [answer] = await app.waitFor('/answer');
  assert.equal(answer?.params.SpeechResult, '要的');
  assert.equal(answer?.params.CallSid, call.sid);
});

test('profile amd: unknown after MachineDetectionTimeout, machine_end_silence, fax', async () => {
  sim.setProfile('+14155550303', { ...machine, machine: 0, amd: { unknown: 1 } });
  sim.setProfile('+14155550304', { ...machine, amd: { machineEnd: 'machine_end_silence' } });
  sim.setProfile('+14155550305', { ...machine, machine: 0, fax: 1 });
  const twiml = '<Response><Pause length="60"/></Response>';
  const base = { from, twiml, machineDetection: 'DetectMessageEnd', asyncAmd: 'true' };
  await client.calls.create({ ...base, to: '+14155550303', machineDetectionTimeout: 10, asyncAmdStatusCallback: `${app.url}/amd/unknown` });
  await client.calls.create({ ...base, to: '+14155550304', asyncAmdStatusCallback: `${app.url}/amd/silence` });
  await client.calls.create({ ...base, to: '+14155550305', asyncAmdStatusCallback: `${app.url}/amd/fax` });
  const [unknown] = await app.waitFor('/amd/unknown');
  assert.deepEqual([unknown?.params.AnsweredBy, unknown?.params.MachineDetectionDuration], ['unknown', '10000']);
  assert.equal((await app.waitFor('/amd/silence'))[0]?.params.AnsweredBy, 'machine_end_silence');
  assert.equal((await app.waitFor('/amd/fax'))[0]?.params.AnsweredBy, 'fax');
});

test('sync AMD (unchanged): the TwiML request waits for the result and carries it', async () => {
  const to = '+14155550306';
  sim.setProfile(to, machine);
  const call = await client.calls.create({
    to,
    from,
    url: `${app.url}/voice`,
    machineDetection: 'Enable',
    statusCallback: `${app.url}/status-sync`,
    statusCallbackEvent: ['answered'],
  });
  const [voice] = await app.waitFor('/voice', app.received.filter((r) => r.path === '/voice').length + 1);
  const mine = app.received.find((r) => r.path === '/voice' && r.params.CallSid === call.sid);
  assert.ok(voice);
  assert.equal(mine?.params.AnsweredBy, 'machine_start');
  assert.equal(mine?.params.MachineDetectionDuration, '2500');
  assert.equal((await app.waitFor('/status-sync'))[0]?.params.AnsweredBy, 'machine_start');
  const r = record(call.sid);
  assert.ok(r.amd && !r.amd.async);
});

test('a live Url update interrupts the document and fetches the new one', async () => {
  const call = await client.calls.create({ to: '+14155550307', from, twiml: '<Response><Say>Hold on.</Say><Pause length="600"/></Response>' });
  await until(() => record(call.sid)?.heard.some((h) => h.verb === 'Pause') ?? false, 3000, 'the pause');
  await client.calls(call.sid).update({ url: `${app.url}/voicemail`, method: 'POST' });
  const [vm] = await app.waitFor('/voicemail');
  assert.equal(vm?.params.CallSid, call.sid);
  await finished(call.sid);
  assert.deepEqual(
    record(call.sid).heard.map((h) => h.verb),
    ['Say', 'Pause', 'Say', 'Hangup'],
  );
});

test('AMD parameters are checked like Twilio checks them', async () => {
  const base = { to: '+14155550308', from, twiml: '<Response/>' };
  await assert.rejects(client.calls.create({ ...base, machineDetection: 'Sometimes' }), { status: 400, message: /MachineDetection/ });
  await assert.rejects(client.calls.create({ ...base, machineDetection: 'Enable', asyncAmd: 'yes' }), { status: 400, message: /AsyncAmd/ });
  await assert.rejects(client.calls.create({ ...base, machineDetection: 'Enable', machineDetectionTimeout: 1 }), {
    status: 400,
    message: /MachineDetectionTimeout/,
  });
  await assert.rejects(client.calls.create({ ...base, machineDetection: 'Enable', asyncAmd: 'true', asyncAmdStatusCallback: '/relative' }), {
    status: 400,
    message: /AsyncAmdStatusCallback/,
  });
});
