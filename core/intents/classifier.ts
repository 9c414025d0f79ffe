/**
 * The offline intent classifier: normalise → opt-out rules → n-gram logistic regression.
 * Everything it needs ships in core/intents/data, so nothing is fetched at run time.
 */
import { readFileSync } from 'node:fs';
import { intents, type Intent, type IntentClassifier, type IntentResult } from './intents.ts';
import { trainModel, type Model } from './model.ts';
import { normalise } from './normalise.ts';
import { isOptOut } from './rules.ts';

export interface Example {
  text: string;
  intent: Intent;
}

export interface ClassifierOptions {
  /** Below this top probability the answer is `unknown` (a re-prompt beats a wrong branch). */
  threshold?: number;
  /**
   * opt_out wins from this probability on, even when another intent scores higher: a
   * missed opt-out costs a complaint, a false one only a lost lead.
   */
  optOutFloor?: number;
}

/** The port, answered synchronously (callers inside a TwiML request need no await). */
export interface OfflineClassifier extends IntentClassifier {
  classify(text: string, locale?: string): IntentResult;
}

const RULE_CONFIDENCE = 0.98;
const DEFAULT_THRESHOLD = 0.4;
const DEFAULT_OPT_OUT_FLOOR = 0.4;

/** Parses `{"text","intent"}` lines; a bad line names its number. */
export function parseExamples(jsonl: string, source = 'examples'): Example[] {
  const out: Example[] = [];
  jsonl.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const row = JSON.parse(line) as Partial<Example>;
    if (typeof row.text !== 'string' || !intents.includes(row.intent as Intent)) {
      throw new Error(`${source}:${i + 1}: expected {"text": string, "intent": one of ${intents.join(', ')}}`);
    }
    out.push({ text: row.text, intent: row.intent as Intent });
  });
  return out;
}

/** The labelled utterances shipped with the product (English and Chinese). */
export function builtInExamples(): Example[] {
  return ['en', 'zh'].flatMap((lang) => {
    const url = new URL(`./data/${lang}.jsonl`, import.meta.url);
    return parseExamples(readFileSync(url, 'utf8'), `data/${lang}.jsonl`);
  });
}

/**
 * Trains on `examples` (default: the built-in data) and returns a synchronous classifier.
 * The locale is accepted for the port's sake but not needed: features are chosen by
 * script, so a zh-CN call answered in English (or the reverse) is still understood.
 */
export function createOfflineClassifier(examples: Example[] = builtInExamples(), options: ClassifierOptions = {}): OfflineClassifier {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const optOutFloor = options.optOutFloor ?? DEFAULT_OPT_OUT_FLOOR;
  const model: Model = trainModel(
    examples.map((e) => ({ text: normalise(e.text).text, label: intents.indexOf(e.intent) })),
    intents,
  );
  const optOut = intents.indexOf('opt_out');
  const unknown = intents.indexOf('unknown');

  return {
    classify(text: string): IntentResult {
      const { text: canonical, han } = normalise(text ?? '');
      if (!canonical) return { intent: 'unknown', confidence: 1 };
      if (isOptOut(canonical, han)) return { intent: 'opt_out', confidence: RULE_CONFIDENCE };
      const p = model.predict(canonical);
      if (p[optOut]! >= optOutFloor) return { intent: 'opt_out', confidence: round(p[optOut]!) };
      let best = 0;
      for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
      if (best !== unknown && p[best]! < threshold) return { intent: 'unknown', confidence: round(1 - p[best]!) };
      return { intent: intents[best]!, confidence: round(p[best]!) };
    },
  };
}

const round = (x: number) => Math.round(Math.min(1, Math.max(0, x)) * 1000) / 1000;
