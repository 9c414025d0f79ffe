/**
 * Tracked links and inbound SMS at the real HTTP server: a chase's SMS carries /l/{code}
 * links that redirect and count; a STOP/退订 texted back to our line opts the sender out
 * of every channel, in the tenants that reached them from that line, and ends their chases.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { createTenant } from '../support/api.ts';
import { twilioSignature, type TwilioSim } from '../../sim/twilio/index.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import { startChase } from '../../core/chases/chases.ts';
import { linkClicks } from '../../core/links/links.ts';
import { campaign, contact, mobile, waitForChase } from '../chases/support.ts';

const LINE = '+14155550100'; // the line test/chases/support.ts campaigns send from
const TARGET = 'https://shop.example/recover?token=t0k3n&email=a%40b.example';

let app: TestApp & { sim: TwilioSim; worker: WorkerDeps };
let smsCampaign: string;
let laterCampaign: string;
before(async () => {
  app = await testEngineApp();
  app.sim.setNumber(LINE, { smsUrl: `${app.url}/webhooks/twilio/sms` });
  smsCampaign = (
    await campaign(app.worker, app.tenantId, {
      channel: { policy: 'sms' },
      scripts: [{ name: 'd', say: 'x', sms: '您的购物车：{{context.link}}。Pay at {{context.link}}.' }],
    })
  ).id;
  // A chase that waits, so it is still pending when the person texts back.
  laterCampaign = (await campaign(app.worker, app.tenantId, { name: 'later', rules: { delayMinutes: 600 } })).id;
});
after(() => app.close());

/** Texts `phone` from LINE through a real chase (so an attempt exists), then starts a pending chase. */
async function contacted(phone: string, tenantId = app.tenantId) {
  const contactId = await contact(app.worker, tenantId, phone);
  const sent = await startChase(app.worker, tenantId, { campaignId: smsCampaign, contact: { id: contactId }, context: { link: TARGET } });
  const done = await waitForChase(app.worker, tenantId, sent.id);
  assert.equal(done.outcome, 'sms-sent');
  const pending = await startChase(app.worker, tenantId, { campaignId: laterCampaign, contact: { id: contactId } });
  return { sent: done, pendingId: pending.id, contactId };
}

const sid = () => `SM${randomBytes(16).toString('hex')}`;

function inbound(params: Record<string, string>, signature?: string) {
  const url = `${app.url}/webhooks/twilio/sms`;
  const body = { AccountSid: app.sim.accountSid, NumMedia: '0', ApiVersion: '2010-04-01', ...params };
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature ?? twilioSignature(app.sim.authToken, url, body) },
    body: new URLSearchParams(body),
  });
}

const optOuts = async (phone: string, key = app.adminKey) => {
  const res = await app.request('GET', `/v1/opt-outs?phone=${encodeURIComponent(phone)}`, { key });
  assert.equal(res.status, 200, res.text);
  return res.body.items as { channel: string; source: string }[];
};
const chaseStatus = async (id: string, key = app.adminKey) => (await app.request('GET', `/v1/chases/${id}`, { key })).body.status as string;

describe('tracked links', () => {
  test("a chase's SMS carries short links; a click redirects, is counted, and shows on the chase", async () => {
    const phone = mobile(700);
    const { sent } = await contacted(phone);
    const [message] = app.sim.messages().filter((m) => m.to === phone);
    const codes = [...message!.body.matchAll(/\/l\/([\w-]+)/g)].map((m) => m[1]!);
    // One code for the link written twice; the Chinese full stop stays outside it.
    assert.equal(codes.length, 2);
    assert.equal(codes[0], codes[1]);
    assert.equal(message!.body, `您的购物车：${app.url}/l/${codes[0]}。Pay at ${app.url}/l/${codes[0]}.`);
    assert.ok(!message!.body.includes('token'), 'the target is not in the SMS');

    const res = await fetch(`${app.url}/l/${codes[0]}`, { redirect: 'manual', headers: { 'user-agent': 'test-phone' } });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), TARGET);
    assert.equal(res.headers.get('cache-control'), 'no-store');

    const chase = await app.request('GET', `/v1/chases/${sent.id}`);
    const clicked = chase.body.timeline.filter((e: { type: string }) => e.type === 'link-clicked');
    assert.deepEqual(
      clicked.map((e: { detail: unknown; attemptId: string }) => [e.detail, e.attemptId]),
      [[{ code: codes[0] }, sent.attempts[0]!.id]],
    );
    assert.deepEqual(
      (await linkClicks(app.deps, app.tenantId, sent.id)).map((l) => l.clicks),
      [1],
    );
    // No key needed, and nothing about the person in the logs.
    assert.ok(!app.logs.some((l) => l.includes('t0k3n') || l.includes(phone.slice(3))));
  });

  test('an unknown code is a plain 404', async () => {
    const res = await fetch(`${app.url}/l/doesNotExist1`, { redirect: 'manual' });
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(res.headers.get('location'), null);
  });
});

describe('inbound SMS', () => {
  const cases: [string, number, RegExp][] = [
    ['STOP', 710, /You are unsubscribed and will receive no more calls or messages from us\./],
    ['退订', 711, /您已退订，我们不会再给您打电话或发短信。/],
    ['Td', 712, /您已退订/],
    ['stop please', 713, /You are unsubscribed/],
    // Asked in a sentence, not with a keyword: any reasonable way of asking counts.
    ['Please don’t text me again', 714, /You are unsubscribed/],
    ['以後唔好再send嘢畀我', 715, /您已退订/],
    ['别再给我发短信了，谢谢', 716, /您已退订/],
  ];
  for (const [body, n, reply] of cases) {
    test(`"${body}" opts the number out of every channel, ends its pending chase and confirms`, async () => {
      const phone = mobile(n);
      const { pendingId } = await contacted(phone);
      assert.equal(await chaseStatus(pendingId), 'scheduled');
      // Through the simulator: Twilio's own request, and our TwiML read back as Twilio reads it.
      const res = await app.sim.receiveSms({ from: phone, to: LINE, body });
      assert.equal(res.status, 200);
      assert.equal(res.error, undefined);
      assert.equal(res.replies.length, 1);
      assert.match(res.replies[0]!, reply);
      assert.deepEqual(
        (await optOuts(phone)).map((o) => [o.channel, o.source]),
        [['all', 'sms-stop']],
      );
      assert.equal(await chaseStatus(pendingId), 'opted-out');
    });
  }

  test('any other text gets an empty reply and opts nobody out', async () => {
    const phone = mobile(720);
    const { pendingId } = await contacted(phone);
    const res = await inbound({ MessageSid: sid(), From: phone, To: LINE, Body: 'When does my order arrive? Stop by anytime' });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/xml/);
    assert.match(await res.text(), /^<\?xml[^>]*\?><Response\/>$/);
    assert.deepEqual(await optOuts(phone), []);
    assert.equal(await chaseStatus(pendingId), 'scheduled');
    // The body may be PII: it reaches no log.
    assert.ok(!app.logs.some((l) => l.includes('order arrive') || l.includes(phone.slice(3))));
  });

  test('a text that may ask us to stop is asked whether it does, and a STOP then settles it', async () => {
    const phone = mobile(717);
    const { pendingId } = await contacted(phone);
    const res = await app.sim.receiveSms({ from: phone, to: LINE, body: "don't send me anything" });
    assert.equal(res.status, 200);
    assert.equal(res.replies.length, 1);
    assert.match(res.replies[0]!, /stop calling and texting you\? Reply STOP/);
    assert.deepEqual(await optOuts(phone), [], 'asked, not yet opted out');
    assert.equal(await chaseStatus(pendingId), 'scheduled');
    const answer = await app.sim.receiveSms({ from: phone, to: LINE, body: 'STOP' });
    assert.match(answer.replies[0]!, /You are unsubscribed/);
    assert.equal(await chaseStatus(pendingId), 'opted-out');
  });

  test('HELP gets the help text', async () => {
    const res = await inbound({ MessageSid: sid(), From: mobile(721), To: LINE, Body: 'help' });
    assert.match(await res.text(), /<Message>[^<]*Reply STOP[^<]*<\/Message>/);
  });

  test('a forged signature is 403 and opts nobody out', async () => {
    const phone = mobile(722);
    await contacted(phone);
    const res = await inbound({ MessageSid: sid(), From: phone, To: LINE, Body: 'STOP' }, 'bm90IGEgc2lnbmF0dXJl');
    assert.equal(res.status, 403);
    assert.deepEqual(await optOuts(phone), []);
  });

  test('a malformed message is 400', async () => {
    assert.equal((await inbound({ MessageSid: 'nope', From: mobile(723), To: LINE, Body: 'STOP' })).status, 400);
    assert.equal((await inbound({ MessageSid: sid(), From: '13800138000', To: LINE, Body: 'STOP' })).status, 400);
  });

  test('a repeated delivery of one message is processed once and answered the same', async () => {
    const phone = mobile(724);
    await contacted(phone);
    const params = { MessageSid: sid(), From: phone, To: LINE, Body: 'STOP' };
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await (await inbound(params)).text());
    assert.equal(new Set(replies).size, 1);
    assert.match(replies[0]!, /^<\?xml[^>]*\?><Response><Message>You are unsubscribed[^<]*<\/Message><\/Response>$/);
    const { rows } = await app.db.pool.query(`select 1 from consent_events where phone_hash = $1`, [app.deps.pii.phoneIndex(phone)]);
    assert.equal(rows.length, 1);
    const seen = app.logs.filter((l) => l.includes(params.MessageSid)).map((l) => JSON.parse(l) as { duplicate: boolean });
    assert.deepEqual(
      seen.map((l) => l.duplicate),
      [false, true, true],
    );
  });

  test('a tenant that never texted the number from that line is not opted out', async () => {
    const phone = mobile(730);
    await contacted(phone);
    // Another tenant with the same contact, a campaign on the same line, and a pending chase, but no SMS sent.
    const other = await createTenant(app, `other-${randomBytes(3).toString('hex')}`);
    const otherCampaign = await campaign(app.worker, other.id, { rules: { delayMinutes: 600 } });
    const otherChase = await startChase(app.worker, other.id, { campaignId: otherCampaign.id, contact: { id: await contact(app.worker, other.id, phone) } });
    // And a text to a line this tenant never used opts out nobody.
    const elsewhere = mobile(731);
    await contacted(elsewhere);
    await inbound({ MessageSid: sid(), From: elsewhere, To: '+14155550199', Body: 'STOP' });
    assert.deepEqual(await optOuts(elsewhere), []);

    await inbound({ MessageSid: sid(), From: phone, To: LINE, Body: 'STOP' });
    assert.equal((await optOuts(phone)).length, 1);
    assert.deepEqual(await optOuts(phone, other.adminKey), []);
    assert.equal(await chaseStatus(otherChase.id, other.adminKey), 'scheduled');
  });

  test("a STOP to a line in a tenant's pool opts the sender out there, even before that line texted them", async () => {
    const poolLine = '+14155550177';
    const phone = mobile(740);
    const owner = await createTenant(app, `pool-${randomBytes(3).toString('hex')}`);
    await app.db.pool.query(`insert into lines (tenant_id, id, name, kind, from_number) values ($1, gen_random_uuid(), 'main', 'number', $2)`, [
      owner.id,
      poolLine,
    ]);
    const res = await inbound({ MessageSid: sid(), From: phone, To: poolLine, Body: '退订' });
    assert.match(await res.text(), /您已退订/);
    assert.deepEqual(
      (await optOuts(phone, owner.adminKey)).map((o) => o.channel),
      ['all'],
    );
    assert.deepEqual(await optOuts(phone), []);
  });
});
