// The edges of the API: webhook signatures the SDK verifies (and a tampered or stale delivery it
// refuses), API-key auth per account, request bodies checked against the contract, playback of
// an audio URL, recording, and the control API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { AuthenticationError } from 'telnyx';
import { listen } from '../listen.ts';
import { startTelnyxSim } from './index.ts';
import { simTelnyxClient, startTestbed, type Testbed } from './testing.ts';

let bed: Testbed;
const from = '+14155550199';

before(async () => {
  bed = await startTestbed({ personasBySuffix: { '1': 'price-then-yes' } });
});
after(async () => bed.close());

const placeAnswered = async (to = '+14155550101') => {
  const d = await bed.client.calls.dial({ connection_id: 'c', to, from, webhook_url: `${bed.app.url}/hooks` });
  const id = d.data!.call_control_id;
  await bed.app.waitFor('call.answered', id);
  return id;
};

test("the SDK verifies the simulator's deliveries, and refuses a tampered body or a stale timestamp", { timeout: 20_000 }, async () => {
  const { client, app, sim } = bed;
  assert.equal(Buffer.from(sim.publicKey, 'base64').length, 32, 'a raw Ed25519 key, base64, as the portal shows it');
  const id = await placeAnswered();
  const hook = await app.waitFor('call.initiated', id);
  assert.match(hook.headers['telnyx-signature-ed25519'] ?? '', /^[A-Za-z0-9+/]{86}==$/);
  assert.ok(Math.abs(Number(hook.headers['telnyx-timestamp']) - Date.now() / 1000) < 60, 'real time, whatever the clock speed');
  const event = await client.webhooks.unwrap(hook.raw, { headers: hook.headers });
  assert.equal((event as { data?: { event_type?: string } }).data?.event_type, 'call.initiated');
  await assert.rejects(client.webhooks.unwrap(hook.raw.replace('+14155550101', '+14155550102'), { headers: hook.headers }), /signature does not match/);
  const stale = Math.floor(Date.now() / 1000) - 600;
  await assert.rejects(client.webhooks.unwrap(hook.raw, { headers: { ...hook.headers, ...sim.signWebhook(hook.raw, stale) } }), /too old/);
  // Another account's key does not verify this account's deliveries.
  const other = await startTelnyxSim();
  try {
    await assert.rejects(simTelnyxClient(other).webhooks.unwrap(hook.raw, { headers: hook.headers }), /signature does not match/);
  } finally {
    await other.close();
  }
  await client.calls.actions.hangup(id, {});
});

test("a wrong API key is 401 in Telnyx's error shape; two simulators are two accounts", { timeout: 20_000 }, async () => {
  const { sim } = bed;
  await assert.rejects(simTelnyxClient(sim, 'KEY-wrong').calls.dial({ connection_id: 'c', to: '+14155550101', from }), (err: unknown) => {
    assert.ok(err instanceof AuthenticationError);
    assert.equal(err.status, 401);
    assert.equal((err.error as { errors: { code: string }[] }).errors[0]?.code, '10009');
    return true;
  });
  const second = await startTelnyxSim({ apiKey: 'KEY-second-account', clockSpeed: 100 });
  try {
    assert.notEqual(second.publicKey, sim.publicKey);
    await assert.rejects(simTelnyxClient(second, sim.apiKey).numberLookup.retrieve('+14155550101'), (err: unknown) => err instanceof AuthenticationError);
    const ok = await simTelnyxClient(second).numberLookup.retrieve('+14155550101');
    assert.equal(ok.data?.phone_number, '+14155550101');
    assert.equal(second.lookups().length, 1);
    assert.equal(sim.lookups().length, 0);
  } finally {
    await second.close();
  }
  assert.equal(
    sim.calls().filter((c) => c.request.from === from && c.to === '+14155550101' && c.request.connection_id === 'c').length,
    1,
    'the refused dial placed nothing',
  );
});

test('request bodies are checked: an unknown or misspelt field is a 422 pointing at it', { timeout: 20_000 }, async () => {
  const res = await fetch(`${bed.sim.baseURL}/calls`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bed.sim.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ connection_id: 'c', to: '+14155550101', from, webhook_urll: 'http://x.test' }),
  });
  assert.equal(res.status, 422);
  const body = (await res.json()) as { errors: { code: string; source: { pointer: string } }[] };
  assert.equal(body.errors[0]?.source.pointer, '/webhook_urll');
  const amd = await fetch(`${bed.sim.baseURL}/calls`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bed.sim.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ connection_id: 'c', to: '+14155550101', from, answering_machine_detection: 'sometimes' }),
  });
  assert.equal(amd.status, 422);
});

test('playback_start fetches the audio; a missing file ends as file_not_found; record_start saves a recording at hang-up', { timeout: 20_000 }, async () => {
  const { client, app, sim } = bed;
  const media = createServer((req, res) => {
    if (req.url === '/hello.mp3') res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(Buffer.alloc(4096));
    else res.writeHead(404).end();
  });
  const { port } = await listen(media, 0, '127.0.0.1');
  try {
    const id = await placeAnswered();
    await client.calls.actions.startRecording(id, { format: 'mp3', channels: 'single' });
    await client.calls.actions.startPlayback(id, { audio_url: `http://127.0.0.1:${port}/hello.mp3` });
    await client.calls.actions.startPlayback(id, { audio_url: `http://127.0.0.1:${port}/missing.mp3` });
    await app.until((hs) => hs.filter((h) => h.payload.call_control_id === id && h.eventType === 'call.playback.ended').length === 2, 'two playbacks');
    const ends = app.ofCall(id).filter((h) => h.eventType.startsWith('call.playback'));
    assert.deepEqual(
      ends.map((h) => [h.eventType, h.payload.status ?? null]),
      [
        ['call.playback.started', null],
        ['call.playback.ended', 'completed'],
        ['call.playback.ended', 'file_not_found'],
      ],
    );
    assert.equal(ends[0]?.payload.media_url, `http://127.0.0.1:${port}/hello.mp3`);
    const played = sim
      .calls()
      .find((c) => c.callControlId === id)!
      .heard.filter((h) => h.command === 'playback_start');
    assert.deepEqual(played[0]?.media, { url: `http://127.0.0.1:${port}/hello.mp3`, status: 200, contentType: 'audio/mpeg', bytes: 4096 });
    await client.calls.actions.hangup(id, {});
    const saved = await app.until(
      (hs) => hs.some((h) => h.eventType === 'call.recording.saved' && h.payload.call_leg_id === app.ofCall(id)[0]?.payload.call_leg_id),
      'call.recording.saved',
    );
    const rec = saved.find((h) => h.eventType === 'call.recording.saved')!;
    assert.match((rec.payload.recording_urls as { mp3: string }).mp3, /\.mp3$/);
    assert.equal(rec.payload.channels, 'single');
  } finally {
    media.closeAllConnections();
    await new Promise<void>((resolve) => media.close(() => resolve()));
  }
});

test('the control API: personas per number, dial failures, the calls placed', { timeout: 20_000 }, async () => {
  const { sim, client, app } = bed;
  const put = await fetch(`${sim.url}/sim/personas/%2B14155550142`, { method: 'PUT', body: JSON.stringify({ persona: 'busy' }) });
  assert.equal(put.status, 200);
  assert.deepEqual(((await put.json()) as { from: string }).from, 'set');
  const bad = await fetch(`${sim.url}/sim/personas/%2B14155550142`, { method: 'PUT', body: JSON.stringify({ answers: 'maybe' }) });
  assert.equal(bad.status, 400);
  const d = await client.calls.dial({ connection_id: 'c', to: '+14155550142', from, webhook_url: `${app.url}/ctl` });
  assert.equal((await app.waitFor('call.hangup', d.data!.call_control_id)).payload.hangup_cause, 'user_busy');

  const fail = await fetch(`${sim.url}/sim/failures`, { method: 'POST', body: JSON.stringify({ count: 2, status: 503 }) });
  assert.equal(fail.status, 200);
  for (let i = 0; i < 2; i++) await assert.rejects(client.calls.dial({ connection_id: 'c', to: '+14155550101', from }), /503/);
  await fetch(`${sim.url}/sim/failures`, { method: 'POST', body: JSON.stringify({ hangupCause: 'not_found' }) });
  const gone = await client.calls.dial({ connection_id: 'c', to: '+14155550101', from, webhook_url: `${app.url}/ctl` });
  assert.equal((await app.waitFor('call.hangup', gone.data!.call_control_id)).payload.hangup_cause, 'not_found');

  const calls = (await (await fetch(`${sim.url}/sim/calls?to=%2B14155550142`)).json()) as { state: string; hangupCause: string }[];
  assert.deepEqual(
    calls.map((c) => [c.state, c.hangupCause]),
    [['ended', 'user_busy']],
  );
});
