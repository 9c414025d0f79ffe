import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyInbound } from './sms.ts';

const kind = (body: string) => classifyInbound(body).kind;
const language = (body: string) => classifyInbound(body).language;

describe('inbound SMS keywords', () => {
  test('the carrier opt-out words, in any case, with punctuation and spaces around them', () => {
    for (const body of [
      'STOP',
      'stop',
      ' Stop. ',
      'STOPALL',
      'stop all',
      'Unsubscribe!',
      'cancel',
      'END',
      'quit',
      'revoke',
      'OptOut',
      'opt out',
      'opt-out',
      '"STOP"',
    ]) {
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
    for (const body of [
      'Stopped by the shop today',
      'stopover',
      'I will not cancel my order',
      'the end is near',
      'Tomorrow',
      'TDD',
      '好的',
      'When does my order arrive?',
      '不要忘了给我发链接',
    ]) {
      assert.notEqual(kind(body), 'opt-out', body);
    }
  });

  test('a request to stop written in a sentence is an opt-out, in English, Chinese, Cantonese or a mix', () => {
    for (const body of [
      'please stop',
      'No more texts please',
      "Don't ever message me again",
      'take me off your list',
      '请勿再联系我',
      '别再给我发短信了',
      '以後唔好再send嘢畀我',
      '唔好再打嚟',
      'never 再 send 我',
    ]) {
      assert.equal(kind(body), 'opt-out', body);
    }
    assert.equal(language('别再给我发短信了'), 'zh');
    assert.equal(classifyInbound('please stop').keyword, null, 'nothing of the message is kept as the keyword');
  });

  test('a text that may ask us to stop is unclear (the reply asks), never ignored', () => {
    for (const body of ["don't send me anything", '不用发给我']) assert.equal(kind(body), 'unclear', body);
    assert.equal(kind("don't call me now, I'm driving"), 'other');
  });

  test('HELP and 帮助 ask for help; anything else is just a message', () => {
    assert.deepEqual(classifyInbound('help'), { kind: 'help', language: 'en', keyword: 'HELP' });
    assert.deepEqual(classifyInbound('帮助'), { kind: 'help', language: 'zh', keyword: '帮助' });
    assert.equal(kind('INFO?'), 'help');
    assert.deepEqual(classifyInbound('When does my order arrive?'), { kind: 'other', language: 'en', keyword: null });
    assert.equal(kind(''), 'other');
  });
});
