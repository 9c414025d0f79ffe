// `npm start`'s callees: the number's last digit picks a documented persona, and the
// simulator's control API lists them and sets one per number.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BUILT_IN_PERSONAS, DEFAULT_PERSONAS_BY_SUFFIX, startTwilioSim, type TwilioSim } from './index.ts';
import { simTwilioClient } from './sdk.ts';
import { startAppServer, until, type AppServer, type Received } from './testing.ts';

let sim: TwilioSim;
let app: AppServer;
const from = '+15005550006';

// Asks twice, as a script with a price question does; hangs up after the second answer.
function reply(r: Received): string | { status: number } {
  if (r.path === '/voice' || r.path === '/answer') {
    const turn = r.path === '/voice' ? 1 : Number(new URL(r.url).searchParams.get('turn')) + 1;
    if (turn > 2) return '<Response><Say>Goodbye.</Say></Response>';
    return `<Response><Gather input="speech dtmf" action="/answer?turn=${turn}" timeout="3"><Say>Question ${turn}?</Say></Gather></Response>`;
  }
  return { status: 204 };
}

before(async () => {
  sim = await startTwilioSim({ clockSpeed: 200, callsPerSecond: 100, personasBySuffix: DEFAULT_PERSONAS_BY_SUFFIX });
  app = await startAppServer(reply);
});
after(async () => {
  await sim.close();
  await app.close();
});

const client = () => simTwilioClient(sim);
const ended = (sid: string) =>
  until(() => ['completed', 'failed', 'busy', 'no-answer'].includes(sim.calls().find((c) => c.sid === sid)?.status ?? ''), 10_000, `call ${sid} to end`);

async function call(to: string) {
  const created = await client().calls.create({ to, from, url: `${app.url}/voice`, timeout: 30, machineDetection: 'Enable' });
  await ended(created.sid);
  const c = sim.calls().find((x) => x.sid === created.sid)!;
  return { status: c.status, answeredBy: c.answeredBy, replies: c.heard.filter((h) => h.verb === 'Gather').map((h) => h.reply) };
}

const control = (method: string, path: string, body?: unknown) =>
  fetch(`${sim.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });

test('the last digit of the number called picks the persona: each answers (or not) as documented', async () => {
  const results = await Promise.all(['0', '1', '2', '3', '4', '9'].map((d) => call(`+1415555020${d}`)));
  const [noAnswer, priceThenYes, notInterested, optOut, machine, busy] = results;
  assert.equal(noAnswer!.status, 'no-answer');
  assert.deepEqual(priceThenYes, { status: 'completed', answeredBy: 'human', replies: ['How much is it?', 'OK, send me the link'] });
  assert.deepEqual(notInterested!.replies, ["No thanks, I'm not interested", null]);
  assert.deepEqual(optOut!.replies, ['退订', null]);
  assert.equal(machine!.answeredBy?.startsWith('machine'), true, JSON.stringify(machine));
  assert.deepEqual(machine!.replies, [null], 'a machine never answers a question');
  assert.equal(busy!.status, 'busy');
});

test('GET /sim/personas lists the built-in personas and the digits that choose them, without Twilio credentials', async () => {
  const res = await control('GET', '/sim/personas');
  assert.equal(res.status, 200);
  const body = (await res.json()) as { builtIn: Record<string, { description: string }>; bySuffix: Record<string, string> };
  assert.deepEqual(Object.keys(body.builtIn).sort(), Object.keys(BUILT_IN_PERSONAS).sort());
  assert.ok(Object.values(body.builtIn).every((p) => p.description.length > 5));
  assert.equal(body.bySuffix['3'], 'opt-out');
  // The Twilio API beside it still wants the account's credentials.
  assert.equal((await fetch(`${sim.url}/2010-04-01/Accounts/${sim.accountSid}/Calls.json`)).status, 401);
});

test('PUT /sim/personas/{number} sets who answers and what they say; DELETE goes back to the digit', async () => {
  const number = '+14155550311'; // ends in 1: price-then-yes
  assert.deepEqual(await (await control('GET', `/sim/personas/${number}`)).json(), {
    number,
    from: 'suffix',
    suffix: '1',
    persona: BUILT_IN_PERSONAS['price-then-yes'],
  });

  const set = await control('PUT', `/sim/personas/${number}`, { persona: 'wrong-number' });
  assert.equal(set.status, 200);
  assert.equal(((await set.json()) as { from: string }).from, 'set');
  assert.deepEqual((await call(number)).replies, ["Sorry, you've got the wrong number", null]);

  const custom = await control('PUT', `/sim/personas/%2B${number.slice(1)}`, { answers: 'human', script: ['价格多少', { digits: '1' }], confidence: 0.8 });
  assert.equal(custom.status, 200);
  assert.deepEqual((await call(number)).replies, ['价格多少', { digits: '1' }]);

  await control('PUT', `/sim/personas/${number}`, { answers: 'busy' });
  assert.equal((await call(number)).status, 'busy');
  const listed = (await (await control('GET', '/sim/personas')).json()) as { numbers: Record<string, unknown> };
  assert.deepEqual(listed.numbers, { [number]: { answers: 'busy' } });

  assert.equal((await control('DELETE', `/sim/personas/${number}`)).status, 200);
  assert.deepEqual((await call(number)).replies, ['How much is it?', 'OK, send me the link']);
});

test('a bad persona is a 400 naming the field, and nothing changes', async () => {
  const number = '+14155550322';
  const cases: [unknown, string][] = [
    [{ persona: 'chatty' }, 'persona'],
    [{ answers: 'maybe' }, 'answers'],
    [{ script: ['yes', 42] }, 'script.1'],
    [{ script: 'yes' }, 'script'],
    [{ confidence: 2 }, 'confidence'],
    [{ ringSeconds: [5, 1] }, 'ringSeconds'],
    [{ mood: 'grumpy' }, 'mood'],
    [{ persona: 'busy', script: [] }, 'script'],
  ];
  for (const [body, field] of cases) {
    const res = await control('PUT', `/sim/personas/${number}`, body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(((await res.json()) as { field: string }).field, field, JSON.stringify(body));
  }
  assert.equal((await control('PUT', `/sim/personas/${number}`, '{not json')).status, 400);
  assert.equal((await control('PUT', '/sim/personas/0123', { persona: 'busy' })).status, 400);
  assert.equal((await control('POST', '/sim/personas', {})).status, 405);
  assert.equal(((await (await control('GET', `/sim/personas/${number}`)).json()) as { from: string }).from, 'suffix');
});

test('GET /sim/calls and /sim/messages show what a callee heard, answered and was texted', async () => {
  const number = '+14155550331'; // price-then-yes
  await call(number);
  await client().messages.create({ to: number, from, body: 'Your cart: https://shop.example/c/1' });
  const calls = (await (await control('GET', `/sim/calls?to=%2B${number.slice(1)}`)).json()) as { to: string; status: string; conversation: unknown[] }[];
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0]!.conversation, [
    { said: 'Question 1?' },
    { replied: 'How much is it?' },
    { said: 'Question 2?' },
    { replied: 'OK, send me the link' },
    { said: 'Goodbye.' },
  ]);
  const texts = (await (await control('GET', `/sim/messages?to=%2B${number.slice(1)}`)).json()) as { body: string }[];
  assert.deepEqual(
    texts.map((m) => m.body),
    ['Your cart: https://shop.example/c/1'],
  );
  assert.ok(((await (await control('GET', '/sim/calls')).json()) as unknown[]).length > 1, 'without ?to, every call');
  assert.equal((await control('GET', '/sim/calls?to=12345')).status, 400);
});
