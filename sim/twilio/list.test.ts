// GET Calls.json through the real twilio SDK: filters, Twilio's day-granular date filters,
// token paging the SDK follows, and the page shape the vendor contract describes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CONTRACT_PATH } from './contract.ts';
import { startTwilioSim, type TwilioSim } from './index.ts';
import { simTwilioClient } from './sdk.ts';
import { until } from './testing.ts';

let sim: TwilioSim;
let client: ReturnType<typeof simTwilioClient>;
const twiml = '<Response><Say>Hello</Say></Response>';
const from = '+14155550199';
const ringing = { outcomes: { answered: 1 }, ringSeconds: [600, 600] as [number, number] };

before(async () => {
  sim = await startTwilioSim({ clockSpeed: 100, callsPerSecond: 100, profile: ringing });
  client = simTwilioClient(sim);
});
after(() => sim.close());

const auth = () => ({ authorization: `Basic ${Buffer.from(`${sim.accountSid}:${sim.authToken}`).toString('base64')}` });
const getJson = async (query: string, accountSid = sim.accountSid) => {
  // By hand rather than through the SDK, to see the page JSON and the status as sent.
  const res = await fetch(`${sim.url}/2010-04-01/Accounts/${accountSid}/Calls.json?${query}`, { headers: auth() });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const dialled = (s: TwilioSim, sid: string) => until(() => s.calls().find((c) => c.sid === sid)?.startTime != null, 3000, `call ${sid} dialled`);

test('filters by To, From and Status, newest first, and pages the way the SDK follows', async () => {
  const to = '+14155550301';
  const placed = [];
  for (let i = 0; i < 5; i++) placed.push((await client.calls.create({ to, from, twiml })).sid);
  await client.calls.create({ to: '+14155550302', from, twiml });
  await client.calls.create({ to, from: '+14155550198', twiml });

  const listed = await client.calls.list({ to, from, pageSize: 2 });
  assert.deepEqual(
    listed.map((c) => c.sid),
    [...placed].reverse(),
    'all five, newest first, across three pages',
  );

  const first = await client.calls.page({ to, from, pageSize: 2 });
  assert.equal(first.instances.length, 2);
  assert.match(String(first.nextPageUrl), /PageToken=PA/);
  const second = await first.nextPage();
  assert.deepEqual(
    second?.instances.map((c) => c.sid),
    [placed[2], placed[1]],
  );
  const back = await second?.previousPage();
  assert.deepEqual(
    back?.instances.map((c) => c.sid),
    first.instances.map((c) => c.sid),
    'PB token pages back',
  );

  await client.calls(placed[0] ?? '').update({ status: 'canceled' });
  assert.deepEqual(
    (await client.calls.list({ to, status: 'canceled' })).map((c) => c.sid),
    [placed[0]],
  );
  assert.equal((await client.calls.list({ to: '+14155550399' })).length, 0);
});

test('StartTime filters compare UTC days of start_time, on the simulator clock', async () => {
  // A simulated minute before midnight UTC (2 s at 30×: room for a loaded machine), so the
  // two calls land on different days.
  const night = await startTwilioSim({ clockSpeed: 30, callsPerSecond: 100, startAt: new Date('2024-05-01T23:59:00Z'), profile: ringing });
  try {
    const c = simTwilioClient(night);
    const to = '+14155550311';
    const late = await c.calls.create({ to, from, twiml });
    await dialled(night, late.sid);
    assert.equal(night.calls()[0]?.startTime?.toISOString().slice(0, 10), '2024-05-01', 'the first call was dialled before midnight');
    await until(() => night.clock.now() >= new Date('2024-05-02T00:00:01Z'), 5000, 'midnight');
    const early = await c.calls.create({ to, from, twiml });
    await dialled(night, early.sid);
    const sids = async (q: Parameters<typeof c.calls.list>[0]) => (await c.calls.list({ to, ...q })).map((x) => x.sid);

    assert.deepEqual(await sids({ startTimeAfter: new Date('2024-05-02T00:00:00Z') }), [early.sid]);
    assert.deepEqual(await sids({ startTimeBefore: new Date('2024-05-02T00:00:00Z') }), [late.sid]);
    assert.deepEqual(await sids({ startTime: new Date('2024-05-01T00:00:00Z') }), [late.sid]);
    // The SDK sends a full timestamp, but Twilio documents days: 23:00 still means "that day".
    assert.deepEqual(await sids({ startTimeAfter: new Date('2024-05-02T23:00:00Z') }), [early.sid]);
    assert.deepEqual(await sids({ startTimeAfter: new Date('2024-05-03T00:00:00Z') }), []);
    const res = await fetch(`${night.url}/2010-04-01/Accounts/${night.accountSid}/Calls.json?To=${encodeURIComponent(to)}&StartTime%3E=2024-05-02`, {
      headers: { authorization: `Basic ${Buffer.from(`${night.accountSid}:${night.authToken}`).toString('base64')}` },
    });
    const body = (await res.json()) as { calls: { sid: string }[] };
    assert.deepEqual(
      body.calls.map((x) => x.sid),
      [early.sid],
      'YYYY-MM-DD, as the docs show it',
    );
  } finally {
    await night.close();
  }
});

test('a call still in the account queue has no start_time, so date filters do not see it yet', async () => {
  // 1000 simulated seconds (10 s) between dials: the second call waits in the queue.
  const slow = await startTwilioSim({ clockSpeed: 100, callsPerSecond: 0.001, startAt: new Date('2024-05-01T12:00:00Z'), profile: ringing });
  try {
    const c = simTwilioClient(slow);
    const dialled = await c.calls.create({ to: '+14155550321', from, twiml });
    // The first call leaves the queue at once, but only as the simulated clock moves on.
    await until(() => slow.calls().find((x) => x.sid === dialled.sid)?.status !== 'queued', 5000, 'the first call dialled');
    const queued = await c.calls.create({ to: '+14155550321', from, twiml });
    assert.equal((await c.calls(queued.sid).fetch()).startTime, null);
    assert.equal((await c.calls.list({ to: '+14155550321', startTimeAfter: new Date('2024-05-01') })).length, 1, 'only the dialled one');
    assert.deepEqual(
      (await c.calls.list({ to: '+14155550321', status: 'queued' })).map((x) => x.sid),
      [queued.sid],
    );
  } finally {
    await slow.close();
  }
});

test("the page carries exactly the contract's fields, and bad queries are refused", async () => {
  const spec = JSON.parse(readFileSync(CONTRACT_PATH, 'utf8')) as {
    paths: Record<string, { get: { responses: { 200: { content: { 'application/json': { schema: { properties: object } } } } } } }>;
    components: { schemas: Record<string, { properties: object }> };
  };
  const pageSchema = spec.paths['/2010-04-01/Accounts/{AccountSid}/Calls.json']?.get.responses[200].content['application/json'].schema;
  const to = '+14155550331';
  await client.calls.create({ to, from, twiml });
  await client.calls.create({ to, from, twiml });

  const { status, body } = await getJson(`To=${encodeURIComponent(to)}&PageSize=1`);
  assert.equal(status, 200);
  assert.deepEqual(Object.keys(body).sort(), Object.keys(pageSchema?.properties ?? {}).sort());
  const [call] = body.calls as Record<string, unknown>[];
  assert.deepEqual(Object.keys(call ?? {}).sort(), Object.keys(spec.components.schemas['api.v2010.account.call']?.properties ?? {}).sort());
  const base = `/2010-04-01/Accounts/${sim.accountSid}/Calls.json?To=%2B14155550331&PageSize=1`;
  assert.deepEqual(
    {
      page: body.page,
      page_size: body.page_size,
      start: body.start,
      end: body.end,
      uri: body.uri,
      first: body.first_page_uri,
      previous: body.previous_page_uri,
    },
    { page: 0, page_size: 1, start: 0, end: 0, uri: `${base}&Page=0`, first: `${base}&Page=0`, previous: null },
  );
  assert.equal(body.next_page_uri, `${base}&Page=1&PageToken=PA${String(call?.sid)}`);

  for (const bad of ['Status=initiated', 'PageSize=1001', 'PageSize=0', 'StartTime%3E=yesterday', 'Colour=red', 'PageToken=PAnope']) {
    assert.equal((await getJson(bad)).status, 400, bad);
  }
  assert.equal((await getJson('', `AC${'0'.repeat(32)}`)).status, 404, "another account's calls are not listed");
});
