// Inbound SMS: the sim POSTs a message to the number's webhook as Twilio does, and
// sends back whatever <Message> the TwiML answer holds.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { startTwilioSim, type TwilioSim } from './index.ts';
import { simTwilioClient } from './sdk.ts';
import { startAppServer, until, type AppServer, type Received } from './testing.ts';

let sim: TwilioSim;
let app: AppServer;
let client: ReturnType<typeof simTwilioClient>;
const line = '+14155550199';
const mobile = '+8613800138000';

function reply(r: Received): string | { status: number; body?: string; contentType?: string } {
  if (r.path === '/sms') {
    return /退订|STOP/i.test(r.params.Body ?? '')
      ? '<Response><Message>您已退订，不会再收到消息。</Message></Response>'
      : '<Response><Message><Body>Thanks!</Body></Message><Message statusCallback="/sms-status">Reply STOP to opt out.</Message></Response>';
  }
  if (r.path === '/quiet') return '<Response/>';
  if (r.path === '/plain') return { status: 200, body: 'Got it', contentType: 'text/plain' };
  if (r.path === '/down') return { status: 503 };
  return { status: 204 };
}

before(async () => {
  app = await startAppServer(reply);
  sim = await startTwilioSim({
    clockSpeed: 100,
    smsUrl: `${app.url}/sms?tenant=t1`,
    numbers: { '+14155550198': { smsUrl: `${app.url}/quiet`, messagingServiceSid: `MG${'0'.repeat(32)}` } },
  });
  client = simTwilioClient(sim);
});
after(async () => {
  await sim.close();
  await app.close();
});

test("an inbound SMS is POSTed signed with Twilio's fields; the <Message> answer is sent back", async () => {
  const result = await sim.receiveSms({ from: mobile, to: line, body: '退订' });
  assert.deepEqual(result.replies, ['您已退订，不会再收到消息。']);
  assert.equal(result.status, 200);
  const [req] = await app.waitFor('/sms');
  const p = req?.params ?? {};
  assert.equal(twilio.validateRequest(sim.authToken, req?.signature ?? '', req?.url ?? '', p), true);
  assert.ok(req?.url.endsWith('/sms?tenant=t1'));
  assert.match(p.MessageSid ?? '', /^SM[0-9a-f]{32}$/);
  assert.equal(p.SmsSid, p.MessageSid);
  assert.equal(p.SmsMessageSid, p.MessageSid);
  assert.equal(result.sid, p.MessageSid);
  assert.deepEqual(
    {
      AccountSid: p.AccountSid,
      From: p.From,
      To: p.To,
      Body: p.Body,
      NumMedia: p.NumMedia,
      NumSegments: p.NumSegments,
      SmsStatus: p.SmsStatus,
      ApiVersion: p.ApiVersion,
      FromCountry: p.FromCountry,
      ToCountry: p.ToCountry,
    },
    {
      AccountSid: sim.accountSid,
      From: mobile,
      To: line,
      Body: '退订',
      NumMedia: '0',
      NumSegments: '1',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
      FromCountry: 'CN',
      ToCountry: 'US',
    },
  );
  assert.equal(p.MessagingServiceSid, undefined);

  const [inbound, out] = sim.messages().slice(-2);
  assert.deepEqual([inbound?.direction, inbound?.status, inbound?.from, inbound?.body], ['inbound', 'received', mobile, '退订']);
  assert.deepEqual([out?.direction, out?.from, out?.to, out?.body], ['outbound-reply', line, mobile, '您已退订，不会再收到消息。']);
  const fetched = await client.messages(out!.sid).fetch();
  assert.equal(fetched.direction, 'outbound-reply');
  assert.equal((await client.messages(inbound!.sid).fetch()).direction, 'inbound');
});

test('several <Message>s (plain or with <Body>) are all sent; their statusCallback resolves against the webhook URL', async () => {
  const result = await sim.receiveSms({ from: '+14155550177', to: line, body: 'how much?' });
  assert.deepEqual(result.replies, ['Thanks!', 'Reply STOP to opt out.']);
  const [status] = await app.waitFor('/sms-status');
  assert.equal(status?.params.To, '+14155550177');
  await until(
    () =>
      sim
        .messages()
        .filter((m) => m.to === '+14155550177')
        .every((m) => m.status === 'delivered'),
    3000,
    'delivery',
  );
});

test('per-number smsUrl and Messaging Service; an empty answer sends nothing; text/plain is sent as is', async () => {
  const quiet = await sim.receiveSms({ from: mobile, to: '+14155550198', body: 'hi' });
  assert.deepEqual(quiet.replies, []);
  const [req] = await app.waitFor('/quiet');
  assert.equal(req?.params.MessagingServiceSid, `MG${'0'.repeat(32)}`);
  sim.setNumber('+14155550197', { smsUrl: `${app.url}/plain` });
  assert.deepEqual((await sim.receiveSms({ from: mobile, to: '+14155550197', body: 'hi' })).replies, ['Got it']);
});

test('a failing webhook sends no reply and says why', async () => {
  sim.setNumber('+14155550196', { smsUrl: `${app.url}/down` });
  const result = await sim.receiveSms({ from: mobile, to: '+14155550196', body: 'hi' });
  assert.deepEqual([result.status, result.replies], [503, []]);
  assert.match(result.error ?? '', /^11200/);
});

test('the Messages list shows received messages and replies, filtered by To and From', async () => {
  const toMobile = await client.messages.list({ to: mobile });
  assert.ok(toMobile.length >= 1 && toMobile.every((m) => m.to === mobile && m.direction === 'outbound-reply'));
  const fromMobile = await client.messages.list({ from: mobile, limit: 2, pageSize: 1 });
  assert.equal(fromMobile.length, 2, 'the SDK follows the page tokens');
  assert.ok(fromMobile.every((m) => m.direction === 'inbound'));
  assert.ok(fromMobile[0]!.dateCreated >= fromMobile[1]!.dateCreated, 'newest first');
});
