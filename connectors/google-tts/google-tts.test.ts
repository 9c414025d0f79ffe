// The Google TTS connector through the official client, against the simulator over HTTP.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, test } from 'node:test';
import { AppError } from '../../core/errors.ts';
import { startGoogleTtsSim, type GoogleTtsSim } from '../../sim/google-tts/index.ts';
import { createGoogleTtsConnector, type GoogleTtsConnector } from './index.ts';
import { googleTtsCredentials } from './schemas.ts';

const serviceAccountEmail = 'chaseline-tts@demo-project.iam.gserviceaccount.com';
const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

let sim: GoogleTtsSim;
let tts: GoogleTtsConnector;
const opened: GoogleTtsConnector[] = [];
const connector = (credentials: Parameters<typeof createGoogleTtsConnector>[0]) => {
  const made = createGoogleTtsConnector(credentials, { timeoutMs: 5000 });
  opened.push(made);
  return made;
};

before(async () => {
  sim = await startGoogleTtsSim({ serviceAccounts: { [serviceAccountEmail]: publicKey } });
  tts = connector({ apiBaseUrl: sim.url, accessToken: sim.accessToken });
});
after(async () => {
  await Promise.all(opened.map((c) => c.close()));
  await sim.close();
});

const rejection = async (promise: Promise<unknown>): Promise<AppError> => {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
  return err;
};
const lastBody = () => sim.requests().at(-1)?.body as { input: Record<string, string>; voice: Record<string, unknown>; audioConfig: Record<string, unknown> };

test('text becomes MP3 audio, with the voice, rate and pitch reaching Google', async () => {
  const out = await tts.synthesize({ text: '您好，您的购物车还在等您。', languageCode: 'cmn-CN', voiceName: 'cmn-CN-Wavenet-A', speakingRate: 0.9, pitch: -2 });
  assert.equal(out.contentType, 'audio/mpeg');
  assert.deepEqual([...out.audio.subarray(0, 2)], [0xff, 0xfb], 'an MPEG audio frame');
  const sent = sim.requests().at(-1)!;
  assert.match(sent.url, /^\/v1\/text:synthesize\?/);
  assert.equal(sent.principal, 'token');
  assert.deepEqual(lastBody(), {
    input: { text: '您好，您的购物车还在等您。' },
    voice: { languageCode: 'cmn-CN', name: 'cmn-CN-Wavenet-A' },
    audioConfig: { audioEncoding: 2, speakingRate: 0.9, pitch: -2 }, // MP3, as the client's numeric enum
  });
});

test('SSML is sent as SSML', async () => {
  const ssml = '<speak>您好<break time="300ms"/>再见</speak>';
  const out = await tts.synthesize({ ssml, languageCode: 'cmn-CN' });
  assert.ok(out.audio.length > 0);
  assert.deepEqual(lastBody().input, { ssml });
  assert.equal(sim.requests().at(-1)?.request?.ssml, ssml);
});

test('a service account signs its own token, which Google accepts', async () => {
  const viaKey = connector({ apiBaseUrl: sim.url, serviceAccount: { client_email: serviceAccountEmail, private_key: privateKey } });
  const out = await viaKey.synthesize({ text: 'hello', languageCode: 'en-US' });
  assert.ok(out.audio.length > 0);
  assert.equal(sim.requests().at(-1)?.principal, serviceAccountEmail);
});

test('a request Google refuses is VALIDATION and not retried; a 429 is RATE_LIMITED', async () => {
  const before = sim.requests().length;
  const tooHigh = await rejection(tts.synthesize({ text: 'hello', languageCode: 'en-US', pitch: 30 }));
  assert.equal(tooHigh.code, 'VALIDATION');
  assert.equal(tooHigh.retryable, false);
  assert.deepEqual(tooHigh.details, { httpStatus: 400, vendorStatus: 'INVALID_ARGUMENT' });
  assert.equal(sim.requests().length, before + 1, 'asked once');

  const neither = await rejection(tts.synthesize({ languageCode: 'en-US' }));
  assert.equal(neither.code, 'VALIDATION');
  assert.equal(sim.requests().length, before + 1, 'refused before asking Google');

  sim.failNext(429);
  const limited = await rejection(tts.synthesize({ text: 'hello', languageCode: 'en-US' }));
  assert.equal(limited.code, 'RATE_LIMITED');
  assert.equal(limited.retryable, true);
});

test('an outage is a retryable UPSTREAM error, left to the job queue to retry', async () => {
  const before = sim.requests().length;
  sim.failNext(503);
  const down = await rejection(tts.synthesize({ text: 'hello', languageCode: 'en-US' }));
  assert.equal(down.code, 'UPSTREAM');
  assert.equal(down.retryable, true);
  assert.equal(down.details?.httpStatus, 503);
  assert.equal(sim.requests().length, before + 1, 'the SDK did not retry by itself');
  assert.ok((await tts.synthesize({ text: 'hello', languageCode: 'en-US' })).audio.length > 0, 'the retry works');

  const unreachable = connector({ apiBaseUrl: 'http://127.0.0.1:1', accessToken: 'x' });
  const noAnswer = await rejection(unreachable.synthesize({ text: 'hello', languageCode: 'en-US' }));
  assert.equal(noAnswer.code, 'UPSTREAM');
  assert.equal(noAnswer.retryable, true);
  assert.equal(noAnswer.details?.httpStatus, undefined, 'no answer came');
});

test('a bad token is refused, and that is not worth retrying', async () => {
  const bad = connector({ apiBaseUrl: sim.url, accessToken: 'not-the-token' });
  const refused = await rejection(bad.synthesize({ text: 'hello', languageCode: 'en-US' }));
  assert.equal(refused.code, 'UPSTREAM');
  assert.equal(refused.retryable, false);
  assert.equal(refused.details?.httpStatus, 401);
  assert.match(refused.message, /credentials/);
});

test('credentials need exactly one way to authenticate', () => {
  assert.equal(googleTtsCredentials.safeParse({ accessToken: 'x' }).success, true);
  assert.equal(googleTtsCredentials.safeParse({}).success, false);
  assert.equal(
    googleTtsCredentials.safeParse({ accessToken: 'x', serviceAccount: { client_email: serviceAccountEmail, private_key: privateKey } }).success,
    false,
  );
  assert.equal(googleTtsCredentials.safeParse({ serviceAccount: { client_email: 'nope', private_key: privateKey } }).success, false);
  assert.equal(googleTtsCredentials.safeParse({ accessToken: 'x', apiBaseUrl: 'http://127.0.0.1:9/prefix' }).success, false);
  assert.throws(() => createGoogleTtsConnector({} as never));
});
