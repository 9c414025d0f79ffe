/**
 * The call dialog end to end: the simulator's personas answer each <Gather> as a callee
 * would, the real HTTP server serves the TwiML and understands the answers, and what the
 * person asked for happens (the link by SMS, the opt-out, the transfer, the call back…).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { startChase } from '../../core/chases/chases.ts';
import { optOutState } from '../../core/consent/consent.ts';
import { getContact } from '../../core/contacts/contacts.ts';
import { AppError } from '../../core/errors.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import type { TwilioSim } from '../../sim/twilio/index.ts';
import { campaign, contact, mobile, waitForChase } from './support.ts';
import { eventually } from '../support/data.ts';

let app: TestApp & { sim: TwilioSim; worker: WorkerDeps };
let deps: WorkerDeps;
let t: string;

before(async () => {
  app = await testEngineApp({ sim: { clockSpeed: 50, callsPerSecond: 100 } });
  deps = app.worker;
  t = app.tenantId;
});
after(() => app.close());

const heardText = (phone: string) =>
  app.sim
    .calls()
    .filter((c) => c.to === phone)
    .flatMap((c) => c.heard)
    .map((h) => `${h.verb}: ${h.text ?? ''}`)
    .join('\n');
const intentsOf = (c: { timeline: { type: string; detail: Record<string, unknown> | null }[] }) =>
  c.timeline.filter((e) => e.type === 'intent').map((e) => e.detail?.intent);

const zhScript = {
  name: 'zh',
  locale: 'zh-CN',
  say: '{{name}}您好，您的购物车里还有商品，需要我把付款链接发给您吗？',
  sms: '您的购物车：{{context.link}}',
};

describe('the call dialog through the simulator', () => {
  test('"价格多少" then "好的": the price branch is heard and the link arrives by SMS', async () => {
    const phone = mobile(101);
    app.sim.setPersona(phone, { script: ['价格多少', '好的'] });
    const id = await contact(deps, t, phone, { name: '王伟' });
    const c = await campaign(deps, t, { scripts: [zhScript], channel: { policy: 'voice' } });
    const started = await startChase(deps, t, { campaignId: c.id, contact: { id }, context: { link: 'https://shop.example/r/101', price: '199元' } });
    const done = await waitForChase(deps, t, started.id);
    assert.equal(done.status, 'completed');
    assert.equal(done.outcome, 'interested');
    assert.deepEqual(intentsOf(done), ['price_question', 'interested']);
    const heard = heardText(phone);
    assert.match(heard, /王伟您好/);
    assert.match(heard, /价格是199元/, heard);
    assert.match(heard, /链接已经用短信发给您了/);
    const sms = await eventually(async () => app.sim.messages().find((m) => m.to === phone), 'the link SMS', 5000);
    assert.equal(await smsCount(started.id), 1, 'one SMS for the chase');
    // The link is tracked: it goes through /l/{code}, which records the click and redirects.
    const link = sms.body.match(/^您的购物车：(http\S+\/l\/[\w-]{8,})$/)?.[1];
    assert.ok(link?.startsWith(app.url), sms.body);
    const click = await fetch(link!, { redirect: 'manual' });
    assert.equal(click.status, 302);
    assert.equal(click.headers.get('location'), 'https://shop.example/r/101');
    const clicked = await waitForChase(deps, t, started.id, (ch) => ch.timeline.some((e) => e.type === 'link-clicked'));
    assert.equal(clicked.status, 'completed');
  });

  test('"退订": opted out of every channel, the chase ends, and no campaign can start another', async () => {
    const phone = mobile(102);
    app.sim.setPersona(phone, { script: ['退订'] });
    const id = await contact(deps, t, phone);
    const c = await campaign(deps, t, { scripts: [zhScript] });
    const other = await campaign(deps, t, { name: 'later', rules: { delayMinutes: 600 } });
    const pending = await startChase(deps, t, { campaignId: other.id, contact: { id } });
    const started = await startChase(deps, t, { campaignId: c.id, contact: { id } });
    const done = await waitForChase(deps, t, started.id);
    assert.equal(done.status, 'opted-out');
    assert.match(heardText(phone), /不会再通过电话或短信联系您/);
    const contactRow = await getContact(deps, t, id);
    assert.deepEqual(await optOutState(deps.db, t, deps.pii.phoneIndex(contactRow.phone!)), { voice: true, sms: true });
    assert.equal((await waitForChase(deps, t, pending.id)).status, 'opted-out', 'the pending chase of another campaign ended at once');
    await assert.rejects(startChase(deps, t, { campaignId: other.id, contact: { id } }), (err: unknown) => err instanceof AppError && err.code === 'CONFLICT');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(app.sim.messages().filter((m) => m.to === phone).length, 0, 'no SMS either');
  });

  test('asking for a person transfers the call to the agent, with a whisper of who it is', async () => {
    const phone = mobile(103);
    app.sim.setPersona(phone, { script: ['can I talk to a real person please'] });
    const id = await contact(deps, t, phone, { name: 'Ann' });
    const c = await campaign(deps, t, { call: { transferTo: '+14155550199' } });
    const started = await startChase(deps, t, { campaignId: c.id, contact: { id } });
    const done = await waitForChase(deps, t, started.id);
    assert.equal(done.outcome, 'transferred');
    assert.deepEqual(intentsOf(done), ['human']);
    const dial = app.sim
      .calls()
      .find((call) => call.to === phone)!
      .heard.find((h) => h.verb === 'Dial');
    assert.ok(dial, heardText(phone));
    assert.match(JSON.stringify(dial), /\+14155550199/);
    assert.ok(done.timeline.some((e) => e.type === 'transferred' && e.detail?.status === 'completed'));
  });

  test('"wrong number": the number is never dialled for that contact again', async () => {
    const phone = mobile(104);
    app.sim.setPersona(phone, { script: ["sorry you've got the wrong number"] });
    const id = await contact(deps, t, phone, { name: 'Bob' });
    const c = await campaign(deps, t);
    const done = await waitForChase(deps, t, (await startChase(deps, t, { campaignId: c.id, contact: { id } })).id);
    assert.equal(done.outcome, 'wrong-number');
    assert.match((await getContact(deps, t, id)).phoneInvalidReason ?? '', /wrong number/);
    await assert.rejects(startChase(deps, t, { campaignId: c.id, contact: { id } }), (err: unknown) => err instanceof AppError && err.code === 'VALIDATION');
  });

  test('"call me tomorrow": the chase is rescheduled, not ended', async () => {
    const phone = mobile(105);
    app.sim.setPersona(phone, { script: ["I'm driving right now, call me back tomorrow"] });
    const id = await contact(deps, t, phone);
    const c = await campaign(deps, t, { call: { callbackAfterMinutes: 180 }, rules: { caps: { minHoursBetweenCalls: 0 } } });
    const started = await startChase(deps, t, { campaignId: c.id, contact: { id } });
    const rescheduled = await waitForChase(
      deps,
      t,
      started.id,
      (ch) => ch.status === 'scheduled' && ch.timeline.some((e) => e.type === 'callback-requested') && ch.attempts.every((a) => a.endedAt !== null),
    );
    const due = new Date(rescheduled.dueAt).getTime();
    assert.ok(due >= Date.now() + 170 * 60_000, `due ${rescheduled.dueAt}`);
  });

  test('"not interested": the chase completes and the refusal keeps every campaign away', async () => {
    const phone = mobile(106);
    app.sim.setPersona(phone, { script: ['no thanks, not interested'] });
    const id = await contact(deps, t, phone);
    const c = await campaign(deps, t);
    const done = await waitForChase(deps, t, (await startChase(deps, t, { campaignId: c.id, contact: { id } })).id);
    assert.equal(done.outcome, 'not-interested');
    const other = await campaign(deps, t, { name: 'other', rules: { expireAfterHours: 24 * 30 } });
    const next = await waitForChase(deps, t, (await startChase(deps, t, { campaignId: other.id, contact: { id } })).id, (ch) =>
      ch.timeline.some((e) => e.type === 'scheduled' && e.detail?.reason === 'frequency cap'),
    );
    assert.ok(
      new Date(next.dueAt).getTime() > Date.now() + 6.9 * 86_400_000,
      `held for the 7-day cooldown, due ${next.dueAt}: ${JSON.stringify(next.timeline)} ${JSON.stringify(done.attempts)}`,
    );
    assert.equal(app.sim.calls().filter((call) => call.to === phone).length, 1, 'not called again');
  });

  test('key 9 opts out like the words do; silence is re-prompted, then the call ends politely', async () => {
    const pressed = mobile(107);
    app.sim.setPersona(pressed, { script: [{ digits: '9' }] });
    const c = await campaign(deps, t);
    const a = await waitForChase(deps, t, (await startChase(deps, t, { campaignId: c.id, contact: { id: await contact(deps, t, pressed) } })).id);
    assert.equal(a.status, 'opted-out');

    const silent = mobile(108);
    app.sim.setPersona(silent, { script: [] });
    const b = await waitForChase(deps, t, (await startChase(deps, t, { campaignId: c.id, contact: { id: await contact(deps, t, silent) } })).id);
    assert.equal(b.outcome, 'answered');
    const heard = heardText(silent);
    assert.equal(heard.match(/Sorry, I didn't catch that/g)?.length, 2, heard);
    assert.match(heard, /Thank you, goodbye/);
  });

  test('an answering machine gets the voicemail after the beep, then the SMS follows', async () => {
    const phone = mobile(109);
    app.sim.setProfile(phone, { outcomes: { answered: 1 }, machine: 1, ringSeconds: [1, 2] });
    const id = await contact(deps, t, phone, { name: 'Li' });
    const c = await campaign(deps, t, {
      scripts: [
        {
          name: 'vm',
          say: 'Hello {{name}}, your cart is waiting.',
          sms: 'Your cart: {{context.link}}',
          voicemail: 'Hi {{name}}, we kept your cart for you. We will text you the link.',
        },
      ],
    });
    const done = await waitForChase(
      deps,
      t,
      (await startChase(deps, t, { campaignId: c.id, contact: { id }, context: { link: 'https://shop.example/r/109' } })).id,
    );
    assert.equal(done.status, 'completed');
    assert.equal(done.outcome, 'sms-sent');
    const types = done.timeline.map((e) => e.type);
    assert.ok(types.includes('voicemail') && types.includes('machine'), types.join(', '));
    assert.match(heardText(phone), /Hi Li, we kept your cart for you/);
    assert.equal(app.sim.messages().filter((m) => m.to === phone).length, 1);
  });

  test('an answering machine with no voicemail in the script is hung up on, and the SMS follows', async () => {
    const phone = mobile(110);
    app.sim.setProfile(phone, { outcomes: { answered: 1 }, machine: 1, ringSeconds: [1, 2] });
    const c = await campaign(deps, t);
    const done = await waitForChase(
      deps,
      t,
      (await startChase(deps, t, { campaignId: c.id, contact: { id: await contact(deps, t, phone) }, context: { link: 'https://shop.example/r/110' } })).id,
    );
    assert.equal(done.outcome, 'sms-sent');
    assert.ok(!done.timeline.some((e) => e.type === 'voicemail'));
    assert.equal(done.attempts.find((a) => a.channel === 'voice')?.outcome, 'machine');
  });
});

async function smsCount(chaseId: string): Promise<number> {
  const { rows } = await deps.db.query<{ n: number }>(`select count(*)::int as n from attempts where chase_id = $1 and channel = 'sms'`, [chaseId]);
  return rows[0]!.n;
}
