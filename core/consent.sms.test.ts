import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyInbound } from './consent.sms.ts';

const kind = (body: string) => classifyInbound(body).kind;
const language = (body: string) => classifyInbound(body).language;

describe('inbound SMS keywords', () => {
  test('the carrier opt-out words, in any case, with punctuation and spaces around them', () => {
    for (const body of ['STOP', 'stop', ' Stop. ', 'STOPALL', 'stop all', 'Unsubscribe!', 'cancel', 'END', 'quit', 'revoke', 'OptOut', 'opt out', 'opt-out', '"STOP"']) {
      assert.equal(kind(body), 'opt-out', body);
      assert.equal(language(body), 'en', body);
    }
  });

  test('full-width forms count: ＳＴＯＰ, ＴＤ, and full-width punctuation', () => {
    assert.equal(kind('ＳＴＯＰ'), 'opt-out');
    assert.equal(kind('ＴＤ'), 'opt-out');
    assert.equal(kind('退订！'), 'opt-out');
    assert.equal(kind('\u3000退订。'), 'opt-out');
  });

  test('the Chinese words and carrier codes, answered in Chinese', () => {
    for (const body of ['退订', '退訂', 'TD', 'td', 'Td', 'T', 't', '取消订阅', '取消訂閱', '退订短信', '不要再发', '不要再发了']) {
      assert.equal(kind(body), 'opt-out', body);
      assert.equal(language(body), 'zh', body);
    }
  });

  test('a message that starts with STOP or 退订 and goes on is an opt-out', () => {
    assert.deepEqual(classifyInbound('stop please'), { kind: 'opt-out', language: 'en', keyword: 'STOP' });
    assert.deepEqual(classifyInbound('STOP texting me!!'), { kind: 'opt-out', language: 'en', keyword: 'STOP' });
    assert.deepEqual(classifyInbound('退订，谢谢'), { kind: 'opt-out', language: 'zh', keyword: '退订' });
  });

  test('words that merely contain a keyword are not an opt-out', () => {
    for (const body of ['Stopped by the shop today', 'stopover', 'I will not cancel my order', 'the end is near', 'Tomorrow', 'TDD', '好的', 'please stop']) {
      assert.notEqual(kind(body), 'opt-out', body);
    }
  });

  test('HELP and 帮助 ask for help; anything else is just a message', () => {
    assert.deepEqual(classifyInbound('help'), { kind: 'help', language: 'en', keyword: 'HELP' });
    assert.deepEqual(classifyInbound('帮助'), { kind: 'help', language: 'zh', keyword: '帮助' });
    assert.equal(kind('INFO?'), 'help');
    assert.deepEqual(classifyInbound('When does my order arrive?'), { kind: 'other', language: 'en', keyword: null });
    assert.equal(kind(''), 'other');
  });
});
