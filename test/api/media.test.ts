// The audio cache end to end: synthesised through the Google TTS connector against its
// simulator, stored encrypted, and served to the carrier at /media/{key} by the real server.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createGoogleTtsConnector, type GoogleTtsConnector } from '../../connectors/google-tts/index.ts';
import { AppError } from '../../core/errors.ts';
import { ensureAudio, evictAudio, mediaKey, readAudio } from '../../core/dialog/media.ts';
import { createPii } from '../../core/privacy/pii.ts';
import type { Speech } from '../../core/ports.ts';
import { startGoogleTtsSim, type GoogleTtsSim } from '../../sim/google-tts/index.ts';
import { testApp, type TestApp } from '../support/app.ts';

let app: TestApp;
let sim: GoogleTtsSim;
let tts: GoogleTtsConnector;
/** The connector, remembering the last audio it returned. */
let speech: Speech;
let lastAudio: Buffer | undefined;

before(async () => {
  app = await testApp();
  sim = await startGoogleTtsSim();
  tts = createGoogleTtsConnector({ apiBaseUrl: sim.url, accessToken: sim.accessToken });
  speech = {
    synthesize: async (r) => {
      const out = await tts.synthesize(r);
      lastAudio = out.audio;
      return out;
    },
  };
});
after(async () => {
  await tts.close();
  await sim.close();
  await app.close();
});

const synthesised = () => sim.requests().filter((r) => r.status === 200).length;
const script = (name: string) => ({ text: `${name}您好，您的购物车里还有两件商品。`, languageCode: 'cmn-CN', voiceName: 'cmn-CN-Wavenet-A' });

test('audio made ahead of the call is served to the carrier with no API key', async () => {
  const key = await ensureAudio(app.deps, speech, app.tenantId, script('王小明'));
  assert.match(key, /^[0-9a-f]{64}$/);
  const res = await fetch(`${app.url}/media/${key}`);
  assert.equal(res.status, 200);
  const body = Buffer.from(await res.arrayBuffer());
  assert.deepEqual(body, lastAudio, 'the bytes Google returned');
  assert.equal(res.headers.get('content-type'), 'audio/mpeg');
  assert.equal(res.headers.get('content-length'), String(body.length));
  assert.equal(res.headers.get('cache-control'), 'private, max-age=86400');
  const etag = res.headers.get('etag');
  assert.match(etag ?? '', /^"[\w-]+"$/);

  // An explicit Cache-Control, or fetch adds `no-cache`, which (rightly) forbids a 304.
  const again = await fetch(`${app.url}/media/${key}`, { headers: { 'if-none-match': etag!, 'cache-control': 'max-age=0' } });
  assert.equal(again.status, 304, 'a carrier holding the audio is not sent it twice');
  const head = await fetch(`${app.url}/media/${key}`, { method: 'HEAD' });
  assert.equal(head.headers.get('content-length'), String(body.length));
});

test('the same request is synthesised once; another tenant, voice or text gets its own audio', async () => {
  const request = script('李华');
  const first = await ensureAudio(app.deps, speech, app.tenantId, request);
  const calls = synthesised();
  assert.equal(await ensureAudio(app.deps, speech, app.tenantId, { ...request }), first);
  assert.equal(await ensureAudio(app.deps, speech, app.tenantId, { ...request, speakingRate: 1, pitch: 0 }), first, 'the defaults spelled out');
  assert.equal(synthesised(), calls, 'Google was not asked again');

  const otherTenant = await ensureAudio(app.deps, speech, randomUUID(), request);
  const otherVoice = await ensureAudio(app.deps, speech, app.tenantId, { ...request, voiceName: 'cmn-CN-Wavenet-B' });
  const otherText = await ensureAudio(app.deps, speech, app.tenantId, script('张伟'));
  assert.equal(new Set([first, otherTenant, otherVoice, otherText]).size, 4);
  assert.equal(synthesised(), calls + 3);
});

test('callers racing for the same new audio store it once', async () => {
  const request = script('赵敏');
  const calls = synthesised();
  const keys = await Promise.all(Array.from({ length: 5 }, () => ensureAudio(app.deps, speech, app.tenantId, request)));
  assert.equal(new Set(keys).size, 1);
  assert.equal(synthesised(), calls + 1, 'one synthesis for five callers in one process');
  const { rows } = await app.deps.db.query('select count(*)::int as n from media where key = $1', [keys[0]]);
  assert.equal(rows[0].n, 1);

  // Another process storing the same key while this one synthesises: the first row stays.
  const raced = script('钱多多');
  const key = mediaKey(app.deps, app.tenantId, raced);
  const winner = Buffer.from('audio stored by the other worker');
  const racing: Speech = {
    synthesize: async (r) => {
      const out = await tts.synthesize(r);
      await app.deps.db.query(`insert into media (key, tenant_id, content_type, audio_enc, bytes) values ($1, $2, 'audio/mpeg', $3, $4)`, [
        key,
        app.tenantId,
        app.deps.pii.encryptBytes(winner),
        winner.length,
      ]);
      return out;
    },
  };
  assert.equal(await ensureAudio(app.deps, racing, app.tenantId, raced), key);
  assert.deepEqual((await readAudio(app.deps, key))?.audio, winner);
});

test('unknown and malformed keys are a plain 404', async () => {
  for (const key of [randomBytes(32).toString('hex'), 'abc', 'A'.repeat(64), '..%2F..%2Fetc%2Fpasswd']) {
    const res = await fetch(`${app.url}/media/${key}`);
    assert.equal(res.status, 404, key);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  }
});

test('the stored row holds neither the audio nor the words in plaintext, and nothing reaches the logs', async () => {
  const request = script('孙悟空');
  const key = await ensureAudio(app.deps, speech, app.tenantId, request);
  await fetch(`${app.url}/media/${key}`);
  const { rows } = await app.deps.db.query('select audio_enc, bytes, row_to_json(media)::text as json from media where key = $1', [key]);
  const row = rows[0] as { audio_enc: Buffer; bytes: number; json: string };
  assert.equal(row.bytes, lastAudio!.length);
  assert.equal(row.audio_enc.indexOf(lastAudio!.subarray(0, 16)), -1, 'no MP3 frame header in the clear');
  assert.ok(!row.json.includes('孙悟空'), 'the name is not in the row');
  assert.ok(!app.logs.join('').includes('孙悟空'), 'nor in the logs');
});

test('audio stays readable through a key rotation, and ages out when unused', async () => {
  const key = await ensureAudio(app.deps, speech, app.tenantId, script('周杰'));
  const rotated = { ...app.deps, pii: createPii(randomBytes(32), [app.masterKey]) };
  assert.deepEqual((await readAudio(rotated, key))?.audio, (await readAudio(app.deps, key))?.audio);
  assert.notEqual(mediaKey(rotated, app.tenantId, script('周杰')), key, 'new audio goes under new keys');

  await app.deps.db.query(`update media set last_used_at = now() - interval '30 days' where key = $1`, [key]);
  assert.equal(await evictAudio(app.deps, new Date(Date.now() - 7 * 86_400_000), app.tenantId), 1);
  assert.equal((await fetch(`${app.url}/media/${key}`)).status, 404);
});

test('a Google outage fails the synthesis visibly and stores nothing', async () => {
  const request = script('吴用');
  sim.failNext(503);
  const err = await ensureAudio(app.deps, speech, app.tenantId, request).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(err instanceof AppError);
  assert.equal(err.code, 'UPSTREAM');
  assert.equal(err.retryable, true);
  assert.equal(await readAudio(app.deps, mediaKey(app.deps, app.tenantId, request)), null);
  assert.match(await ensureAudio(app.deps, speech, app.tenantId, request), /^[0-9a-f]{64}$/, 'the retry succeeds');
});
