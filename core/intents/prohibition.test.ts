// Prohibitions by scope, tried on every combination of negator, action, "again" and ending
// in each language (and with the recogniser's noise: traditional characters, full-width
// punctuation, spaces, the 在/再 homophone): a request not to be called or texted is an
// opt-out or is confirmed, and never leads to a link; a time ruled out is a callback; an
// ordinary "no" or "not now" is never taken for a request to stop.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Converter } from 'opencc-js/cn2t';
import { createOfflineClassifier, type OfflineClassifier } from './classifier.ts';
import { sendingIntents, type Intent } from './intents.ts';
import { normalise } from './normalise.ts';
import { prohibition } from './prohibition.ts';

const toTraditional = Converter({ from: 'cn', to: 'hk' });
let classifier: OfflineClassifier;
before(() => {
  classifier = createOfflineClassifier();
});

/** Every combination of the parts, joined. */
const combine = (...parts: string[][]): string[] => parts.reduce<string[]>((acc, options) => acc.flatMap((a) => options.map((o) => a + o)), ['']);

/** The same utterance as a recogniser may write it: traditional, full-width, every word spaced out, the 在 homophone. */
const noisy = (text: string, i: number): string => {
  switch (i % 5) {
    case 0:
      return toTraditional(text);
    case 1:
      return `${text.replace(/ /g, '，')}。`;
    case 2:
      return text.replace(/(?<=\p{Script=Han})(?=[\p{Script=Han}a-z])|(?<=[a-z])(?=\p{Script=Han})/giu, ' ');
    case 3:
      return text.replace(/(别|不要)再/g, '$1在');
    default:
      return text;
  }
};

const answers = (texts: string[]) => texts.map((text, i) => ({ text, intent: classifier.classify(noisy(text, i)).intent, heard: noisy(text, i) }));
const failures = (rows: { heard: string; intent: Intent }[], ok: (i: Intent) => boolean) =>
  rows.filter((r) => !ok(r.intent)).map((r) => `${r.heard} → ${r.intent}`);

describe('a prohibition of contact, in any wording', () => {
  test('Mandarin and Cantonese: negator + again + call/text/send is an opt-out, however it is written', () => {
    const texts = combine(
      ['', '你们', '你哋', '以后', '以後都', '麻烦', '唔該', 'please '],
      ['别再', '不要再', '唔好再', '咪再', '不准再', '千万别再', '冇需要再', '唔使再', '再也不要'],
      [
        '打来',
        '打嚟',
        '打电话给我',
        '打俾我',
        '发短信给我',
        '发信息',
        'send嘢畀我',
        'send message',
        'call我',
        'text我',
        '联系我',
        '聯絡我',
        '搵我',
        'whatsapp我',
        '寄东西来',
      ],
      ['', '了', '喇', '啦 唔該', ' ok', ' thanks'],
    );
    const rows = answers(texts);
    assert.ok(rows.length > 5000, `${rows.length} utterances`);
    assert.deepEqual(
      failures(rows, (i) => i === 'opt_out'),
      [],
    );
  });

  test("English: don't / never / stop / no more … call / text / send … again is an opt-out", () => {
    const again = combine(
      ['', 'um ', 'look ', 'okay but ', 'no '],
      ["don't ", 'do not ', 'please dont ', 'never ', 'you should not ', "don't you ever "],
      ['call', 'text', 'message', 'ring', 'contact', 'email', 'send anything to', 'phone'],
      [' me', ' this number', ' us'],
      [' again', ' anymore', ' ever again', ' in the future', ' from now on'],
    );
    const stop = combine(
      ['', 'please ', 'just ', 'can you '],
      ['stop ', 'quit '],
      ['calling', 'texting', 'messaging', 'sending me texts', 'ringing'],
      ['', ' me', ' this number', ' please'],
    );
    const noMore = combine(['no more ', 'i want no more '], ['calls', 'texts', 'messages'], ['', ' please', ' from you']);
    const rows = answers([...again, ...stop, ...noMore]);
    assert.deepEqual(
      failures(rows, (i) => i === 'opt_out'),
      [],
    );
  });

  test('mixed: a Chinese negator with an English verb, an English negator with Chinese words', () => {
    const rows = answers([
      ...combine(
        ['唔好再', '不要再', '别再', '咪再'],
        ['call', 'text', 'send', 'message', 'whatsapp', 'email'],
        ['我', '嘢畀我', '东西给我'],
        ['', ' ok', ' la'],
      ),
      ...combine(["don't ", 'never ', 'please dont '], ['再打来', '再打嚟', 'call 我 again', 'send 嘢畀我 again', '再联系我']),
    ]);
    assert.deepEqual(
      failures(rows, (i) => i === 'opt_out'),
      [],
    );
  });

  test('a prohibition without "again" is an opt-out or is confirmed, and never sends anything', () => {
    const rows = answers([
      ...combine(
        ['唔好', '不要', '别', '不用', '唔使', '冇需要'],
        ['send', '发', 'send link', '发链接', 'send嘢', '寄'],
        ['', '畀我', '给我'],
        ['', ' 唔該', ' 谢谢'],
      ),
      ...combine(["don't ", 'no need to ', 'do not '], ['send', 'send me', 'text me', 'email me'], [' anything', ' the link', ' that', ' stuff']),
    ]);
    assert.deepEqual(
      failures(rows, (i) => i === 'opt_out' || i === 'maybe_opt_out'),
      [],
    );
    assert.deepEqual(
      failures(rows, (i) => !sendingIntents.includes(i)),
      [],
    );
  });
});

describe('what is not a request to stop', () => {
  test('a time ruled out is a call back: "don\'t call me now", "现在别打", "而家唔好打嚟"', () => {
    const rows = answers([
      ...combine(['现在', '這會兒', '而家', '今日', '上午'], ['别打', '不要打', '唔好打嚟', '咪打嚟'], ['', ' 我在开会', ' 我喺度揸車', ' 晚点再打']),
      ...combine(["don't call me ", 'please do not ring me '], ['now', 'right now', 'during work', 'before noon', 'today'], ['', " i'm driving", ' try later']),
    ]);
    assert.deepEqual(
      failures(rows, (i) => i === 'callback_later'),
      [],
    );
  });

  test('an ordinary no, "not now" or "no need" is never taken for a request to stop', () => {
    const rows = answers([
      ...combine(
        ['', '嗯 ', '哦 '],
        ['不用了', '不需要', '唔使喇', '唔需要', '不要', '唔要喇', '冇興趣', '算了', '没兴趣', '不必了'],
        ['', ' 谢谢', ' 唔該', ' 多謝'],
      ),
      ...combine(
        ['', 'um ', 'well '],
        ['no thanks', 'not interested', 'no need', "i don't need it", "i'll pass", 'not for me', 'nope'],
        ['', ' thank you', ' bye'],
      ),
      ...combine(['现在不方便', '而家唔得閒', "i'm busy", 'not now', '晚点再说'], ['', ' 谢谢', ' thanks']),
      '不好意思 你打错了',
      '唔好意思 我唔係佢',
      '不用谢',
      '不要紧 你说',
      "don't worry about it",
      "i don't know",
    ]);
    assert.deepEqual(
      failures(rows, (i) => i !== 'opt_out' && i !== 'maybe_opt_out'),
      [],
    );
  });

  test('words that contain a negator are not one: 别人, 要不要, 打折, 不用这个电话, 别发火, 不要挂电话', () => {
    for (const text of [
      '别人介绍的',
      '要不要打个折',
      '有没有打折',
      '他已经不用这个电话了',
      '能不能便宜点',
      '需不需要预约',
      '别发火 我问问价格',
      '不要挂电话 帮我转人工',
      '不用担心 我会打给你',
    ]) {
      assert.equal(prohibition(normalise(text).text), null, text);
    }
  });

  test('"don\'t forget to call me" asks for the call: never an opt-out', () => {
    const rows = answers(
      combine(
        ["don't forget to ", 'please dont forget to ', '别忘了', '不要忘记', '唔好唔記得', '千万别忘了'],
        ['call me', 'text me the link', '给我打电话', '打畀我', '发链接给我', 'send個link畀我'],
        ['', ' tomorrow', ' 明天'],
      ),
    );
    assert.deepEqual(
      failures(rows, (i) => i !== 'opt_out' && i !== 'maybe_opt_out'),
      [],
    );
    assert.equal(prohibition(normalise("don't forget to call me").text), 'wanted');
  });
});

describe('Cantonese read as Mandarin', () => {
  test('function words and time words fold into their Mandarin equivalents, in either script', () => {
    const cases: [string, string][] = [
      ['唔好再打嚟', '不要再打来'],
      ['唔使喇 多謝', '不用 多谢'],
      ['冇需要再聯絡我', '没需要再联络我'],
      ['遲啲再打嚟啦 而家唔得閒', '晚点再打来 现在没空'],
      ['你係咪機械人', '你是不是机械人'],
      ['send個link畀我', 'send个link给我'],
      ['我揸緊車', '我开着车'],
      ['唔好意思 你打錯咗', '不好意思 你打错了'],
      ['冇關係', '没关系'],
      ['有冇平啲', '有没有便宜点'],
    ];
    for (const [yue, zh] of cases) {
      assert.equal(normalise(yue).text, zh, yue);
      assert.equal(normalise(toTraditional(zh)).text, normalise(zh).text, `${zh} in traditional`);
    }
  });
});
