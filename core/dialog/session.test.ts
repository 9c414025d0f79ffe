// The dialog's one entry point, driven by carrier-neutral events as any carrier's adapter
// sends them (no carrier's params): what the call says and how it listens, what an answer
// does and records — once, however often the carrier repeats it — transfers, the agent's
// whisper and the voicemail. Real PostgreSQL, the offline intent classifier.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { testEngineApp, type TestApp } from '../../test/support/app.ts';
import { campaign, contact, mobile } from '../../test/chases/support.ts';
import type { WorkerDeps } from '../deps.ts';
import { startChase } from '../chases/chases.ts';
import { optOutState } from '../consent/consent.ts';
import { createOfflineClassifier } from '../intents/classifier.ts';
import { mediaKey } from './media.ts';
import { speechRequest } from './voice.ts';
import { dialogSession, type DialogEvent, type DialogSession } from './session.ts';
import type { DialogTurn, TurnPosition } from './turn.ts';

const BASE = 'https://chaseline.example';
let app: TestApp & { worker: WorkerDeps };
let session: DialogSession;

before(async () => {
  // No worker: the jobs an answer queues stay in the queue.
  app = await testEngineApp({ worker: false });
  session = dialogSession({ deps: app.worker, classifier: createOfflineClassifier(), publicBaseUrl: BASE });
});
after(() => app.close());

/** A live call: a chase of a campaign (overrides) with an answered voice attempt, as the carrier's callbacks leave it. */
async function liveCall(n: number, overrides: Record<string, unknown> = {}, extra: { name?: string; tts?: boolean } = {}) {
  const c = await campaign(app.worker, app.tenantId, overrides);
  const phone = mobile(n);
  const chase = await startChase(app.worker, app.tenantId, {
    campaignId: c.id,
    contact: { id: await contact(app.worker, app.tenantId, phone, extra.name ? { name: extra.name } : {}) },
    context: { price: '$20' },
  });
  const attemptId = randomUUID();
  await app.db.pool.query(
    `insert into attempts (tenant_id, id, chase_id, campaign_id, phone_hash, channel, status, from_number, tts)
     select tenant_id, $2, id, campaign_id, phone_hash, 'voice', 'in-progress', '+14155550100', $3 from chases where id = $1`,
    [chase.id, attemptId, extra.tts ?? false],
  );
  return { attemptId, chaseId: chase.id, phone, callId: `call-${randomBytes(8).toString('hex')}` };
}

const heard = (call: { attemptId: string; callId: string }, at: TurnPosition, answer: { speech?: string; digits?: string } = {}): DialogEvent => ({
  type: 'heard',
  attemptId: call.attemptId,
  callId: call.callId,
  at,
  ...(answer.speech ? { speech: { text: answer.speech, confidence: 0.9 } } : {}),
  ...(answer.digits ? { digits: answer.digits } : {}),
});
const said = (turn: DialogTurn | null) => turn?.say.map((p) => p.text).join(' | ');
const timeline = async (attemptId: string) =>
  (await app.db.pool.query<{ type: string }>(`select type from chase_events where attempt_id = $1 order by seq`, [attemptId])).rows.map((r) => r.type);
const attempt = async (attemptId: string) =>
  (await app.db.pool.query<{ intent: string | null; outcome: string | null }>(`select intent, outcome from attempts where id = $1`, [attemptId])).rows[0];

describe('the dialog session', () => {
  test('an answered call opens with the script, in its voice, listening for speech and keys with barge-in at the start', async () => {
    const call = await liveCall(
      1,
      {
        call: { listenSeconds: 7, hints: ['cart'] },
        scripts: [{ name: 'a', say: 'Hello {{name}}, your cart is waiting.', locale: 'en-GB', voice: { style: 'lively' }, sms: 'Cart: {{context.link}}' }],
      },
      { name: 'Ann' },
    );
    const turn = await session.next({ type: 'answered', attemptId: call.attemptId });
    assert.deepEqual(turn, {
      say: [{ text: 'Hello Ann, your cart is waiting.', voice: { language: 'en-GB', locale: 'en-GB', style: 'lively', rate: 1.1, pitch: 2 } }],
      next: {
        do: 'listen',
        listen: {
          input: ['speech', 'keys'],
          bargeIn: true,
          language: 'en-GB',
          locale: 'en-GB',
          timeoutSeconds: 7,
          maxDigits: 1,
          hints: ['cart'],
          at: { node: 'start', reprompt: 0, turn: 0 },
        },
      },
    });
  });

  test('an unknown call, a malformed id or a node the dialog lacks gets no turn', async () => {
    assert.equal(await session.next({ type: 'answered', attemptId: randomUUID() }), null);
    assert.equal(await session.next({ type: 'answered', attemptId: "x' or 1=1" }), null);
    const call = await liveCall(2);
    assert.equal(await session.next(heard(call, { node: 'nowhere', reprompt: 0, turn: 0 }, { speech: 'yes' })), null);
  });

  test('an answer moves the dialog on and is recorded once, however often the carrier repeats it', async () => {
    const call = await liveCall(3);
    const answer = heard(call, { node: 'start', reprompt: 0, turn: 0 }, { speech: 'no thanks not interested' });
    const first = await session.next(answer);
    const again = await session.next(answer);
    assert.deepEqual(again, first);
    assert.equal(said(first), 'Understood. Thank you for your time, goodbye.');
    assert.deepEqual(first?.next, { do: 'hangup' });
    assert.deepEqual(await timeline(call.attemptId), ['intent', 'refused']);
    assert.deepEqual(await attempt(call.attemptId), { intent: 'not_interested', outcome: 'refused' });
  });

  test('a question is answered and the call listens again, one turn further; silence is asked again and writes nothing', async () => {
    const call = await liveCall(4);
    const price = await session.next(heard(call, { node: 'start', reprompt: 0, turn: 0 }, { speech: 'how much is it' }));
    assert.equal(said(price), 'The price is $20. Would you like me to text you the link?');
    assert.deepEqual(price?.next.do === 'listen' && price.next.listen.at, { node: 'price', reprompt: 0, turn: 1 });
    const silent = await liveCall(5, {}, { name: 'Cy' });
    const again = await session.next(heard(silent, { node: 'start', reprompt: 0, turn: 0 }));
    assert.equal(said(again), "Sorry, I didn't catch that. Hello Cy, your cart is waiting.");
    assert.deepEqual(again?.next.do === 'listen' && again.next.listen.at, { node: 'start', reprompt: 1, turn: 1 });
    assert.deepEqual(await timeline(silent.attemptId), []);
    const bye = await session.next(heard(silent, { node: 'start', reprompt: 2, turn: 2 }));
    assert.deepEqual([said(bye), bye?.next], ['Thank you, goodbye.', { do: 'hangup' }]);
  });

  test('key 9 opts the number out of every channel before the goodbye is said', async () => {
    const call = await liveCall(6);
    const turn = await session.next(heard(call, { node: 'start', reprompt: 0, turn: 0 }, { digits: '9' }));
    assert.match(said(turn) ?? '', /You will not be contacted by us again/);
    assert.deepEqual(turn?.next, { do: 'hangup' });
    assert.deepEqual(await optOutState(app.db.pool, app.tenantId, app.worker.pii.phoneIndex(call.phone)), { voice: true, sms: true });
  });

  test('asking for a person transfers with a whisper; a transfer nobody took promises a call back, recorded once', async () => {
    const call = await liveCall(7, { call: { transferTo: 'sip:agent@pbx.example.com' } }, { name: 'Bo' });
    const turn = await session.next(heard(call, { node: 'start', reprompt: 0, turn: 0 }, { speech: 'can I talk to a real person' }));
    assert.equal(said(turn), 'Please hold while I connect you to a colleague.');
    assert.deepEqual(turn?.next, {
      do: 'transfer',
      transfer: { target: 'sip:agent@pbx.example.com', callerId: '+14155550100', whisper: true, tags: { chase: call.chaseId, attempt: call.attemptId } },
    });

    const whisper = await session.next({ type: 'whisper-due', attemptId: call.attemptId });
    assert.deepEqual([said(whisper), whisper?.next], ['Transfer from test: Bo asked to talk to a person.', { do: 'connect' }]);

    const ended: DialogEvent = { type: 'transfer-ended', attemptId: call.attemptId, callId: call.callId, status: 'no-answer', durationSeconds: null };
    const sorry = await session.next(ended);
    assert.deepEqual([said(sorry), sorry?.next], ["Sorry, no one is free right now. We'll call you back soon. Goodbye.", { do: 'hangup' }]);
    assert.deepEqual(await session.next(ended), sorry);
    assert.deepEqual(await timeline(call.attemptId), ['intent', 'transferred']);
    assert.equal((await attempt(call.attemptId))?.outcome, 'callback');

    const taken = await liveCall(8, { call: { transferTo: '+14155550199' } });
    assert.deepEqual(
      await session.next({ type: 'transfer-ended', attemptId: taken.attemptId, callId: taken.callId, status: 'completed', durationSeconds: 42 }),
      { say: [], next: { do: 'hangup' } },
    );
    const { rows } = await app.db.pool.query<{ detail: unknown }>(`select detail from chase_events where attempt_id = $1 and type = 'transferred'`, [
      taken.attemptId,
    ]);
    assert.deepEqual(
      rows.map((r) => r.detail),
      [{ status: 'completed', durationSeconds: 42 }],
    );
  });

  test('a voicemail is left when the script has one (also for a machine known at pick-up); otherwise the call hangs up', async () => {
    const vm = await liveCall(
      9,
      { scripts: [{ name: 'vm', say: 'Hello', voicemail: 'Hi {{name}}, we kept your cart.', sms: 'Cart: {{context.link}}' }] },
      { name: 'Li' },
    );
    const due = await session.next({ type: 'voicemail-due', attemptId: vm.attemptId });
    assert.deepEqual([said(due), due?.next], ['Hi Li, we kept your cart.', { do: 'voicemail' }]);
    assert.deepEqual(await session.next({ type: 'answered', attemptId: vm.attemptId, answeredBy: 'machine' }), due);
    const none = await liveCall(10);
    assert.deepEqual(await session.next({ type: 'voicemail-due', attemptId: none.attemptId }), { say: [], next: { do: 'hangup' } });
  });

  test('prompts synthesised before the call are played from /media; the whisper to the agent is spoken', async () => {
    const script = { name: 'tts', say: 'Hello there.', locale: 'en-US', voice: { style: 'calm' as const }, sms: 'Cart: {{context.link}}' };
    const call = await liveCall(11, { scripts: [script], call: { transferTo: '+14155550199' } }, { tts: true });
    const turn = await session.next({ type: 'answered', attemptId: call.attemptId });
    const key = mediaKey(app.worker, app.tenantId, speechRequest(script, 'Hello there.'));
    assert.equal(turn?.say[0]?.audioUrl, `${BASE}/media/${key}`);
    const whisper = await session.next({ type: 'whisper-due', attemptId: call.attemptId });
    assert.equal(whisper?.say[0]?.audioUrl, undefined);
  });
});
