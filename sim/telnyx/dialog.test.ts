// A whole conversation through the official SDK: dial, answered, a spoken prompt, a spoken
// answer gathered from the callee's persona (with barge-in), keys, and hang-up — with the
// webhooks, their order and their payloads as the application receives them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PERSONAS_BY_SUFFIX } from './index.ts';
import { startTestbed, type Testbed } from './testing.ts';

let bed: Testbed;
const from = '+14155550199';
const connection = '1494404757140276705';
const state = Buffer.from('attempt=a1').toString('base64');

before(async () => {
  bed = await startTestbed({ personasBySuffix: { '1': 'price-then-yes', '8': { script: [{ text: 'Stop, I want a person', bargeIn: true }] } } });
});
after(async () => bed.close());

const answer = { type: 'object', properties: { answer: { type: 'string', description: "the callee's words" } }, required: ['answer'] };

test('dial → answered → speak → a spoken answer gathered → hangup, with the webhooks in order', { timeout: 20_000 }, async () => {
  const { client, app, sim } = bed;
  const dialled = await client.calls.dial({ connection_id: connection, to: '+14155550101', from, webhook_url: `${app.url}/telnyx`, client_state: state });
  const id = dialled.data?.call_control_id ?? '';
  assert.match(id, /^v3:/);
  assert.equal(dialled.data?.is_alive, true);
  assert.equal(dialled.data?.record_type, 'call');
  assert.ok(dialled.data?.call_leg_id && dialled.data.call_session_id);

  await app.waitFor('call.answered', id);
  await client.calls.actions.speak(id, { payload: 'Hello, this is Chaseline about your order.', voice: 'female', language: 'en-US' });
  const gathered = await client.calls.actions.gatherUsingAI(id, { parameters: answer, greeting: 'Would you like the link?' });
  assert.equal(gathered.data?.result, 'ok');
  const ended = await app.waitFor('call.ai_gather.ended', id);
  assert.deepEqual(ended.payload.result, { answer: 'How much is it?' });
  assert.equal(ended.payload.status, 'valid');
  assert.deepEqual(ended.payload.message_history, [
    { role: 'assistant', content: 'Would you like the link?' },
    { role: 'user', content: 'How much is it?' },
  ]);
  await client.calls.actions.hangup(id, {});
  await app.waitFor('call.hangup', id);
  await sim.settled();

  const hooks = app.ofCall(id);
  assert.deepEqual(
    hooks.map((h) => h.eventType),
    ['call.initiated', 'call.answered', 'call.speak.started', 'call.speak.ended', 'call.ai_gather.ended', 'call.hangup'],
  );
  for (const h of hooks) {
    assert.equal(h.body.data.record_type, 'event');
    assert.match(h.body.data.id, /^[0-9a-f-]{36}$/);
    assert.ok(!Number.isNaN(Date.parse(h.body.data.occurred_at)));
    assert.equal(h.payload.client_state, state, `${h.eventType} echoes client_state`);
    assert.equal(h.payload.connection_id, connection);
    assert.equal(h.payload.call_leg_id, dialled.data?.call_leg_id);
    assert.equal(h.payload.call_session_id, dialled.data?.call_session_id);
  }
  const [initiated, answered] = hooks;
  assert.equal(initiated?.payload.direction, 'outgoing');
  assert.equal(initiated?.payload.to, '+14155550101');
  assert.equal(initiated?.payload.from, from);
  assert.equal(answered?.payload.state, 'answered');
  assert.equal(hooks[3]?.payload.status, 'completed');
  const hangup = hooks.at(-1)!.payload;
  assert.equal(hangup.hangup_cause, 'normal_clearing');
  assert.equal(hangup.hangup_source, 'caller');

  const call = sim.calls().find((c) => c.callControlId === id)!;
  assert.deepEqual(
    call.heard.map((h) => [h.command, h.text]),
    [
      ['speak', 'Hello, this is Chaseline about your order.'],
      ['gather_using_ai', 'Would you like the link?'],
    ],
  );
  assert.equal(call.heard[0]?.attrs.voice, 'female');
  assert.equal(call.heard[1]?.reply, 'How much is it?');
  const status = await client.calls.retrieveStatus(id);
  assert.equal(status.data?.is_alive, false);
});

test('a persona that barges in cuts the greeting short; with interruption off it plays out', { timeout: 20_000 }, async () => {
  const { client, app, sim } = bed;
  const long = 'Before you answer, let me tell you everything about our offer, which is long and has many parts to it.';
  const place = async () => {
    const d = await client.calls.dial({ connection_id: connection, to: '+14155550108', from, webhook_url: `${app.url}/barge` });
    const id = d.data!.call_control_id;
    await app.waitFor('call.answered', id);
    return id;
  };
  const a = await place();
  await client.calls.actions.gatherUsingAI(a, { parameters: answer, greeting: long });
  const got = await app.waitFor('call.ai_gather.ended', a);
  assert.deepEqual(got.payload.result, { answer: 'Stop, I want a person' });
  const b = await place();
  await client.calls.actions.gatherUsingAI(b, { parameters: answer, greeting: long, interruption_settings: { enable: false } });
  await app.waitFor('call.ai_gather.ended', b);
  const first = (id: string) => sim.calls().find((c) => c.callControlId === id)!.heard[0]!;
  assert.equal(first(a).interrupted, true);
  assert.equal(first(a).playedMs, 1000);
  assert.equal(first(b).interrupted, undefined);
});

test('gather_using_speak: keys from the persona end the prompt; words or silence time out', { timeout: 20_000 }, async () => {
  const { client, app, sim } = bed;
  sim.setCallee('+14155550120', { script: [{ digits: '1', bargeIn: true }, 'just words', null] });
  const d = await client.calls.dial({ connection_id: connection, to: '+14155550120', from, webhook_url: `${app.url}/keys` });
  const id = d.data!.call_control_id;
  await app.waitFor('call.answered', id);
  const menu = { payload: 'Press 1 for yes, 2 for no.', voice: 'male', valid_digits: '12', maximum_digits: 1, timeout_millis: 5000 };
  await client.calls.actions.gatherUsingSpeak(id, menu);
  await client.calls.actions.gatherUsingSpeak(id, menu);
  await client.calls.actions.gatherUsingSpeak(id, menu);
  const all = await app.until((hs) => hs.filter((h) => h.payload.call_control_id === id && h.eventType === 'call.gather.ended').length === 3, 'three gathers');
  const ends = all.filter((h) => h.payload.call_control_id === id && h.eventType === 'call.gather.ended').map((h) => [h.payload.status, h.payload.digits]);
  assert.deepEqual(ends, [
    ['valid', '1'],
    ['timeout', ''],
    ['timeout', ''],
  ]);
  const heard = sim.calls().find((c) => c.callControlId === id)!.heard;
  assert.equal(heard[0]?.interrupted, true, 'a key press interrupts the prompt');
  assert.equal(heard[1]?.interrupted, undefined);
  await client.calls.actions.hangup(id, {});
});

test('a machine hears every prompt and answers none', { timeout: 20_000 }, async () => {
  const { client, app, sim } = bed;
  sim.setCallee('+14155550124', { answers: 'machine' });
  const d = await client.calls.dial({ connection_id: connection, to: '+14155550124', from, webhook_url: `${app.url}/machine` });
  const id = d.data!.call_control_id;
  await app.waitFor('call.answered', id);
  await client.calls.actions.gatherUsingAI(id, { parameters: answer, greeting: 'Is this a good time?' });
  const got = await app.waitFor('call.ai_gather.ended', id);
  assert.equal(got.payload.status, 'invalid');
  assert.deepEqual(got.payload.result, {});
  const heard = sim.calls().find((c) => c.callControlId === id)!.heard;
  assert.equal(heard[0]?.reply, null);
  await client.calls.actions.hangup(id, {});
});

test("npm start's callees (DEFAULT_PERSONAS_BY_SUFFIX) answer a Telnyx call as they answer a Twilio one", { timeout: 30_000 }, async () => {
  const own = await startTestbed({ personasBySuffix: DEFAULT_PERSONAS_BY_SUFFIX });
  try {
    const outcome = async (digit: string) => {
      const d = await own.client.calls.dial({
        connection_id: connection,
        to: `+1415555020${digit}`,
        from,
        webhook_url: `${own.app.url}/p${digit}`,
        timeout_secs: 10,
      });
      const id = d.data!.call_control_id;
      const first = await own.app.until(
        (hs) => hs.some((h) => h.payload.call_control_id === id && ['call.answered', 'call.hangup'].includes(h.eventType)),
        `the call to …${digit}`,
        10_000,
      );
      const end = first.find((h) => h.payload.call_control_id === id && ['call.answered', 'call.hangup'].includes(h.eventType))!;
      if (end.eventType === 'call.hangup') return `hangup:${String(end.payload.hangup_cause)}`;
      await own.client.calls.actions.gatherUsingAI(id, { parameters: answer, greeting: 'Hello?' });
      const got = await own.app.waitFor('call.ai_gather.ended', id, 10_000);
      await own.client.calls.actions.hangup(id, {});
      return got.payload.status === 'valid' ? String((got.payload.result as { answer: string }).answer) : 'silence';
    };
    const got = await Promise.all(['0', '1', '2', '3', '4', '5', '9'].map(outcome));
    assert.deepEqual(got, [
      'hangup:timeout',
      'How much is it?',
      "No thanks, I'm not interested",
      '退订',
      'silence',
      "I'm busy right now, call me back later",
      'hangup:user_busy',
    ]);
  } finally {
    await own.close();
  }
});
