// The offline classifier on utterances it was never trained on: data/heldout/ holds lines
// written apart from the training data, in other words and structures (fillers, recogniser
// noise, code-switching), per language. The bars: every opt-out is caught or confirmed and
// none leads to a link; every "don't / 别 / 唔好 … again" opt-out is an opt_out outright; an
// ordinary refusal is not taken for a request to stop; and the overall accuracy holds.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { builtInExamples, createOfflineClassifier } from './classifier.ts';
import { closestTraining, evaluate, heldOutExamples, type Scores } from './evaluate.ts';
import { normalise } from './normalise.ts';

const heldOut = heldOutExamples();
let scores: Scores;

before(() => {
  scores = evaluate(createOfflineClassifier(), heldOut);
});

const report = (s: Scores) =>
  [
    `held out ${s.total}: accuracy ${s.accuracy.toFixed(3)}; ${Object.entries(s.byLanguage)
      .map(([l, v]) => `${l} ${v.accuracy.toFixed(3)} (${v.total})`)
      .join(', ')}`,
    `opt_out recall ${s.optOutRecall.toFixed(3)}, prohibition forms ${s.prohibitionRecall.toFixed(3)}, caught or confirmed ${s.optOutCaught.toFixed(3)}`,
    `complaint recall ${s.complaintRecall.toFixed(3)}, precision ${s.complaintPrecision.toFixed(3)}`,
    ...Object.entries(s.byIntent).map(([i, v]) => `${i.padEnd(15)} precision ${v.precision.toFixed(3)} recall ${v.recall.toFixed(3)} (${v.support})`),
    ...s.mistakes.map((m) => `  ${m.example.language} ${m.example.intent} → ${m.got}: ${m.example.text}`),
  ].join('\n');

describe('the held-out split', () => {
  test('covers every language and intent, with the prohibition forms tagged', () => {
    for (const language of ['en', 'zh', 'yue', 'mixed']) {
      const rows = heldOut.filter((e) => e.language === language);
      assert.ok(rows.length >= 45, `${language}: ${rows.length}`);
      assert.ok(rows.filter((e) => e.form === 'prohibition').length >= 4, `${language} prohibitions`);
      assert.ok(new Set(rows.map((e) => e.intent)).size >= 9, `${language} intents`);
    }
  });

  test('shares no phrasing with the training data', () => {
    const closest = closestTraining(builtInExamples());
    const training = new Set(builtInExamples().map((e) => normalise(e.text).text));
    const near = heldOut
      .map((e) => ({ heldOut: e.text, same: training.has(normalise(e.text).text), closest: closest(e.text) }))
      .filter((e) => e.same || e.closest.similarity >= 0.6);
    // Word bigrams of the canonical text (after folding Cantonese and converting to simplified):
    // 0.6 is "the same sentence with a word changed"; the split stays below it.
    assert.deepEqual(near, []);
  });
});

describe('scores on the held-out split', () => {
  test('every opt-out is caught or confirmed, and none is answered with something sent', (t) => {
    t.diagnostic(report(scores));
    assert.equal(scores.optOutCaught, 1, report(scores));
    assert.deepEqual(
      scores.optOutsSentSomething.map((e) => e.text),
      [],
    );
  });

  test('every prohibition ("don\'t / never / stop / 别 / 唔好 … again") is an opt_out outright', () => {
    assert.equal(scores.prohibitionRecall, 1, report(scores));
    assert.ok(scores.optOutRecall >= 0.95, report(scores));
  });

  // A complaint answered opt_out still stops every channel; answered complaint it also counts
  // against the script (core/scripts/flags.ts), so a false one flags scripts that did nothing wrong.
  test('complaints ("I\'ll report you", "再打我就投诉") are answered complaint, and complaint answers are right', () => {
    assert.ok(scores.complaintRecall >= 0.9, report(scores));
    assert.ok(scores.complaintPrecision >= 0.95, report(scores));
    assert.ok(heldOut.filter((e) => e.intent === 'complaint').length >= 30, 'complaints held out');
  });

  test('an ordinary refusal or "not now" is not taken for an opt-out, and opt_out answers are right', () => {
    assert.deepEqual(
      scores.refusalsTakenForOptOuts.map((e) => e.text),
      [],
    );
    assert.deepEqual(
      scores.falseOptOuts.map((e) => e.text),
      [],
    );
  });

  // The bar: a wrong answer among the other intents costs a re-prompt or a wrong branch, not a
  // complaint (opt-outs have their own bars above). 0.93 overall is about one miss in fifteen
  // on phrasings the model never saw; each language must clear 0.9 on its own.
  test('accuracy ≥ 0.93 overall and ≥ 0.90 in each language (en, zh, yue, mixed)', () => {
    assert.ok(scores.accuracy >= 0.93, report(scores));
    for (const [language, s] of Object.entries(scores.byLanguage)) assert.ok(s.accuracy >= 0.9, `${language}: ${s.accuracy}\n${report(scores)}`);
  });
});
