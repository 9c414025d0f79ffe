// The Google TTS simulator over raw HTTP: auth, validation, and the audio it returns.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startGoogleTtsSim, type GoogleTtsSim } from './index.ts';

let sim: GoogleTtsSim;
before(async () => {
  sim = await startGoogleTtsSim();
});
after(() => sim.close());

async function synthesize(body: unknown, token: string | null = sim.accessToken) {
  const res = await fetch(`${sim.url}/v1/text:synthesize?$alt=json%3Benum-encoding=int`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { audioContent?: string; error?: { code: number; message: string; status: string } };
  return { status: res.status, json, audio: json.audioContent === undefined ? undefined : Buffer.from(json.audioContent, 'base64') };
}

const ok = (text: string, audioConfig: Record<string, unknown> = {}) => ({
  input: { text },
  voice: { languageCode: 'cmn-CN' },
  audioConfig: { audioEncoding: 'MP3', ...audioConfig },
});

test('a request without a valid bearer token is refused with 401 UNAUTHENTICATED', async () => {
  for (const token of [null, 'wrong-token', 'a.b.c']) {
    const res = await synthesize(ok('您好'), token);
    assert.equal(res.status, 401);
    assert.equal(res.json.error?.status, 'UNAUTHENTICATED');
  }
  assert.equal((await synthesize(ok('您好'))).status, 200);
});

test('invalid requests get 400 INVALID_ARGUMENT naming what is wrong', async () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['no input', { voice: { languageCode: 'en-US' }, audioConfig: { audioEncoding: 'MP3' } }, /input\.text.*input\.ssml/],
    [
      'text and ssml',
      { input: { text: 'a', ssml: '<speak>a</speak>' }, voice: { languageCode: 'en-US' }, audioConfig: { audioEncoding: 'MP3' } },
      /Oneof field/,
    ],
    // 1,700 Chinese characters are 5,100 UTF-8 bytes: the limit counts bytes.
    ['over 5,000 bytes', ok('好'.repeat(1700)), /5000 bytes/],
    ['no language', { input: { text: 'a' }, voice: {}, audioConfig: { audioEncoding: 'MP3' } }, /language_code/],
    ['no encoding', { input: { text: 'a' }, voice: { languageCode: 'en-US' }, audioConfig: {} }, /audio_encoding/],
    ['unknown encoding', ok('a', { audioEncoding: 'FLAC' }), /audio_encoding/],
    ['rate too fast', ok('a', { speakingRate: 4.5 }), /speaking_rate/],
    ['rate too slow', ok('a', { speakingRate: 0.1 }), /speaking_rate/],
    ['pitch', ok('a', { pitch: -21 }), /pitch/],
    ['unknown field', { ...ok('a'), extra: 1 }, /Unknown name "extra"/],
    ['bad SSML', { input: { ssml: 'hello' }, voice: { languageCode: 'en-US' }, audioConfig: { audioEncoding: 'MP3' } }, /SSML/],
  ];
  for (const [name, body, message] of cases) {
    const res = await synthesize(body);
    assert.equal(res.status, 400, name);
    assert.equal(res.json.error?.status, 'INVALID_ARGUMENT', name);
    assert.match(res.json.error?.message ?? '', message, name);
  }
  assert.equal((await synthesize(ok('好'.repeat(1666)))).status, 200, '4,998 bytes pass');
});

test('MP3 is a run of valid MPEG-1 Layer III frames, deterministic and as long as the text', async () => {
  const short = (await synthesize(ok('您好，您的订单还在购物车里。'))).audio!;
  const again = (await synthesize(ok('您好，您的订单还在购物车里。'))).audio!;
  const long = (await synthesize(ok('您好，您的订单还在购物车里。'.repeat(4)))).audio!;
  const fast = (await synthesize(ok('您好，您的订单还在购物车里。'.repeat(4), { speakingRate: 2 }))).audio!;
  assert.deepEqual(short, again, 'same request, same bytes');
  for (const audio of [short, long, fast]) {
    assert.equal(audio.length % 144, 0);
    for (let i = 0; i < audio.length; i += 144) assert.deepEqual([...audio.subarray(i, i + 4)], [0xff, 0xfb, 0x18, 0xc4]);
  }
  const ratio = long.length / short.length;
  assert.ok(ratio > 3.5 && ratio < 4.5, `4× the text, about 4× the audio (got ${ratio})`);
  assert.ok(Math.abs(fast.length / long.length - 0.5) < 0.05, 'twice the rate, half the length');
});

test('LINEAR16, MULAW and ALAW come with a WAV header; OGG_OPUS is an Ogg stream; enums may be numbers', async () => {
  const wavOf = (audio: Buffer) => ({
    riff: audio.toString('ascii', 0, 4),
    wave: audio.toString('ascii', 8, 12),
    format: audio.readUInt16LE(20),
    rate: audio.readUInt32LE(24),
    bits: audio.readUInt16LE(34),
    data: audio.readUInt32LE(40),
    length: audio.length,
  });
  const pcm = wavOf((await synthesize(ok('hello there', { audioEncoding: 1, sampleRateHertz: 16000 }))).audio!);
  assert.deepEqual([pcm.riff, pcm.wave, pcm.format, pcm.rate, pcm.bits], ['RIFF', 'WAVE', 1, 16000, 16]);
  assert.equal(pcm.length, 44 + pcm.data);
  assert.equal(pcm.data, 16000 * 2 * (11 * 0.08), '11 characters at 80 ms, 16-bit');
  assert.equal(wavOf((await synthesize(ok('hi', { audioEncoding: 'MULAW' }))).audio!).format, 7);
  assert.equal(wavOf((await synthesize(ok('hi', { audioEncoding: 6 }))).audio!).format, 6);
  const ogg = (await synthesize(ok('hi', { audioEncoding: 'OGG_OPUS' }))).audio!;
  assert.equal(ogg.toString('ascii', 0, 4), 'OggS');
  assert.equal(ogg.toString('ascii', 28, 36), 'OpusHead');
});

test('SSML is spoken without its tags, and breaks add time', async () => {
  const plain = (await synthesize(ok('hello'))).audio!;
  const ssml = (
    await synthesize({
      input: { ssml: '<speak><prosody rate="slow">hello</prosody></speak>' },
      voice: { languageCode: 'en-US' },
      audioConfig: { audioEncoding: 'MP3' },
    })
  ).audio!;
  const paused = (
    await synthesize({ input: { ssml: '<speak>hello<break time="2s"/></speak>' }, voice: { languageCode: 'en-US' }, audioConfig: { audioEncoding: 'MP3' } })
  ).audio!;
  assert.equal(ssml.length, plain.length);
  assert.ok(paused.length > plain.length * 5);
});

test('failNext answers the next requests with a Google error, and every request is recorded', async () => {
  const before = sim.requests().length;
  sim.failNext(503, 2);
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await synthesize(ok('retry me'))).status);
  assert.deepEqual(statuses, [503, 503, 200]);
  const recorded = sim.requests().slice(before);
  assert.deepEqual(
    recorded.map((r) => r.status),
    [503, 503, 200],
  );
  assert.equal(recorded[2]?.request?.text, 'retry me');
  sim.failNext(429);
  const limited = await synthesize(ok('x'));
  assert.deepEqual([limited.status, limited.json.error?.status], [429, 'RESOURCE_EXHAUSTED']);
});

test('voices.list: the voices of a language (a bare language matches its regions), enums as numbers when asked; 401 without a valid token', async () => {
  const list = async (query: string, token: string | null = sim.accessToken) => {
    const res = await fetch(`${sim.url}/v1/voices${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return {
      status: res.status,
      json: (await res.json()) as { voices?: { name: string; languageCodes: string[]; ssmlGender: unknown }[]; error?: { status: string } },
    };
  };
  const en = await list('?languageCode=en');
  assert.equal(en.status, 200);
  assert.ok(en.json.voices!.length >= 2 && en.json.voices!.every((v) => v.languageCodes[0]!.startsWith('en-')), JSON.stringify(en.json));
  assert.ok(en.json.voices!.every((v) => ['MALE', 'FEMALE', 'NEUTRAL'].includes(v.ssmlGender as string)));
  const cantonese = await list('?languageCode=yue-HK&$alt=json%3Benum-encoding=int');
  assert.deepEqual(
    cantonese.json.voices!.map((v) => [v.name, v.ssmlGender]),
    [
      ['yue-HK-Standard-A', 2],
      ['yue-HK-Standard-B', 1],
    ],
  );
  assert.ok((await list('')).json.voices!.length > en.json.voices!.length, 'no languageCode: every voice');
  for (const token of [null, 'wrong-token']) {
    const refused = await list('?languageCode=en', token);
    assert.equal(refused.status, 401);
    assert.equal(refused.json.error?.status, 'UNAUTHENTICATED');
  }
  assert.equal(sim.requests().filter((r) => r.url.startsWith('/v1/voices')).length, 0, 'requests() keeps to synthesis');
});
