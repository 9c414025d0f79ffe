/**
 * Twilio's callbacks at the real HTTP server: only signed ones get in, a delivery repeated is
 * handled once, a malformed one is a 400, and an SMS delivery report lands on its attempt.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { twilioSignature, type TwilioSim } from '../../sim/twilio/index.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import { refreshWatchedSegments } from '../../core/segments/entries.ts';
import { createSegment } from '../../core/segments/segments.ts';
import { upsertContact } from '../../core/contacts/contacts.ts';
import { campaign, contact, mobile, waitForChase } from './support.ts';
import { startChase } from '../../core/chases/chases.ts';
import { startWorker } from '../../core/jobs/worker.ts';
import { applyCallReport, type CallReport } from '../../core/chases/outcomes.ts';
import type { CallState } from '../../core/ports.ts';

// No worker: jobs the webhooks enqueue stay in the queue, where the test can count them.
let app: TestApp & { sim: TwilioSim; worker: WorkerDeps };
before(async () => {
  app = await testEngineApp({ worker: false });
});
after(() => app.close());

function post(path: string, params: Record<string, string>, signature?: string) {
  const url = `${app.url}${path}`;
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature ?? twilioSignature(app.sim.authToken, url, params) },
    body: new URLSearchParams(params),
  });
}

const callStatusJobs = async () => (await app.db.pool.query<{ n: number }>(`select count(*)::int as n from pgboss.job where name = 'call-status'`)).rows[0]!.n;

describe('Twilio webhooks', () => {
  const attempt = randomUUID();
  const params = { CallSid: `CA${'1'.repeat(32)}`, CallStatus: 'ringing', AccountSid: 'AC'.padEnd(34, '0') };

  test('an unsigned or wrongly signed callback is 403 and enqueues nothing', async () => {
    const before = await callStatusJobs();
    assert.equal((await post(`/webhooks/twilio/status?attempt=${attempt}`, params, 'bm90IGEgc2lnbmF0dXJl')).status, 403);
    // Signed for another URL: the attempt id is covered by the signature.
    const forOther = twilioSignature(app.sim.authToken, `${app.url}/webhooks/twilio/status?attempt=${randomUUID()}`, params);
    assert.equal((await post(`/webhooks/twilio/status?attempt=${attempt}`, params, forOther)).status, 403);
    assert.equal(await callStatusJobs(), before);
  });

  test('a signed callback is 204 and queued once, however often Twilio repeats it', async () => {
    const before = await callStatusJobs();
    for (let i = 0; i < 3; i++) assert.equal((await post(`/webhooks/twilio/status?attempt=${attempt}`, params)).status, 204);
    assert.equal(await callStatusJobs(), before + 1);
    // The next status of the same call is another delivery.
    assert.equal((await post(`/webhooks/twilio/status?attempt=${attempt}`, { ...params, CallStatus: 'completed' })).status, 204);
    assert.equal(await callStatusJobs(), before + 2);
  });

  test('a signed but malformed callback is 400', async () => {
    assert.equal((await post(`/webhooks/twilio/status?attempt=not-a-uuid`, params)).status, 400);
    assert.equal((await post(`/webhooks/twilio/status?attempt=${attempt}`, { ...params, CallStatus: 'exploded' })).status, 400);
  });

  test('TwiML for an unknown attempt hangs up; for a real one it says the script', async () => {
    const res = await post(`/webhooks/twilio/voice?attempt=${randomUUID()}`, { CallSid: params.CallSid });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<Response><Hangup\/><\/Response>/);
  });
});

describe('the call-status job', () => {
  /** A chase dialing its attempt, as the step leaves it. */
  async function dialing(phone: string, overrides: Record<string, unknown> = {}) {
    const c = await campaign(app.worker, app.tenantId, overrides);
    const chase = await startChase(app.worker, app.tenantId, { campaignId: c.id, contact: { id: await contact(app.worker, app.tenantId, phone) } });
    const attemptId = randomUUID();
    await app.db.pool.query(
      `with a as (insert into attempts (tenant_id, id, chase_id, campaign_id, phone_hash, channel, status, from_number)
                  select tenant_id, $2, id, campaign_id, phone_hash, 'voice', 'dialing', '+14155550100' from chases where id = $1)
       update chases set status = 'dialing', call_attempts = 1 where id = $1`,
      [chase.id, attemptId],
    );
    return { chaseId: chase.id, attemptId, sid: `CA${randomBytes(16).toString('hex')}` };
  }
  const report = (attempt: { attemptId: string; sid: string }, status: CallState, extra: Partial<CallReport> = {}): CallReport => ({
    attemptId: attempt.attemptId,
    callId: attempt.sid,
    status,
    ...extra,
  });
  const state = async (attemptId: string) => {
    const { rows: a } = await app.db.pool.query<{ status: string; sid: string | null; outcome: string | null }>(
      `select status, sid, outcome from attempts where id = $1`,
      [attemptId],
    );
    const { rows: e } = await app.db.pool.query<{ type: string }>(`select type from chase_events where attempt_id = $1 order by seq`, [attemptId]);
    return { ...a[0], events: e.map((r) => r.type) };
  };

  test('statuses only move a call forward: repeats and late ones change nothing, and each step is on the timeline once', async () => {
    const call = await dialing(mobile(910));
    for (const s of ['queued', 'ringing', 'ringing', 'in-progress', 'queued', 'ringing', 'in-progress'] as const)
      await applyCallReport(app.worker, report(call, s));
    assert.deepEqual(await state(call.attemptId), { status: 'in-progress', sid: call.sid, outcome: null, events: ['ringing', 'answered'] });
    await applyCallReport(app.worker, report(call, 'completed', { durationSeconds: 12 }));
    // Twilio's callbacks can overtake each other: a ringing that arrives after the end is ignored.
    await applyCallReport(app.worker, report(call, 'ringing'));
    await applyCallReport(app.worker, report(call, 'completed', { durationSeconds: 12 }));
    assert.deepEqual(await state(call.attemptId), { status: 'completed', sid: call.sid, outcome: 'answered', events: ['ringing', 'answered'] });
  });

  test('a machine that picked up is on the timeline as a machine; a status of another call is ignored', async () => {
    const call = await dialing(mobile(911));
    await applyCallReport(app.worker, report(call, 'in-progress', { answeredBy: 'machine' }));
    await applyCallReport(app.worker, report({ ...call, sid: `CA${randomBytes(16).toString('hex')}` }, 'completed'));
    assert.deepEqual(await state(call.attemptId), { status: 'in-progress', sid: call.sid, outcome: null, events: ['ringing', 'machine'] });
    await applyCallReport(app.worker, report(call, 'completed', { durationSeconds: 20 }));
    assert.deepEqual(await state(call.attemptId), { status: 'completed', sid: call.sid, outcome: 'machine', events: ['ringing', 'machine'] });
  });

  test("reports that overtake each other still leave the call's path on the timeline, in order and once", async () => {
    // The status jobs run concurrently: the end can be applied before the pick-up, the pick-up before the ringing.
    const answered = await dialing(mobile(913));
    for (const s of ['completed', 'in-progress', 'ringing', 'queued'] as const) await applyCallReport(app.worker, report(answered, s, { durationSeconds: 9 }));
    assert.deepEqual(await state(answered.attemptId), { status: 'completed', sid: answered.sid, outcome: 'answered', events: ['ringing', 'answered'] });

    const rangOut = await dialing(mobile(914));
    for (const s of ['no-answer', 'ringing'] as const) await applyCallReport(app.worker, report(rangOut, s));
    assert.deepEqual(await state(rangOut.attemptId), { status: 'no-answer', sid: rangOut.sid, outcome: 'no-answer', events: ['ringing', 'no-answer'] });

    // Reports applied at the same moment (several workers): still one ringing, before the answer.
    for (let n = 0; n < 8; n++) {
      const racing = await dialing(mobile(920 + n));
      await Promise.all((['ringing', 'in-progress', 'ringing', 'in-progress'] as const).map((s) => applyCallReport(app.worker, report(racing, s))));
      assert.deepEqual((await state(racing.attemptId)).events, ['ringing', 'answered'], `race ${n}`);
    }

    // A busy or failed call may never have rung: nothing is made up for it.
    const failed = await dialing(mobile(915));
    await applyCallReport(app.worker, report(failed, 'failed'));
    assert.deepEqual((await state(failed.attemptId)).events, ['failed']);
  });

  test('a call that was never answered ends a one-call chase as unreached, with its status on the timeline', async () => {
    const call = await dialing(mobile(912), { channel: { policy: 'voice' }, rules: { maxCallAttempts: 1 } });
    await applyCallReport(app.worker, report(call, 'ringing'));
    await applyCallReport(app.worker, report(call, 'no-answer'));
    assert.deepEqual(await state(call.attemptId), { status: 'no-answer', sid: call.sid, outcome: 'no-answer', events: ['ringing', 'no-answer'] });
    const { rows } = await app.db.pool.query<{ status: string; outcome: string }>(`select status, outcome from chases where id = $1`, [call.chaseId]);
    assert.deepEqual(rows[0], { status: 'completed', outcome: 'unreached' });
  });
});

describe('the dialog webhooks', () => {
  test('an answer Twilio repeats is recorded once, and gets the same TwiML both times; a forged one is 403', async () => {
    const c = await campaign(app.worker, app.tenantId);
    const chase = await startChase(app.worker, app.tenantId, { campaignId: c.id, contact: { id: await contact(app.worker, app.tenantId, mobile(900)) } });
    const attemptId = randomUUID();
    await app.db.pool.query(
      `insert into attempts (tenant_id, id, chase_id, campaign_id, phone_hash, channel, status, from_number) select tenant_id, $2, id, campaign_id, phone_hash, 'voice', 'in-progress', '+14155550100' from chases where id = $1`,
      [chase.id, attemptId],
    );
    const path = `/webhooks/twilio/gather?attempt=${attemptId}&node=start&r=0&t=0`;
    const answer = { CallSid: `CA${'2'.repeat(32)}`, AccountSid: 'AC'.padEnd(34, '0'), SpeechResult: 'no thanks not interested', Confidence: '0.9' };
    const first = await post(path, answer);
    const again = await post(path, answer);
    assert.equal(first.status, 200);
    const twiml = await first.text();
    assert.match(twiml, /Thank you for your time, goodbye\.<\/prosody><\/Say><Hangup\/>/);
    assert.equal(await again.text(), twiml);
    const { rows } = await app.db.pool.query<{ type: string }>(`select type from chase_events where attempt_id = $1 order by seq`, [attemptId]);
    assert.deepEqual(
      rows.map((r) => r.type),
      ['intent', 'refused'],
    );
    const { rows: attempt } = await app.db.pool.query<{ intent: string; outcome: string }>(`select intent, outcome from attempts where id = $1`, [attemptId]);
    assert.deepEqual(attempt[0], { intent: 'not_interested', outcome: 'refused' });
    assert.equal((await post(path, { ...answer, SpeechResult: 'stop calling me' }, 'forged')).status, 403);
  });
});

describe('with a worker', () => {
  let worker: { stop(): Promise<void> };
  before(async () => {
    worker = await startWorker(app.worker, app.boss!, { schedule: false, idleMs: 20 });
  });
  after(() => worker.stop());

  test("the SMS's delivery report lands on its attempt", async () => {
    const phone = mobile(500);
    const c = await campaign(app.worker, app.tenantId, { channel: { policy: 'sms' }, scripts: [{ name: 'd', say: 'x', sms: 'Your cart is waiting' }] });
    const done = await waitForChase(
      app.worker,
      app.tenantId,
      (await startChase(app.worker, app.tenantId, { campaignId: c.id, contact: { id: await contact(app.worker, app.tenantId, phone) } })).id,
    );
    assert.equal(done.outcome, 'sms-sent');
    await waitForChase(app.worker, app.tenantId, done.id, (ch) => ch.attempts[0]?.status === 'delivered');
  });

  test('the every-minute segment job refreshes a watched segment and starts the contacts that entered', async () => {
    const segment = await createSegment(app.worker, app.tenantId, {
      name: 'gold',
      definition: { kind: 'rules', tiers: [{ name: 'gold', when: { attribute: 'orderValue', op: 'gte', value: 500 } }] },
    });
    const c = await campaign(app.worker, app.tenantId, { trigger: { type: 'segment-entry', segmentId: segment.id } });
    const { contact: entered } = await upsertContact(app.worker, app.tenantId, { phone: mobile(501), attributes: { orderValue: 900 } }, 'api');
    await upsertContact(app.worker, app.tenantId, { phone: mobile(502), attributes: { orderValue: 100 } }, 'api');
    assert.equal(await refreshWatchedSegments(app.worker, 0), 1);
    const { rows } = await app.db.pool.query<{ contact_id: string }>(`select contact_id from chases where campaign_id = $1`, [c.id]);
    assert.deepEqual(
      rows.map((r) => r.contact_id),
      [entered.id],
    );
    // A second tick with nobody new starts nothing more.
    await refreshWatchedSegments(app.worker, 0);
    assert.equal((await app.db.pool.query(`select 1 from chases where campaign_id = $1`, [c.id])).rowCount, 1);
  });
});
