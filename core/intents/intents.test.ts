// The offline classifier: what the shipped data holds, and behaviour a caller relies on in
// each language (English, Mandarin in both scripts, Cantonese, and speech that mixes them).
// Accuracy on utterances it was never trained on is measured in heldout.test.ts.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { builtInExamples, createOfflineClassifier, modelIntents, type OfflineClassifier } from './classifier.ts';
import { sendingIntents, type Intent } from './intents.ts';
import { normalise } from './normalise.ts';

const all = builtInExamples();
let full: OfflineClassifier;

before(() => {
  full = createOfflineClassifier();
});

describe('the shipped data', () => {
  test('English and Mandarin have at least 120 examples of every intent, Cantonese 30; ~20% of the Mandarin is traditional', () => {
    for (const [lang, min] of [
      ['en', 120],
      ['zh', 120],
      ['yue', 30],
    ] as const) {
      const rows = builtInExamples([lang]);
      for (const intent of modelIntents) {
        const n = rows.filter((e) => e.intent === intent).length;
        assert.ok(n >= min, `${lang} ${intent}: ${n} examples`);
      }
    }
    const zh = builtInExamples(['zh']).filter((e) => /\p{Script=Han}/u.test(e.text));
    const traditional = zh.filter(
      (e) =>
        normalise(e.text).text !==
        e.text
          .toLowerCase()
          .replace(/[^\p{L}\p{N}]+/gu, ' ')
          .trim(),
    ).length;
    assert.ok(traditional / zh.length > 0.12, `traditional share ${traditional}/${zh.length}`);
  });

  test('the Cantonese data is Cantonese (its own words in most lines) and some of it is code-switched', () => {
    const yue = builtInExamples(['yue']);
    const cantonese = yue.filter((e) => /[唔冇嘅咗嚟畀俾嘢哋佢喺係啲咪乜咩嗰呢諗睇搵揸攞喇㗎噃喎吓]/u.test(e.text)).length;
    assert.ok(cantonese / yue.length > 0.6, `${cantonese}/${yue.length} lines with Cantonese words`);
    const mixed = yue.filter((e) => /\p{Script=Han}/u.test(e.text) && /[a-z]{2,}/i.test(e.text)).length;
    assert.ok(mixed >= 40, `${mixed} code-switched lines`);
  });

  test('no utterance carries two labels, and maybe_opt_out is never trained (only the rules answer it)', () => {
    const seen = new Map<string, Intent>();
    for (const e of all) {
      const key = normalise(e.text).text;
      const before = seen.get(key);
      assert.ok(!before || before === e.intent, `"${e.text}" is both ${before} and ${e.intent}`);
      seen.set(key, e.intent);
      assert.notEqual(e.intent, 'maybe_opt_out', e.text);
    }
  });
});

describe('behaviour a caller relies on', () => {
  const expect = (cases: [string, Intent][]) => {
    for (const [text, intent] of cases) assert.equal(full.classify(text).intent, intent, `"${text}"`);
  };

  test('traditional and simplified Chinese, full- and half-width, get the same answer', () => {
    const pairs: [string, string][] = [
      ['不要再給我打電話了', '不要再给我打电话了'],
      ['我現在不方便，晚點再打', '我现在不方便 晚点再打'],
      ['價格多少？', '价格多少'],
      ['幫我轉人工', '帮我转人工'],
      ['你打錯了', '你打错了'],
      ['ＯＫ 發給我吧', 'ok 发给我吧'],
    ];
    for (const [a, b] of pairs) assert.deepEqual(full.classify(a), full.classify(b), `${a} vs ${b}`);
  });

  test('a complaint ("I\'ll report you", "再打我就投诉", "你哋再打嚟我就投訴") is its own intent, in each language and mixed', () => {
    expect([
      ["I'll report you", 'complaint'],
      ["I'm reporting this to the FTC", 'complaint'],
      ['one more call and my lawyer hears about it', 'complaint'],
      ['stop calling me or i will file a complaint', 'complaint'],
      ["don't make me report you", 'complaint'],
      ['再打我就投诉', 'complaint'],
      ['我要投诉你们', 'complaint'],
      ['你們再打來我就去消協投訴', 'complaint'],
      ['别逼我报警', 'complaint'],
      ['你哋再打嚟我就投訴', 'complaint'],
      ['我會去消委會投訴你哋', 'complaint'],
      ['再call我就report你哋', 'complaint'],
      ['i will 投诉 你们', 'complaint'],
    ]);
  });

  test('"not complaining" is not a complaint: the rest of the answer is read', () => {
    expect([
      ["i'm not complaining, just call me back next week", 'callback_later'],
      ["no complaints, what's the price", 'price_question'],
      ["i won't report you, just take me off your list", 'opt_out'],
      ['我不是要投诉 这个多少钱', 'price_question'],
      ['我不投诉 但以后别再打了', 'opt_out'],
      ['我冇話要投訴 遲啲再打嚟啦', 'callback_later'],
    ]);
    for (const text of ["i'm not complaining", '我没说要投诉', '唔會投訴你哋']) assert.notEqual(full.classify(text).intent, 'complaint', text);
  });

  test('opt-out wins over everything else in the same utterance', () => {
    expect([
      ['yes just remove me', 'opt_out'],
      ['sure but stop calling me', 'opt_out'],
      ['how much is it never mind take me off your list', 'opt_out'],
      ['im driving and dont ever call me again', 'opt_out'],
      ['好的 你们别再打了', 'opt_out'],
      ['可以 不過以後別再打了', 'opt_out'],
      ['多少钱 算了 把我号码删了吧', 'opt_out'],
      ['转人工 我要投诉你们', 'complaint'],
      ['unsubscribe', 'opt_out'],
      ['退訂', 'opt_out'],
      ['STOP', 'opt_out'],
    ]);
  });

  test('one utterance of each intent in each language', () => {
    expect([
      ['no thanks im not interested', 'not_interested'],
      ['let me think about it and get back to you', 'reconsider'],
      ['how much does it cost per month', 'price_question'],
      ['can i talk to a real person', 'human'],
      ['yeah sounds good send me the link', 'interested'],
      ['you have the wrong number', 'wrong_number'],
      ['im in a meeting call me back later', 'callback_later'],
      ['what is the weather like', 'unknown'],
      ['不需要 谢谢', 'not_interested'],
      ['我再考虑考虑吧', 'reconsider'],
      ['这个多少钱一个月', 'price_question'],
      ['帮我转人工客服', 'human'],
      ['好的 发给我吧', 'interested'],
      ['你打错了 没有这个人', 'wrong_number'],
      ['我在开车 晚点再打', 'callback_later'],
      ['今天天气不错', 'unknown'],
    ]);
  });

  test('empty, noise and gibberish are unknown', () => {
    for (const text of ['', '   ', '...', '嗯', '呃呃呃', 'um uh', 'hello?', '喂', 'asdfgh qwerty', '¥%……&*', 'zxq vbnm kjh']) {
      assert.equal(full.classify(text).intent, 'unknown', `"${text}"`);
    }
  });

  test('confidence is a probability in [0, 1], and the locale is only a hint', () => {
    for (const e of all.filter((_, i) => i % 15 === 0)) {
      const { confidence } = full.classify(e.text, /\p{Script=Han}/u.test(e.text) ? 'en-US' : 'zh-TW');
      assert.ok(confidence >= 0 && confidence <= 1, `${confidence} for "${e.text}"`);
    }
    assert.deepEqual(full.classify('多少钱', 'en-US'), full.classify('多少钱', 'cmn-Hans-CN'));
    assert.ok(full.classify('yes please').confidence > full.classify('i guess').confidence, 'a clear answer is more confident than a vague one');
  });

  test('Cantonese answers: the three the issue reported, and one of each intent', () => {
    expect([
      ['以後唔好再send嘢畀我', 'opt_out'],
      ['唔使喇 多謝', 'not_interested'],
      ['遲啲再打嚟啦 而家唔得閒', 'callback_later'],
      ['唔該你哋以後咪再打嚟', 'opt_out'],
      ['唔係幾啱我 唔使喇', 'not_interested'],
      ['等我同屋企人傾吓先', 'reconsider'],
      ['咁要俾幾錢', 'price_question'],
      ['同我搵個真人', 'human'],
      ['好呀 你send過嚟我睇吓', 'interested'],
      ['打錯咗 冇呢個人', 'wrong_number'],
      ['我而家喺度開緊會', 'callback_later'],
      ['你哋係咩公司', 'unknown'],
      // Complaints about being called are requests to stop; 住 ("for now") only rules out a time.
      ['點解仲打嚟', 'opt_out'],
      ['为什么又打来了', 'opt_out'],
      ['唔好再煩住我', 'opt_out'],
      ['唔好打嚟住 我喺度開會', 'callback_later'],
    ]);
  });

  test('code-switched answers read like either language alone', () => {
    expect([
      ['send個link畀我', 'interested'],
      ['这个price多少', 'price_question'],
      ['OK 你 WhatsApp 我啦', 'interested'],
      ['唔好再call我喇', 'opt_out'],
      ['never 再 send 嘢畀我', 'opt_out'],
      ['我 busy 緊 遲啲 call 返我', 'callback_later'],
      ['搵個 agent 同我講', 'human'],
    ]);
  });

  test('唔 before a word is "not", not a hesitation: 唔要 is a refusal, 唔 alone is noise', () => {
    assert.equal(normalise('我唔要').text, '我不要');
    assert.equal(normalise('唔 我諗吓先').text, '我想下先');
    assert.equal(full.classify('我唔要').intent, 'not_interested');
    assert.equal(full.classify('我要').intent, 'interested');
  });

  test('no answer that may be a request to stop leads to anything sent', () => {
    for (const text of ["don't send me anything", '唔好send link畀我', '不用发给我', '唔使send畀我', 'no dont text me the link']) {
      const { intent } = full.classify(text);
      assert.ok(intent === 'opt_out' || intent === 'maybe_opt_out', `${text}: ${intent}`);
      assert.ok(!sendingIntents.includes(intent), `${text}: ${intent}`);
    }
  });
});
