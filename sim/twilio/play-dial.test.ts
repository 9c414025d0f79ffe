// <Play> fetches its audio as Twilio does (and skips what it cannot play); <Dial> logs
// who it connects to and tells the action how it went.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { type HeardEntry, type TwilioSim } from './index.ts';
import { startDialogTestbed, until, type AppServer, type DialogTestbed, type Received } from './testing.ts';

let sim: TwilioSim;
let app: AppServer;
let client: DialogTestbed['client'];
const from = '+14155550199';
const AUDIO = Buffer.alloc(4096, 1);

function reply(r: Received): string | { status: number; body?: string | Buffer; contentType?: string } {
  switch (r.path) {
    case '/media/abc.mp3':
      return { status: 200, body: AUDIO, contentType: 'audio/mpeg' };
    case '/media/missing.mp3':
      return { status: 404, body: 'no', contentType: 'text/plain' };
    case '/media/page.html':
      return { status: 200, body: '<html></html>', contentType: 'text/html' };
    case '/play':
      return `<Response><Play loop="2">/media/abc.mp3</Play><Play>${app.url}/media/missing.mp3</Play><Play>media/page.html</Play><Say>Still here.</Say></Response>`;
    case '/dial':
      return `<Response><Dial callerId="+14155550100" timeout="20" record="record-from-answer" action="/dialed"><Number sendDigits="1">+14155550111</Number><Sip username="agent">sip:agent@pbx.example.com</Sip><Client>alice</Client></Dial></Response>`;
    case '/queue':
      return `<Response><Dial action="/dialed-queue"><Queue url="/whisper">support</Queue></Dial></Response>`;
    case '/bare':
      return `<Response><Dial>sip:desk@pbx.example.com</Dial><Say>After the call.</Say></Response>`;
    default:
      return '<Response/>';
  }
}

let bed: DialogTestbed;
before(async () => {
  ({ sim, app, client } = bed = await startDialogTestbed(reply));
});
after(() => bed.close());

const heardOf = async (sid: string): Promise<HeardEntry[]> => {
  await until(() => sim.calls().find((c) => c.sid === sid)?.status === 'completed', 5000, `call ${sid} to end`);
  return sim.calls().find((c) => c.sid === sid)!.heard;
};

test('<Play> GETs the audio (signed), logs what came back, and skips what fails', async () => {
  const call = await client.calls.create({ to: '+14155550401', from, url: `${app.url}/play` });
  const heard = await heardOf(call.sid);
  assert.deepEqual(
    heard.map((h) => h.verb),
    ['Play', 'Play', 'Play', 'Say'],
    'failures are skipped, the call goes on',
  );
  const [ok, missing, html] = heard;
  assert.deepEqual(ok?.media, { url: `${app.url}/media/abc.mp3`, status: 200, contentType: 'audio/mpeg', bytes: 4096 });
  assert.equal(ok?.error, undefined);
  assert.equal(ok?.attrs.loop, '2');
  assert.equal(missing?.media?.status, 404);
  assert.match(missing?.error ?? '', /^11200: .*HTTP 404/);
  assert.equal(html?.media?.url, `${app.url}/media/page.html`, 'relative to the document');
  assert.match(html?.error ?? '', /^12300/);
  // loop="2": the clip plays twice (2 s each); the skipped ones take no time.
  assert.ok(heard[3]!.at.getTime() - ok!.at.getTime() >= 4000);
  const get = app.received.find((r) => r.path === '/media/abc.mp3');
  assert.equal(get?.method, 'GET');
  assert.equal(twilio.validateRequest(sim.authToken, get?.signature ?? '', get?.url ?? '', {}), true);
});

test('<Play> of a relative URL in inline TwiML cannot be resolved: logged, skipped', async () => {
  const call = await client.calls.create({ to: '+14155550402', from, twiml: '<Response><Play>/media/abc.mp3</Play><Say>x</Say></Response>' });
  const heard = await heardOf(call.sid);
  assert.match(heard[0]?.error ?? '', /^11200: cannot resolve/);
  assert.equal(heard[1]?.verb, 'Say');
});

test('<Dial> logs each target with its kind, callerId, timeout and record; the action gets DialCall*', async () => {
  const call = await client.calls.create({ to: '+14155550403', from, url: `${app.url}/dial` });
  const heard = await heardOf(call.sid);
  const dial = heard.find((h) => h.verb === 'Dial');
  assert.deepEqual(dial?.dial, {
    targets: [
      { kind: 'number', value: '+14155550111', attrs: { sendDigits: '1' } },
      { kind: 'sip', value: 'sip:agent@pbx.example.com', attrs: { username: 'agent' } },
      { kind: 'client', value: 'alice', attrs: {} },
    ],
    callerId: '+14155550100',
    timeout: 20,
    record: 'record-from-answer',
  });
  const [action] = await app.waitFor('/dialed');
  assert.equal(action?.params.DialCallStatus, 'completed');
  assert.match(action?.params.DialCallSid ?? '', /^CA[0-9a-f]{32}$/);
  assert.equal(action?.params.DialCallDuration, '5');
});

test('<Dial><Queue> reports QueueResult to the action; bare SIP text is a sip target', async () => {
  const queued = await client.calls.create({ to: '+14155550404', from, url: `${app.url}/queue` });
  const bare = await client.calls.create({ to: '+14155550405', from, url: `${app.url}/bare` });
  const [action] = await app.waitFor('/dialed-queue');
  assert.equal(action?.params.QueueResult, 'bridged');
  assert.equal(action?.params.DialCallStatus, undefined);
  assert.deepEqual((await heardOf(queued.sid)).find((h) => h.verb === 'Dial')?.dial?.targets, [
    { kind: 'queue', value: 'support', attrs: { url: '/whisper' } },
  ]);
  const heard = await heardOf(bare.sid);
  assert.deepEqual(heard.find((h) => h.verb === 'Dial')?.dial, { targets: [{ kind: 'sip', value: 'sip:desk@pbx.example.com', attrs: {} }], timeout: 30 });
  assert.equal(heard.at(-1)?.text, 'After the call.', 'without an action the document goes on');
});
