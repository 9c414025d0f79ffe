/**
 * The held-out measurement the tests assert and `npm run bench:intents` reports: utterances
 * written apart from the training data (other words, other structures, code-switching,
 * fillers, recogniser noise), kept in data/heldout/ and never trained on.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseExamples, type Example, type OfflineClassifier } from './classifier.ts';
import { intents, sendingIntents, type Intent } from './intents.ts';
import { normalise } from './normalise.ts';
import { units } from './prohibition.ts';

export interface HeldOutExample extends Example {
  /** The file it came from: en, zh, yue or mixed (code-switched). */
  language: string;
  /** `prohibition`: a "don't / 别 / 唔好 … call / send" opt-out, which must always be caught. */
  form?: string;
}

const HELD_OUT = new URL('./data/heldout/', import.meta.url);

export function heldOutExamples(): HeldOutExample[] {
  return readdirSync(HELD_OUT)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((file) => {
      const text = readFileSync(new URL(file, HELD_OUT), 'utf8');
      const forms = text
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => (JSON.parse(l) as { form?: string }).form);
      return parseExamples(text, `data/heldout/${file}`).map((e, i) => ({
        ...e,
        language: file.replace(/\.jsonl$/, ''),
        ...(forms[i] ? { form: forms[i] } : {}),
      }));
    });
}

export interface Scores {
  total: number;
  accuracy: number;
  byLanguage: Record<string, { total: number; accuracy: number }>;
  /** Per intent: precision and recall of the exact answer. */
  byIntent: Record<string, { precision: number; recall: number; support: number }>;
  /** Opt-outs answered opt_out (or complaint: both stop every channel). */
  optOutRecall: number;
  /** Complaints answered complaint (a complaint answered opt_out still stops, but is not counted against the script). */
  complaintRecall: number;
  /** Answers complaint whose label is complaint. */
  complaintPrecision: number;
  /** Opt-outs in the prohibition form answered opt_out. */
  prohibitionRecall: number;
  /** Opt-outs, complaints and possible opt-outs answered opt_out, complaint or confirmed (maybe_opt_out): none ignored. */
  optOutCaught: number;
  /** Opt-outs and possible opt-outs answered with an intent that sends something. */
  optOutsSentSomething: HeldOutExample[];
  /** Answers opt_out or complaint whose label is none of opt_out, complaint, maybe_opt_out. */
  falseOptOuts: HeldOutExample[];
  /** Ordinary refusals and "not now"s (not_interested, callback_later) answered opt_out or maybe_opt_out. */
  refusalsTakenForOptOuts: HeldOutExample[];
  mistakes: { example: HeldOutExample; got: Intent }[];
}

const ratio = (n: number, d: number) => (d ? n / d : 1);

export function evaluate(classifier: OfflineClassifier, examples: HeldOutExample[] = heldOutExamples()): Scores {
  const answers = examples.map((e) => ({ example: e, got: classifier.classify(e.text).intent }));
  const byLanguage: Scores['byLanguage'] = {};
  for (const language of [...new Set(examples.map((e) => e.language))]) {
    const rows = answers.filter((a) => a.example.language === language);
    byLanguage[language] = { total: rows.length, accuracy: ratio(rows.filter((a) => a.got === a.example.intent).length, rows.length) };
  }
  const byIntent: Scores['byIntent'] = {};
  for (const intent of intents) {
    const support = answers.filter((a) => a.example.intent === intent).length;
    const predicted = answers.filter((a) => a.got === intent).length;
    const hit = answers.filter((a) => a.got === intent && a.example.intent === intent).length;
    if (support || predicted) byIntent[intent] = { precision: ratio(hit, predicted), recall: ratio(hit, support), support };
  }
  const optOuts = answers.filter((a) => a.example.intent === 'opt_out');
  const prohibitions = optOuts.filter((a) => a.example.form === 'prohibition');
  const stopped = (i: Intent) => i === 'opt_out' || i === 'complaint';
  const asked = (i: Intent) => stopped(i) || i === 'maybe_opt_out';
  const stops = answers.filter((a) => asked(a.example.intent));
  const complaints = answers.filter((a) => a.example.intent === 'complaint');
  const saidComplaint = answers.filter((a) => a.got === 'complaint');
  return {
    total: examples.length,
    accuracy: ratio(answers.filter((a) => a.got === a.example.intent).length, answers.length),
    byLanguage,
    byIntent,
    optOutRecall: ratio(optOuts.filter((a) => stopped(a.got)).length, optOuts.length),
    complaintRecall: ratio(complaints.filter((a) => a.got === 'complaint').length, complaints.length),
    complaintPrecision: ratio(saidComplaint.filter((a) => a.example.intent === 'complaint').length, saidComplaint.length),
    prohibitionRecall: ratio(prohibitions.filter((a) => a.got === 'opt_out').length, prohibitions.length),
    optOutCaught: ratio(stops.filter((a) => asked(a.got)).length, stops.length),
    optOutsSentSomething: stops.filter((a) => sendingIntents.includes(a.got)).map((a) => a.example),
    falseOptOuts: answers.filter((a) => stopped(a.got) && !asked(a.example.intent)).map((a) => a.example),
    refusalsTakenForOptOuts: answers
      .filter((a) => (a.example.intent === 'not_interested' || a.example.intent === 'callback_later') && asked(a.got))
      .map((a) => a.example),
    mistakes: answers.filter((a) => a.got !== a.example.intent),
  };
}

/** Unit bigrams (with the utterance's start and end) of the canonical text. */
function bigrams(text: string): Set<string> {
  const u = ['^', ...units(normalise(text).text), '$'];
  const out = new Set<string>();
  for (let i = 0; i + 1 < u.length; i++) out.add(`${u[i]} ${u[i + 1]}`);
  return out;
}

/**
 * A lookup of the training utterance closest to a text, and their similarity: the Jaccard
 * index of their canonical unit bigrams (1 = the same words once normalised, folded and converted).
 */
export function closestTraining(training: Example[]): (text: string) => { similarity: number; text: string } {
  const sets = training.map((t) => ({ text: t.text, grams: bigrams(t.text) }));
  return (text) => {
    const mine = bigrams(text);
    let best = { similarity: 0, text: '' };
    for (const t of sets) {
      let shared = 0;
      for (const g of mine) if (t.grams.has(g)) shared++;
      const similarity = shared / (mine.size + t.grams.size - shared);
      if (similarity > best.similarity) best = { similarity, text: t.text };
    }
    return best;
  };
}
