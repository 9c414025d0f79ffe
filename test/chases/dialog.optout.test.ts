/**
 * Opt-outs through the call dialog end to end, in Cantonese and in English: the simulator's
 * personas answer each <Gather> as a callee would, the real HTTP server understands them, and
 * an answer that may be a request to stop is confirmed before anything is sent — "yes", silence
 * or hanging up on the question all opt the number out; "no" does not. A Cantonese script is
 * heard by Cantonese recognition and spoken by a Cantonese voice, in Cantonese words.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startChase, type ChaseDetail } from '../../core/chases/chases.ts';
import { optOutState } from '../../core/consent/consent.ts';
import { campaign, contact, engineAppPerFile, mobile, waitForChase } from './support.ts';
import { eventually } from '../support/data.ts';

const app = engineAppPerFile();
const deps = () => app.worker;

const heard = (phone: string) =>
  app.sim
    .calls()
    .filter((c) => c.to === phone)
    .flatMap((c) => c.heard);
const heardText = (phone: string) =>
  heard(phone)
    .map((h) => `${h.verb}: ${h.text ?? ''}`)
    .join('\n');
const intentsOf = (c: ChaseDetail) => c.timeline.filter((e) => e.type === 'intent').map((e) => [e.detail?.intent, e.detail?.next]);
const optedOut = async (phone: string) => optOutState(deps().db, app.tenantId, deps().pii.phoneIndex(phone));
const smsTo = (phone: string) => app.sim.messages().filter((m) => m.to === phone).length;

const yueScript = {
  name: 'yue',
  locale: 'zh-HK',
  say: '{{name}}你好，你個購物車仲有貨品，使唔使我send條連結畀你？',
  sms: '你嘅購物車：{{context.link}}',
};

async function chase(phone: string, script: Record<string, unknown> | null, call: Record<string, unknown> = {}): Promise<string> {
  const c = await campaign(deps(), app.tenantId, { ...(script ? { scripts: [script] } : {}), channel: { policy: 'voice' }, call });
  const started = await startChase(deps(), app.tenantId, {
    campaignId: c.id,
    contact: { id: await contact(deps(), app.tenantId, phone, { name: '陳生' }) },
    context: { link: 'https://shop.example/r/1', price: '199蚊' },
  });
  return started.id;
}

describe('Cantonese calls', () => {
  test('"以後唔好再send嘢畀我" is an opt-out at once, said back in Cantonese, heard by Cantonese recognition', async () => {
    const phone = mobile(301);
    app.sim.setPersona(phone, { script: ['以後唔好再send嘢畀我'] });
    const done = await waitForChase(deps(), app.tenantId, await chase(phone, yueScript));
    assert.equal(done.status, 'opted-out');
    assert.deepEqual(intentsOf(done), [['opt_out', 'opt_out']]);
    assert.deepEqual(await optedOut(phone), { voice: true, sms: true });
    const gather = heard(phone).find((h) => h.verb === 'Gather');
    assert.equal(gather?.gather?.language, 'yue-Hant-HK');
    const says = heard(phone).filter((h) => h.verb === 'Say');
    assert.ok(says.length >= 2 && says.every((s) => s.attrs.voice === 'Google.yue-HK-Standard-A' && s.attrs.language === 'yue-HK'), JSON.stringify(says));
    assert.match(heardText(phone), /陳生你好/);
    assert.match(heardText(phone), /我哋以後唔會再打電話或者發短訊畀你/);
    assert.doesNotMatch(heardText(phone), /確認/, 'a clear opt-out is not asked about');
    assert.equal(smsTo(phone), 0);
  });

  test('"唔好send嘢畀我" is asked about in Cantonese; "係" opts out, and nothing is sent', async () => {
    const phone = mobile(302);
    app.sim.setPersona(phone, { script: ['唔好send嘢畀我', '係'] });
    const done = await waitForChase(deps(), app.tenantId, await chase(phone, yueScript));
    assert.equal(done.status, 'opted-out');
    assert.deepEqual(intentsOf(done), [
      ['maybe_opt_out', 'confirm_opt_out'],
      ['interested', 'opt_out'],
    ]);
    assert.match(heardText(phone), /你係咪唔想我哋以後再打電話或者發短訊畀你/);
    assert.deepEqual(await optedOut(phone), { voice: true, sms: true });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(smsTo(phone), 0, 'no link for someone who said not to send anything');
  });

  test('"唔使send畀我" then "唔係": not opted out, the chase ends as a refusal, nothing is sent', async () => {
    const phone = mobile(303);
    app.sim.setPersona(phone, { script: ['唔使send畀我', '唔係'] });
    const done = await waitForChase(deps(), app.tenantId, await chase(phone, yueScript));
    assert.equal(done.status, 'completed');
    assert.equal(done.outcome, 'not-interested');
    assert.deepEqual(await optedOut(phone), { voice: false, sms: false });
    assert.match(heardText(phone), /明白，多謝你嘅時間/);
    assert.equal(smsTo(phone), 0);
  });

  test('the three answers the issue reported: "唔使喇 多謝" refuses, "遲啲再打嚟啦 而家唔得閒" reschedules', async () => {
    const refused = mobile(304);
    app.sim.setPersona(refused, { script: ['唔使喇 多謝'] });
    const a = await waitForChase(deps(), app.tenantId, await chase(refused, yueScript));
    assert.equal(a.outcome, 'not-interested');

    const later = mobile(305);
    app.sim.setPersona(later, { script: ['遲啲再打嚟啦 而家唔得閒'] });
    const id = await chase(later, yueScript, { callbackAfterMinutes: 60 });
    const b = await waitForChase(
      deps(),
      app.tenantId,
      id,
      (ch) => ch.timeline.some((e) => e.type === 'callback-requested') && ch.attempts.every((x) => x.endedAt !== null),
    );
    assert.equal(b.status, 'scheduled');
    assert.match(heardText(later), /我哋遲啲再打畀你/);
  });
});

describe('the question "do you want us to stop?" is never dropped', () => {
  test('silence to it is asked again, then taken as a yes', async () => {
    const phone = mobile(306);
    app.sim.setPersona(phone, { script: ["don't send me anything", null, null, null] });
    const done = await waitForChase(deps(), app.tenantId, await chase(phone, null));
    assert.equal(done.status, 'opted-out');
    assert.equal(heardText(phone).match(/would you like us to stop calling and texting you/g)?.length, 3, heardText(phone));
    assert.deepEqual(await optedOut(phone), { voice: true, sms: true });
  });

  test('hanging up on it opts the number out, and the attempt says so', async () => {
    const phone = mobile(307);
    app.sim.setPersona(phone, { script: ["don't text me the link"] });
    // A long wait for the answer, so the hang-up comes while the question is open.
    const id = await chase(phone, null, { listenSeconds: 30, maxReprompts: 0 });
    const asking = await waitForChase(deps(), app.tenantId, id, (ch) => ch.timeline.some((e) => e.type === 'intent' && e.detail?.next === 'confirm_opt_out'));
    const call = await eventually(async () => app.sim.calls().find((c) => c.to === phone && c.status === 'in-progress'), 'the call in progress', 5000);
    await deps().carrier.endCall(call.sid);
    const done = await waitForChase(deps(), app.tenantId, id);
    assert.equal(done.status, 'opted-out');
    assert.equal(done.attempts.find((a) => a.id === asking.attempts[0]!.id)?.outcome, 'opted-out');
    assert.deepEqual(intentsOf(done), [['maybe_opt_out', 'confirm_opt_out']], 'no answer was given');
    assert.deepEqual(await optedOut(phone), { voice: true, sms: true });
    assert.equal(smsTo(phone), 0);
  });

  test('"no" with a request is followed: "no, how much is it?" gets the price, and no opt-out', async () => {
    const phone = mobile(308);
    app.sim.setPersona(phone, { script: ["don't send me stuff", 'no, how much is it?', 'no thanks'] });
    const done = await waitForChase(deps(), app.tenantId, await chase(phone, null));
    assert.deepEqual(
      intentsOf(done).map(([, next]) => next),
      ['confirm_opt_out', 'price', 'not_interested'],
    );
    assert.equal(done.outcome, 'not-interested');
    assert.deepEqual(await optedOut(phone), { voice: false, sms: false });
    assert.match(heardText(phone), /The price is 199蚊/);
  });
});
