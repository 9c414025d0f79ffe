// How calls end and what answered them, as the application's webhook sees it: machine
// detection, busy and rung-out calls, calls that fail before ringing (refused by the API, or
// hung up at once), command_id idempotency, commands on an ended call, transfer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { APIError } from 'telnyx';
import { startTestbed, type Testbed } from './testing.ts';

let bed: Testbed;
const from = '+14155550199';
const connection = 'conn-1';

before(async () => {
  bed = await startTestbed({ personasBySuffix: { '0': 'no-answer', '4': 'machine', '9': 'busy', '1': 'price-then-yes' } });
});
after(async () => bed.close());

const dial = async (to: string, extra: Record<string, unknown> = {}) => {
  const d = await bed.client.calls.dial({ connection_id: connection, to, from, webhook_url: `${bed.app.url}/hooks`, ...extra });
  return d.data!.call_control_id;
};
const events = (id: string) => bed.app.ofCall(id).map((h) => h.eventType);

test('answering machine detection: detect reports human or machine; detect_beep also reports the beep', { timeout: 20_000 }, async () => {
  const { app, sim } = bed;
  const human = await dial('+14155550101', { answering_machine_detection: 'detect' });
  const machine = await dial('+14155550104', { answering_machine_detection: 'detect_beep' });
  assert.equal((await app.waitFor('call.machine.detection.ended', human)).payload.result, 'human');
  assert.equal((await app.waitFor('call.machine.detection.ended', machine)).payload.result, 'machine');
  const greeting = await app.waitFor('call.machine.greeting.ended', machine);
  assert.equal(greeting.payload.result, 'beep_detected');
  assert.equal(greeting.payload.to, '+14155550104');
  assert.deepEqual(events(machine).slice(0, 4), ['call.initiated', 'call.answered', 'call.machine.detection.ended', 'call.machine.greeting.ended']);
  assert.deepEqual(sim.calls().find((c) => c.callControlId === machine)!.amd, { result: 'machine', greeting: 'beep_detected' });
  const unsure = await dial('+14155550131', { answering_machine_detection: 'premium' });
  sim.setProfile('+14155550132', { outcomes: { answered: 1 }, ringSeconds: [1, 1], amd: { unknown: 1 } });
  const notSure = await dial('+14155550132', { answering_machine_detection: 'detect' });
  assert.equal((await app.waitFor('call.machine.premium.detection.ended', unsure)).payload.result, 'human_residence');
  assert.equal((await app.waitFor('call.machine.detection.ended', notSure)).payload.result, 'not_sure');
  for (const id of [human, machine, unsure, notSure]) await bed.client.calls.actions.hangup(id, {});
});

test('a busy line and a call that rings out end with user_busy and timeout', { timeout: 20_000 }, async () => {
  const { app, sim } = bed;
  const busy = await dial('+14155550109');
  const rings = await dial('+14155550100', { timeout_secs: 5 });
  const b = await app.waitFor('call.hangup', busy);
  const r = await app.waitFor('call.hangup', rings);
  assert.deepEqual([b.payload.hangup_cause, b.payload.hangup_source, b.payload.sip_hangup_cause], ['user_busy', 'callee', '486']);
  assert.deepEqual([r.payload.hangup_cause, r.payload.state], ['timeout', 'hangup']);
  assert.deepEqual(events(busy), ['call.initiated', 'call.hangup'], 'never answered');
  const call = sim.calls().find((c) => c.callControlId === rings)!;
  const rang = call.endTime!.getTime() - call.createdAt.getTime();
  // Dialling (0.5 s) and 5 s of ringing, far short of the default 30 s (timers at 100× add some slack).
  assert.ok(rang >= 5_500 && rang < 20_000, `dialled, then rang for timeout_secs (${rang} ms simulated)`);
});

test('a call that fails before ringing: refused by POST /v2/calls, or hung up at once', { timeout: 20_000 }, async () => {
  const { app, sim, client } = bed;
  sim.failNext({ status: 503 });
  await assert.rejects(dial('+14155550101'), (err: unknown) => {
    assert.ok(err instanceof APIError);
    assert.equal(err.status, 503);
    assert.equal((err.error as { errors: { code: string }[] }).errors[0]?.code, '10007');
    return true;
  });
  sim.failNext({ status: 422, code: '10016', title: 'Invalid phone number' });
  await assert.rejects(dial('+14155550101'), (err: unknown) => err instanceof APIError && err.status === 422);
  await assert.rejects(dial('not-a-number'), (err: unknown) => {
    assert.ok(err instanceof APIError && err.status === 422);
    assert.equal((err.error as { errors: { source: { pointer: string } }[] }).errors[0]?.source.pointer, '/to');
    return true;
  });
  assert.equal(sim.calls().filter((c) => c.to === 'not-a-number').length, 0, 'no call was placed');

  // Accepted, then hung up before it rings: injected, an unallocated number, a persona that fails.
  sim.failNext({ hangupCause: 'call_rejected', sipHangupCause: '403' });
  const rejected = await dial('+14155550101');
  const unallocated = await dial('+10000000000');
  sim.setCallee('+14155550177', { answers: 'failed' });
  const failed = await dial('+14155550177');
  const causes = await Promise.all([rejected, unallocated, failed].map((id) => app.waitFor('call.hangup', id)));
  assert.deepEqual(
    causes.map((h) => h.payload.hangup_cause),
    ['call_rejected', 'not_found', 'call_rejected'],
  );
  assert.equal(causes[0]?.payload.sip_hangup_cause, '403');
  for (const id of [rejected, unallocated, failed]) assert.deepEqual(events(id), ['call.initiated', 'call.hangup']);
  const status = await client.calls.retrieveStatus(unallocated);
  assert.equal(status.data?.is_alive, false);
  assert.equal(status.data?.call_duration, 0);
});

test('command_id: a dial repeated with the same command_id is the same call, never a second one', { timeout: 20_000 }, async () => {
  const { sim, client, app } = bed;
  const before = sim.calls().length;
  const first = await dial('+14155550111', { command_id: 'attempt-42' });
  const again = await dial('+14155550111', { command_id: 'attempt-42' });
  assert.equal(again, first);
  assert.equal(sim.calls().length, before + 1);
  await app.waitFor('call.answered', first);
  // A command repeated with its command_id runs once.
  await client.calls.actions.speak(first, { payload: 'Once only.', voice: 'female', command_id: 'say-1' });
  await client.calls.actions.speak(first, { payload: 'Once only.', voice: 'female', command_id: 'say-1' });
  await app.waitFor('call.speak.ended', first);
  await client.calls.actions.hangup(first, {});
  await app.waitFor('call.hangup', first);
  await sim.settled();
  assert.equal(events(first).filter((e) => e === 'call.speak.started').length, 1);
  const call = sim.calls().find((c) => c.callControlId === first)!;
  assert.deepEqual(
    call.commands.map((c) => [c.name, c.duplicate ?? false]),
    [
      ['speak', false],
      ['speak', true],
      ['hangup', false],
    ],
  );
});

test('a command on a call that has ended is the spec 422 (90018); an unknown call is 404', { timeout: 20_000 }, async () => {
  const { client, app } = bed;
  const id = await dial('+14155550109');
  await app.waitFor('call.hangup', id);
  await assert.rejects(client.calls.actions.speak(id, { payload: 'Too late', voice: 'female' }), (err: unknown) => {
    assert.ok(err instanceof APIError);
    assert.equal(err.status, 422);
    assert.deepEqual(err.error, {
      errors: [
        {
          code: '90018',
          title: 'Call has already ended',
          detail: "This call is no longer active and can't receive commands.",
          meta: { url: 'https://developers.telnyx.com/docs/overview/errors/90018' },
        },
      ],
    });
    return true;
  });
  await assert.rejects(client.calls.actions.hangup('v3:nope', {}), (err: unknown) => err instanceof APIError && err.status === 404);
  await assert.rejects(client.calls.actions.speak(id, { payload: 'x' } as never), (err: unknown) => {
    assert.ok(err instanceof APIError && err.status === 422, 'voice is required');
    return true;
  });
});

test('with idleSeconds, a callee left in silence hangs up; client_state set by a command is carried on', { timeout: 20_000 }, async () => {
  const own = await startTestbed({ idleSeconds: 30 });
  try {
    const d = await own.client.calls.dial({ connection_id: connection, to: '+14155550101', from, webhook_url: `${own.app.url}/idle` });
    const id = d.data!.call_control_id;
    await own.app.waitFor('call.answered', id);
    const state = Buffer.from('step=2').toString('base64');
    await own.client.calls.actions.speak(id, { payload: 'Hello?', voice: 'female', client_state: state });
    const hangup = await own.app.waitFor('call.hangup', id);
    assert.deepEqual([hangup.payload.hangup_cause, hangup.payload.hangup_source], ['normal_clearing', 'callee']);
    assert.equal(hangup.payload.client_state, state);
    const call = own.sim.calls()[0]!;
    const silent = call.endTime!.getTime() - call.answerTime!.getTime();
    assert.ok(silent >= 30_000, `after the prompt and 30 s of silence (${silent} ms)`);
  } finally {
    await own.close();
  }
});

test('transfer: the new leg is answered and bridged; a busy target leaves the call up', { timeout: 20_000 }, async () => {
  const { client, app, sim } = bed;
  const id = await dial('+14155550101', { client_state: Buffer.from('a').toString('base64') });
  await app.waitFor('call.answered', id);
  await client.calls.actions.transfer(id, { to: '+14155550129' });
  await app.until((hs) => hs.some((h) => h.eventType === 'call.hangup' && h.payload.to === '+14155550129'), 'the busy leg');
  const busyLeg = app.hooks.find((h) => h.eventType === 'call.hangup' && h.payload.to === '+14155550129')!;
  assert.equal(busyLeg.payload.hangup_cause, 'user_busy');
  assert.equal(busyLeg.payload.call_session_id, app.ofCall(id)[0]?.payload.call_session_id, 'one session');
  assert.equal(sim.calls().find((c) => c.callControlId === id)!.state, 'answered', 'the original call is still up');

  await client.calls.actions.transfer(id, { to: '+14155550166', target_leg_client_state: Buffer.from('b').toString('base64') });
  await app.waitFor('call.bridged', id);
  const leg = await app.until((hs) => hs.some((h) => h.eventType === 'call.bridged' && h.payload.to === '+14155550166'), 'the bridged leg');
  const bridged = leg.find((h) => h.eventType === 'call.bridged' && h.payload.to === '+14155550166')!;
  assert.equal(bridged.payload.client_state, Buffer.from('b').toString('base64'));
  const end = await app.waitFor('call.hangup', id);
  assert.equal(end.payload.hangup_cause, 'normal_clearing');
  const heard = sim
    .calls()
    .find((c) => c.callControlId === id)!
    .heard.filter((h) => h.command === 'transfer');
  assert.deepEqual(
    heard.map((h) => [h.transfer?.to, h.transfer?.outcome]),
    [
      ['+14155550129', 'user_busy'],
      ['+14155550166', 'bridged'],
    ],
  );
});

test('a prompt sent while the phone rings is heard from the answer on; a SIP URI reaches the persona of its number', { timeout: 20_000 }, async () => {
  const { client, app, sim } = bed;
  const id = await dial('sip:+14155550101@trunk.example.com');
  await client.calls.actions.speak(id, { payload: 'Hello from the start.', voice: 'female' });
  await client.calls.actions.gatherUsingAI(id, { parameters: { type: 'object', properties: { answer: { type: 'string' } } } });
  const got = await app.waitFor('call.ai_gather.ended', id);
  assert.deepEqual(got.payload.result, { answer: 'How much is it?' }, 'price-then-yes, by the number inside the URI');
  assert.equal(got.payload.to, 'sip:+14155550101@trunk.example.com');
  assert.deepEqual(events(id).slice(0, 4), ['call.initiated', 'call.answered', 'call.speak.started', 'call.speak.ended']);
  const call = sim.calls().find((c) => c.callControlId === id)!;
  assert.ok(call.heard[0]!.at.getTime() >= call.answerTime!.getTime());
  await client.calls.actions.hangup(id, {});
});
