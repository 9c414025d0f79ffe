// The dialog's <Gather>: a Chinese speech prompt with SSML, barge-in (the callee talking
// over the prompt), its attributes in the heard log, and a persona answering in order.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type HeardEntry, type TwilioSim } from './index.ts';
import { startDialogTestbed, until, type AppServer, type DialogTestbed, type Received } from './testing.ts';

let sim: TwilioSim;
let app: AppServer;
let client: DialogTestbed['client'];
const from = '+14155550199';
// 16 Chinese characters: 4 simulated seconds of speech.
const QUESTION = '您好，这里是商城。您的购物车里还有商品，请问您还需要吗？';

function gatherTwiml(bargeIn: string | null, action: string) {
  const barge = bargeIn === null ? '' : ` bargeIn="${bargeIn}"`;
  return (
    `<Response><Gather input="speech dtmf"${barge} language="cmn-Hans-CN" hints="价格,退订,好的" speechTimeout="auto" timeout="4" action="${action}" actionOnEmptyResult="true">` +
    `<Say voice="Google.cmn-CN-Standard-A" language="cmn-Hans-CN"><prosody rate="110%">${QUESTION}</prosody></Say></Gather></Response>`
  );
}

function reply(r: Received): string | { status: number } {
  if (r.path === '/ask') return gatherTwiml(null, '/turn?n=1');
  if (r.path === '/ask-no-barge') return gatherTwiml('false', '/done');
  if (r.path === '/turn') {
    const n = Number(new URL(r.url).searchParams.get('n'));
    return n < 2 ? gatherTwiml('true', `/turn?n=${n + 1}`) : '<Response><Say language="cmn-Hans-CN">好的，再见。</Say></Response>';
  }
  return '<Response/>';
}

let bed: DialogTestbed;
before(async () => {
  // Slower than elsewhere: the barge-in test compares simulated durations, and at 100×
  // a 30 ms stall of a busy test machine would already be 3 simulated seconds.
  ({ sim, app, client } = bed = await startDialogTestbed(reply, 25));
});
after(() => bed.close());

const heardOf = async (sid: string) => {
  await until(() => sim.calls().find((c) => c.sid === sid)?.status === 'completed', 5000, `call ${sid} to end`);
  return sim.calls().find((c) => c.sid === sid)!.heard;
};
const verbs = (heard: HeardEntry[], verb: string) => heard.filter((h) => h.verb === verb);
const turns = (sid: string) => app.received.filter((r) => r.path === '/turn' && r.params.CallSid === sid);

test('a persona answers successive Gathers in order; SSML is heard as its text; attributes are logged', async () => {
  sim.setPersona('+8613800138001', { script: ['价格多少', '好的'] });
  const call = await client.calls.create({ to: '+8613800138001', from, url: `${app.url}/ask` });
  const heard = await heardOf(call.sid);
  assert.deepEqual(
    turns(call.sid).map((r) => r.params.SpeechResult),
    ['价格多少', '好的'],
  );
  assert.equal(verbs(heard, 'Say')[0]?.text, QUESTION);
  assert.equal(verbs(heard, 'Say')[0]?.attrs.language, 'cmn-Hans-CN');
  const [first] = verbs(heard, 'Gather');
  assert.deepEqual(first?.gather, {
    input: ['speech', 'dtmf'],
    language: 'cmn-Hans-CN',
    hints: '价格,退订,好的',
    timeout: 4,
    speechTimeout: 'auto',
    bargeIn: true,
    actionOnEmptyResult: true,
  });
  assert.equal(first?.reply, '价格多少');
  assert.equal(
    verbs(heard, 'Say').some((h) => h.interrupted),
    false,
    'a persona without bargeIn waits for the prompt to end',
  );
  assert.equal(verbs(heard, 'Say').at(-1)?.text, '好的，再见。');
});

test('barge-in: the callee cuts the prompt short, which takes less simulated time', async () => {
  sim.setPersona('+8613800138002', { script: ['价格多少'], bargeIn: true, bargeInAfter: 1.5 });
  sim.setPersona('+8613800138003', { script: ['价格多少'] });
  const barging = await client.calls.create({ to: '+8613800138002', from, url: `${app.url}/ask` });
  const patient = await client.calls.create({ to: '+8613800138003', from, url: `${app.url}/ask` });
  const [cut, full] = await Promise.all([heardOf(barging.sid), heardOf(patient.sid)]);
  const cutSay = verbs(cut, 'Say')[0];
  assert.equal(cutSay?.interrupted, true);
  assert.equal(cutSay?.playedMs, 1500);
  assert.equal(verbs(full, 'Say')[0]?.interrupted, undefined);
  const spent = (h: HeardEntry[]) => verbs(h, 'Gather')[0]!.at.getTime() - verbs(h, 'Say')[0]!.at.getTime();
  assert.ok(spent(cut) < spent(full) - 2000, `barging reached the answer sooner: ${spent(cut)} vs ${spent(full)} ms`);
  assert.equal(turns(barging.sid)[0]?.params.SpeechResult, '价格多少');
});

test('bargeIn="false" plays the prompt in full even for a barging persona', async () => {
  sim.setPersona('+8613800138004', { script: ['价格多少'], bargeIn: true });
  const call = await client.calls.create({ to: '+8613800138004', from, url: `${app.url}/ask-no-barge` });
  const heard = await heardOf(call.sid);
  assert.equal(verbs(heard, 'Say')[0]?.interrupted, undefined);
  assert.equal(verbs(heard, 'Gather')[0]?.gather?.bargeIn, false);
  assert.equal(app.received.find((r) => r.path === '/done' && r.params.CallSid === call.sid)?.params.SpeechResult, '价格多少');
});

test('per-utterance bargeIn: { text, bargeIn } and digits, alongside plain strings', async () => {
  sim.setPersona('+8613800138005', { script: [{ text: '多少钱', bargeIn: true }, '好的'] });
  sim.setPersona('+8613800138006', { script: [{ digits: '9', bargeIn: true }] });
  const words = await client.calls.create({ to: '+8613800138005', from, url: `${app.url}/ask` });
  const keys = await client.calls.create({ to: '+8613800138006', from, url: `${app.url}/ask` });
  const [h1, h2] = await Promise.all([heardOf(words.sid), heardOf(keys.sid)]);
  assert.deepEqual(
    verbs(h1, 'Say').map((h) => h.interrupted ?? false),
    [true, false, false],
    'only the first turn barged in',
  );
  assert.deepEqual(
    turns(words.sid).map((r) => r.params.SpeechResult),
    ['多少钱', '好的'],
  );
  assert.equal(verbs(h2, 'Say')[0]?.interrupted, true);
  assert.equal(turns(keys.sid)[0]?.params.Digits, '9');
});

test('silence with actionOnEmptyResult posts an empty result; a machine is always silent', async () => {
  sim.setProfile('+8613800138007', { outcomes: { answered: 1 }, machine: 1, ringSeconds: [1, 1] });
  sim.setPersona('+8613800138007', { script: ['价格多少'], bargeIn: true });
  const call = await client.calls.create({ to: '+8613800138007', from, url: `${app.url}/ask` });
  const heard = await heardOf(call.sid);
  assert.equal(verbs(heard, 'Say')[0]?.interrupted, undefined, 'a machine never barges in');
  const [first] = turns(call.sid);
  assert.equal(first?.params.SpeechResult, undefined);
  assert.equal(first?.params.Digits, undefined);
  assert.equal(verbs(heard, 'Gather')[0]?.reply, null);
});
