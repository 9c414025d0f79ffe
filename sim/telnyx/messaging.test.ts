// SMS out (message.sent, message.finalized), SMS in (message.received: how a STOP reaches the
// application), and Number Lookup, through the official SDK.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { APIError } from 'telnyx';
import { startTestbed, type Testbed } from './testing.ts';

let bed: Testbed;
const from = '+14155550199';

before(async () => {
  bed = await startTestbed({
    profiles: {
      '+14155550150': { outcomes: { answered: 1 }, sms: { undelivered: 1 }, lineType: 'landline' },
      '+14155550151': { outcomes: { answered: 1 }, lineType: 'nonFixedVoip' },
    },
  });
  bed.sim.setNumber(from, { webhookUrl: `${bed.app.url}/inbound` });
});
after(async () => bed.close());

test('an SMS sent is queued, then message.sent and message.finalized (delivered) reach its webhook_url', { timeout: 20_000 }, async () => {
  const { client, app } = bed;
  const sent = await client.messages.send({ from, to: '+14155550101', text: 'Your link: https://x.test/l/abc', webhook_url: `${app.url}/sms` });
  const id = sent.data?.id ?? '';
  assert.deepEqual(sent.data?.to?.[0], { phone_number: '+14155550101', status: 'queued', carrier: 'Chaseline Sim Carrier', line_type: 'Wireless' });
  assert.equal(sent.data?.direction, 'outbound');
  assert.equal(sent.data?.parts, 1);
  assert.equal(sent.data?.encoding, 'GSM-7');
  const hooks = await app.until((hs) => hs.some((h) => h.payload.id === id && h.eventType === 'message.finalized'), 'message.finalized');
  const mine = hooks.filter((h) => h.payload.id === id);
  assert.deepEqual(
    mine.map((h) => h.eventType),
    ['message.sent', 'message.finalized'],
  );
  assert.deepEqual(
    mine.map((h) => (h.payload.to as { status: string }[])[0]?.status),
    ['sent', 'delivered'],
  );
  assert.equal(mine[1]?.payload.text, 'Your link: https://x.test/l/abc');
  assert.ok(mine[1]?.payload.completed_at);
  assert.deepEqual(mine[0]?.body.meta, { attempt: 1, delivered_to: `${app.url}/sms` });
  const again = await client.messages.retrieve(id);
  assert.equal((again.data?.to?.[0] as { status?: string } | undefined)?.status, 'delivered');
});

test('an undeliverable SMS is finalized as delivery_failed with an error; a bad number is refused', { timeout: 20_000 }, async () => {
  const { client, app } = bed;
  const sent = await client.messages.send({ from, to: '+14155550150', text: '退订请回复 STOP', webhook_url: `${app.url}/sms` });
  assert.equal(sent.data?.encoding, 'UCS-2');
  const id = sent.data?.id ?? '';
  const hooks = await app.until((hs) => hs.some((h) => h.payload.id === id && h.eventType === 'message.finalized'), 'message.finalized');
  const fin = hooks.find((h) => h.payload.id === id && h.eventType === 'message.finalized')!;
  assert.equal((fin.payload.to as { status: string }[])[0]?.status, 'delivery_failed');
  assert.equal((fin.payload.errors as { code: string }[])[0]?.code, '40008');
  await assert.rejects(client.messages.send({ from, to: '12345', text: 'x' }), (err: unknown) => {
    assert.ok(err instanceof APIError && err.status === 422);
    assert.equal((err.error as { errors: { code: string }[] }).errors[0]?.code, '40310');
    return true;
  });
});

test("an inbound SMS (STOP) arrives as message.received at the number's webhook", { timeout: 20_000 }, async () => {
  const { sim, app } = bed;
  const m = await sim.receiveSms({ from: '+14155550101', to: from, text: 'STOP' });
  const got = await app.waitFor('message.received');
  assert.equal(got.path, '/inbound');
  assert.equal(got.payload.id, m.id);
  assert.equal(got.payload.direction, 'inbound');
  assert.equal(got.payload.text, 'STOP');
  assert.equal((got.payload.from as { phone_number: string }).phone_number, '+14155550101');
  assert.equal((got.payload.to as { phone_number: string }[])[0]?.phone_number, from);
  // The same through the control API, as a person trying the simulator would do it.
  const res = await fetch(`${sim.url}/sim/messages`, { method: 'POST', body: JSON.stringify({ from: '+14155550102', to: from, text: '退订' }) });
  assert.equal(res.status, 200);
  await app.until((hs) => hs.some((h) => h.eventType === 'message.received' && h.payload.text === '退订'), 'the second inbound SMS');
});

test('number lookup: valid numbers with their line type, invalid ones refused', { timeout: 20_000 }, async () => {
  const { client, sim } = bed;
  const mobile = await client.numberLookup.retrieve('+8613800138000', { type: 'carrier' });
  assert.equal(mobile.data?.carrier?.type, 'mobile');
  assert.equal(mobile.data?.country_code, 'CN');
  assert.equal(mobile.data?.phone_number, '+8613800138000');
  const fixed = await client.numberLookup.retrieve('+14155550150', { type: 'carrier' });
  assert.equal(fixed.data?.carrier?.type, 'fixed line');
  assert.equal(fixed.data?.national_format, '(415) 555-0150');
  assert.equal((await client.numberLookup.retrieve('+14155550151', { type: 'carrier' })).data?.carrier?.type, 'voip');
  const name = await client.numberLookup.retrieve('+14155550151', { type: 'caller-name' });
  assert.equal(name.data?.carrier, undefined, 'only what was asked for');
  assert.ok(name.data?.caller_name?.caller_name);
  await assert.rejects(client.numberLookup.retrieve('+10000000000', { type: 'carrier' }), (err: unknown) => err instanceof APIError && err.status === 422);
  assert.deepEqual(
    sim.lookups().map((l) => l.type),
    ['carrier', 'carrier', 'carrier', 'caller-name', 'carrier'],
  );
});
