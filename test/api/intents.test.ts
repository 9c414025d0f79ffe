// POST /v1/intents/classify over the real HTTP server: a viewer key gets an intent with a
// confidence, a bad body is a problem+json naming the field, no key is 401, and the same
// procedure answers over tRPC and appears in the OpenAPI document under its tag.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../support/app.ts';
import { assertProblem, trpcMutation } from '../support/api.ts';
import { newKey, type KeyInfo } from '../support/data.ts';

let app: TestApp;
let viewer: KeyInfo;
before(async () => {
  app = await testApp();
  viewer = await newKey(app, 'viewer');
});
after(() => app?.close());

const classify = (body: unknown, key: string | null = viewer.key) => app.request('POST', '/v1/intents/classify', { key, body });

describe('POST /v1/intents/classify', () => {
  test('200 with the intent and a confidence in [0, 1], for a viewer key, in English, Mandarin and Cantonese', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ text: 'yes please send me the link', locale: 'en-US' }, 'interested'],
      [{ text: '不要再給我打電話了', locale: 'zh-TW' }, 'opt_out'],
      [{ text: '这个多少钱', locale: 'cmn-Hans-CN' }, 'price_question'],
      [{ text: 'um sorry wrong number' }, 'wrong_number'],
      [{ text: '以後唔好再send嘢畀我', locale: 'zh-HK' }, 'opt_out'],
      [{ text: '唔好send嘢畀我', locale: 'yue-HK' }, 'maybe_opt_out'],
      [{ text: 'send個link畀我', locale: 'zh-HK' }, 'interested'],
      [{ text: '喂' }, 'unknown'],
    ];
    for (const [body, intent] of cases) {
      const res = await classify(body);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.intent, intent, JSON.stringify(body));
      assert.ok(res.body.confidence >= 0 && res.body.confidence <= 1, res.text);
      assert.deepEqual(Object.keys(res.body).sort(), ['confidence', 'intent']);
    }
  });

  test('400 problem+json naming text when it is empty, missing, too long or not a string', async () => {
    assertProblem(await classify({ text: '' }), 400, 'VALIDATION', 'text');
    assertProblem(await classify({ locale: 'en-US' }), 400, 'VALIDATION', 'text');
    assertProblem(await classify({ text: 'x'.repeat(2001) }), 400, 'VALIDATION', 'text');
    assertProblem(await classify({ text: 42 }), 400, 'VALIDATION', 'text');
  });

  test('401 without a key', async () => {
    assertProblem(await classify({ text: 'yes' }, null), 401, 'UNAUTHENTICATED', 'Authorization');
  });

  test('the transcript never reaches the logs', async () => {
    const marker = 'zebracorn unsubscribe';
    assert.equal((await classify({ text: marker })).body.intent, 'opt_out');
    assert.ok(!app.logs.some((line) => line.includes('zebracorn')), 'the utterance is not logged');
  });

  test('tRPC answers the same, and OpenAPI lists the operation under the intents tag', async () => {
    const rest = await classify({ text: 'can i talk to a real person' });
    const trpc = await trpcMutation(app, 'intents.classify', { text: 'can i talk to a real person' }, { key: viewer.key });
    assert.equal(trpc.status, 200, JSON.stringify(trpc.body));
    assert.deepEqual(trpc.body.result.data, rest.body);

    const doc = await app.request('GET', '/openapi.json', { key: null });
    const op = doc.body.paths['/v1/intents/classify'].post;
    assert.deepEqual(op.tags, ['intents']);
    assert.equal(op.operationId, 'intents.classify');
  });
});
