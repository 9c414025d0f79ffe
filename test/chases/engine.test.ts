/**
 * The whole path, end to end: a chase is started, a worker reserves an attempt and places the
 * call through the real twilio SDK against the carrier simulator, the simulator fetches the
 * TwiML and posts signed status callbacks to the real HTTP server, and the chase moves on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { startChase } from '../../core/chases/chases.ts';
import { setCampaignStatus } from '../../core/campaigns/campaigns.ts';
import { optOut } from '../../core/consent/consent.ts';
import { nextCallableTime, type CallingWindow } from '../../core/campaigns/calling-window.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import type { TwilioSim } from '../../sim/twilio/index.ts';
import { campaign, contact, mobile, waitForChase } from './support.ts';
import { upsertContact } from '../../core/contacts/contacts.ts';

let app: TestApp & { sim: TwilioSim; worker: WorkerDeps };
let deps: WorkerDeps;
let t: string;

before(async () => {
  app = await testEngineApp({ sim: { clockSpeed: 50, callsPerSecond: 100 } });
  deps = app.worker;
  t = app.tenantId;
});
after(() => app.close());

const types = (c: { timeline: { type: string }[] }) => c.timeline.map((e) => e.type);

describe('a chase through the carrier simulator', () => {
  test('an answered call completes the chase, with the timeline in order and the attempt carrying the call', async () => {
    const phone = mobile(1);
    const id = await contact(deps, t, phone, { name: 'Wei' });
    const c = await campaign(deps, t);
    const started = await startChase(deps, t, { campaignId: c.id, contact: { id }, context: { link: 'https://shop.example/r/1' } });
    assert.deepEqual(types(started), ['created', 'scheduled']);
    const done = await waitForChase(deps, t, started.id);
    assert.equal(done.status, 'completed');
    assert.equal(done.outcome, 'answered');
    assert.deepEqual(types(done), ['created', 'scheduled', 'dialing', 'ringing', 'answered', 'completed']);
    assert.equal(done.attempts.length, 1);
    const attempt = done.attempts[0]!;
    assert.equal(attempt.status, 'completed');
    assert.equal(attempt.outcome, 'answered');
    const calls = app.sim.calls().filter((call) => call.to === phone);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.sid, attempt.sid);
    assert.equal(calls[0]!.from, '+14155550100');
    assert.ok(calls[0]!.request.StatusCallback?.[0]?.includes(`attempt=${attempt.id}`));
    assert.ok(
      calls[0]!.heard.some((h) => JSON.stringify(h).includes('Hello Wei, your cart is waiting.')),
      JSON.stringify(calls[0]!.heard),
    );
  });

  test('no answer, then the SMS with the filled-in text, then completed', async () => {
    const phone = mobile(2);
    app.sim.setProfile(phone, { outcomes: { 'no-answer': 1 }, ringSeconds: [1, 2] });
    const id = await contact(deps, t, phone);
    const c = await campaign(deps, t);
    const started = await startChase(deps, t, { campaignId: c.id, contact: { id }, context: { link: 'https://shop.example/r/2' } });
    const done = await waitForChase(deps, t, started.id);
    assert.equal(done.status, 'completed');
    assert.equal(done.outcome, 'sms-sent');
    assert.deepEqual(types(done), ['created', 'scheduled', 'dialing', 'ringing', 'no-answer', 'scheduled', 'sms-sent', 'completed']);
    const sms = app.sim.messages().filter((m) => m.to === phone);
    assert.equal(sms.length, 1);
    assert.match(sms[0]!.body, new RegExp(`^Your cart: ${app.url}/l/[\\w-]{8,}$`)); // the link is tracked (test/api/links.test.ts)
  });

  test('an answering machine counts as not reached: it goes on to the SMS', async () => {
    const phone = mobile(3);
    app.sim.setProfile(phone, { outcomes: { answered: 1 }, machine: 1, ringSeconds: [1, 2] });
    const id = await contact(deps, t, phone);
    const c = await campaign(deps, t);
    const done = await waitForChase(deps, t, (await startChase(deps, t, { campaignId: c.id, contact: { id } })).id);
    assert.equal(done.outcome, 'sms-sent');
    assert.ok(types(done).includes('machine'), types(done).join());
  });

  test('voice only: a busy line after the last attempt ends the chase as unreached, with no SMS', async () => {
    const phone = mobile(4);
    app.sim.setProfile(phone, { outcomes: { busy: 1 }, ringSeconds: [1, 1] });
    const id = await contact(deps, t, phone);
    const c = await campaign(deps, t, { channel: { policy: 'voice' }, scripts: [{ name: 'd', say: 'Hi' }] });
    const done = await waitForChase(deps, t, (await startChase(deps, t, { campaignId: c.id, contact: { id } })).id);
    assert.equal(done.status, 'completed');
    assert.equal(done.outcome, 'unreached');
    assert.ok(types(done).includes('busy'));
    assert.equal(app.sim.messages().filter((m) => m.to === phone).length, 0);
  });

  test('an opt-out cancels the pending chase at once, and no call is placed', async () => {
    const phone = mobile(5);
    const id = await contact(deps, t, phone);
    const c = await campaign(deps, t, { rules: { delayMinutes: 60 } });
    const started = await startChase(deps, t, { campaignId: c.id, contact: { id } });
    await optOut(deps, t, { phone, channel: 'sms', source: 'sms-stop' });
    const done = await waitForChase(deps, t, started.id);
    assert.equal(done.status, 'opted-out');
    assert.equal(app.sim.calls().filter((call) => call.to === phone).length, 0);
  });

  test('a second campaign on the same number waits for the frequency cap instead of calling', async () => {
    const phone = mobile(6);
    app.sim.setProfile(phone, { outcomes: { 'no-answer': 1 }, ringSeconds: [1, 1] });
    const id = await contact(deps, t, phone);
    const voiceOnly = { channel: { policy: 'voice' }, scripts: [{ name: 'd', say: 'Hi' }] };
    const first = await campaign(deps, t, voiceOnly);
    const second = await campaign(deps, t, voiceOnly);
    await waitForChase(deps, t, (await startChase(deps, t, { campaignId: first.id, contact: { id } })).id);
    const waiting = await waitForChase(
      deps,
      t,
      (await startChase(deps, t, { campaignId: second.id, contact: { id } })).id,
      (ch) => ch.timeline.filter((e) => e.type === 'scheduled').length >= 2,
    );
    const rescheduled = waiting.timeline.filter((e) => e.type === 'scheduled').at(-1)!;
    assert.equal(rescheduled.detail?.reason, 'frequency cap');
    const hours = (Date.parse(String(rescheduled.detail?.at)) - Date.now()) / 3_600_000;
    assert.ok(hours > 5.9 && hours <= 6, `rescheduled ${hours} h ahead`);
    assert.equal(app.sim.calls().filter((call) => call.to === phone).length, 1);
  });

  test('a carrier 429 is retried with backoff and the chase then gets its call; the failure stays on the timeline', async () => {
    const phone = mobile(7);
    const id = await contact(deps, t, phone);
    const c = await campaign(deps, t);
    app.sim.failNext({ count: 1, status: 429, code: 20429 });
    const done = await waitForChase(deps, t, (await startChase(deps, t, { campaignId: c.id, contact: { id } })).id);
    assert.equal(done.outcome, 'answered');
    const failed = done.timeline.find((e) => e.type === 'failed');
    assert.equal(failed?.detail?.retrying, true);
    assert.deepEqual(
      done.attempts.map((a) => a.status),
      ['not-placed', 'completed'],
    );
    assert.equal(app.sim.calls().filter((call) => call.to === phone).length, 1);
  });

  test('a number the carrier rejects ends the chase as failed with the carrier’s reason', async () => {
    const phone = mobile(8);
    const id = await contact(deps, t, phone);
    const c = await campaign(deps, t);
    app.sim.failNext({ count: 1, status: 400, code: 21211 });
    const done = await waitForChase(deps, t, (await startChase(deps, t, { campaignId: c.id, contact: { id } })).id);
    assert.equal(done.status, 'failed');
    assert.equal(done.outcome, 'carrier-refused');
    assert.match(done.lastError ?? '', /21211/);
  });

  test("outside the recipient's calling window the chase waits for it; with no time before the deadline it expires", async () => {
    // A window open one hour on the weekday two days from now (within the default 72 h deadline), in the number's zone (+86: Asia/Shanghai).
    const today =
      ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(
        new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', weekday: 'short' }).format(new Date()),
      ) + 1;
    const day = String(((today - 1 + 2) % 7) + 1);
    const window = { days: { [day]: [{ start: '10:00', end: '11:00' }] } };
    const expected = nextCallableTime(new Date(), 'Asia/Shanghai', window as CallingWindow)!;

    const phone = mobile(9);
    const id = await contact(deps, t, phone);
    const waiting = await waitForChase(
      deps,
      t,
      (await startChase(deps, t, { campaignId: (await campaign(deps, t, { rules: { window } })).id, contact: { id } })).id,
      (c) => c.timeline.filter((e) => e.type === 'scheduled').length >= 2,
    );
    const next = waiting.timeline.filter((e) => e.type === 'scheduled').at(-1)!;
    assert.equal(next.detail?.reason, 'calling window');
    assert.equal(next.detail?.at, expected.toISOString());
    assert.equal(next.detail?.timeZone, 'Asia/Shanghai');
    assert.equal(waiting.status, 'scheduled');

    const soon = await campaign(deps, t, { rules: { window, expireAfterHours: 1 } });
    const expired = await waitForChase(deps, t, (await startChase(deps, t, { campaignId: soon.id, contact: { id: await contact(deps, t, mobile(10)) } })).id);
    assert.equal(expired.status, 'expired');
    assert.match(String(expired.timeline.at(-1)?.detail?.reason), /calling window/);
    assert.equal(app.sim.calls().filter((call) => call.to === phone || call.to === mobile(10)).length, 0);
  });

  test('a carrier that keeps answering 429 exhausts the retries: the chase ends failed through the dead-letter queue, with the error', async () => {
    const phone = mobile(11);
    const id = await contact(deps, t, phone);
    const c = await campaign(deps, t);
    // The test queue allows 2 retries: three refusals in a row.
    app.sim.failNext({ count: 3, status: 429, code: 20429 });
    const done = await waitForChase(deps, t, (await startChase(deps, t, { campaignId: c.id, contact: { id } })).id, undefined, 30_000);
    assert.equal(done.status, 'failed');
    assert.equal(done.outcome, 'carrier-error');
    assert.match(done.lastError ?? '', /20429/);
    assert.equal(done.timeline.at(-1)?.detail?.deadLetter, true);
    assert.equal(done.attempts.length, 3);
    assert.ok(done.attempts.every((a) => a.status === 'not-placed'));
    assert.equal(app.sim.calls().filter((call) => call.to === phone).length, 0);
  });

  test('a paused campaign holds its due chases without calling; resume dials them', async () => {
    const phone = mobile(12);
    const id = await contact(deps, t, phone);
    const c = await campaign(deps, t);
    await setCampaignStatus(deps, t, c.id, 'pause');
    const started = await startChase(deps, t, { campaignId: c.id, contact: { id } });
    await new Promise((r) => setTimeout(r, 1500)); // its job has run and found the campaign paused
    const held = await waitForChase(deps, t, started.id, () => true);
    assert.equal(held.status, 'scheduled');
    assert.equal(app.sim.calls().filter((call) => call.to === phone).length, 0);
    await setCampaignStatus(deps, t, c.id, 'resume');
    const done = await waitForChase(deps, t, started.id);
    assert.equal(done.outcome, 'answered');
    assert.equal(app.sim.calls().filter((call) => call.to === phone).length, 1);
  });

  test('a contact whose number changed before the call is called on the new number, and the attempt is counted there', async () => {
    const c = await campaign(deps, t);
    await setCampaignStatus(deps, t, c.id, 'pause');
    const id = await contact(deps, t, mobile(13));
    const started = await startChase(deps, t, { campaignId: c.id, contact: { id } });
    await upsertContact(deps, t, { id, phone: mobile(14) }, 'api');
    await setCampaignStatus(deps, t, c.id, 'resume');
    const done = await waitForChase(deps, t, started.id);
    assert.equal(done.outcome, 'answered');
    assert.equal(app.sim.calls().filter((call) => call.to === mobile(13)).length, 0);
    assert.equal(app.sim.calls().filter((call) => call.to === mobile(14)).length, 1);
    const { rows } = await app.db.pool.query(`select 1 from attempts where chase_id = $1 and phone_hash = $2`, [started.id, deps.pii.phoneIndex(mobile(14))]);
    assert.equal(rows.length, 1);
  });

  test('no phone number, name or context reached the logs or a job payload', async () => {
    const secrets = [
      ...Array.from({ length: 14 }, (_, i) => mobile(i + 1)),
      ...Array.from({ length: 14 }, (_, i) => mobile(i + 1).slice(3)),
      'Wei',
      'shop.example',
    ];
    const logs = app.logs.join('');
    assert.ok(logs.length > 0);
    for (const s of secrets) assert.ok(!logs.includes(s), `a log line holds ${s}`);
    const { rows } = await app.db.pool.query<{ data: string }>(`select data::text as data from pgboss.job union all select data::text from pgboss.archive`);
    assert.ok(rows.length > 0);
    for (const r of rows) for (const s of secrets) assert.ok(!r.data.includes(s), `a job payload holds ${s}`);
  });
});
