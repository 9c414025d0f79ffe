/**
 * The offline intent classifier: normalise → opt-out rules and prohibitions → n-gram
 * logistic regression, whose answer may not send anything to someone who said "don't".
 * Everything it needs ships in core/intents/data, so nothing is fetched at run time.
 */
import { readFileSync } from 'node:fs';
import { intents, sendingIntents, type Intent, type IntentClassifier, type IntentResult } from './intents.ts';
import { trainModel, type Model } from './model.ts';
import { normalise } from './normalise.ts';
import { prohibition } from './prohibition.ts';
import { complaint, isOptOut } from './rules.ts';

export interface Example {
  text: string;
  intent: Intent;
}

export interface ClassifierOptions {
  /** Below this top probability the answer is `unknown` (a re-prompt beats a wrong branch). */
  threshold?: number;
  /**
   * opt_out (or complaint: both stop) wins from this probability on, even when another intent
   * scores higher: a missed opt-out costs a complaint, a false one only a lost lead.
   */
  optOutFloor?: number;
  /**
   * When the model's best answer would send something (interested, reconsider, a price) and
   * opt_out has at least this probability, the call asks first (`maybe_opt_out`).
   */
  doubtFloor?: number;
}

/** The port, answered synchronously (callers answering the carrier mid-call need no await). */
export interface OfflineClassifier extends IntentClassifier {
  classify(text: string, locale?: string): IntentResult;
}

const RULE_CONFIDENCE = 0.98;
const DEFAULT_THRESHOLD = 0.4;
const DEFAULT_OPT_OUT_FLOOR = 0.4;
const DEFAULT_DOUBT_FLOOR = 0.15;
/** The confidence of an answer the guards changed (a callback instead of a link, a question instead of a link). */
const GUARD_CONFIDENCE = 0.7;

/** The intents the model learns; `maybe_opt_out` is only ever the rules' answer. */
export const modelIntents: readonly Intent[] = intents.filter((i) => i !== 'maybe_opt_out');

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

/** The training languages: English, Mandarin (simplified and traditional) and Cantonese, each with code-switched lines. */
export const trainingLanguages = ['en', 'zh', 'yue'] as const;

/** The labelled utterances shipped with the product, by language (default: all of them). */
export function builtInExamples(languages: readonly string[] = trainingLanguages): Example[] {
  return languages.flatMap((lang) => {
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
  const doubtFloor = options.doubtFloor ?? DEFAULT_DOUBT_FLOOR;
  const model: Model = trainModel(
    examples.filter((e) => modelIntents.includes(e.intent)).map((e) => ({ text: normalise(e.text).text, label: modelIntents.indexOf(e.intent) })),
    modelIntents,
  );
  const optOut = modelIntents.indexOf('opt_out');
  const complaintAt = modelIntents.indexOf('complaint');
  const unknown = modelIntents.indexOf('unknown');

  return {
    classify(text: string): IntentResult {
      const { text: canonical, han } = normalise(text ?? '');
      if (!canonical) return { intent: 'unknown', confidence: 1 };
      // A complaint is a request to stop and more: it wins over a bare opt-out.
      const complained = complaint(canonical, han);
      if (complained === 'complaint') return { intent: 'complaint', confidence: RULE_CONFIDENCE };
      if (isOptOut(canonical, han)) return { intent: 'opt_out', confidence: RULE_CONFIDENCE };
      const scope = prohibition(canonical);
      if (scope === 'opt_out') return { intent: 'opt_out', confidence: RULE_CONFIDENCE };
      if (scope === 'possible') return { intent: 'maybe_opt_out', confidence: RULE_CONFIDENCE };
      const p = model.predict(canonical);
      // "I'm not complaining": the word's n-grams do not make it a complaint; the rest is read
      // as the model reads it given that it is not one.
      if (complained === 'negated') {
        const rest = 1 - p[complaintAt]!;
        p[complaintAt] = 0;
        if (rest > 0) for (let c = 0; c < p.length; c++) p[c]! /= rest;
      }
      // "Don't call me now" rules out a time, "don't forget to call me" asks for a call (the rules
      // read no "again" in either): the model's "don't … call" n-grams do not make them opt-outs.
      const read = scope === 'for_now' || scope === 'wanted';
      // Opt-out and complaint both stop the calls: their probabilities together decide whether to stop.
      const stop = p[optOut]! + p[complaintAt]!;
      if (!read && stop >= optOutFloor) {
        return p[complaintAt]! > p[optOut]! ? { intent: 'complaint', confidence: round(stop) } : { intent: 'opt_out', confidence: round(stop) };
      }
      let best = -1;
      for (let c = 0; c < p.length; c++) if (!(read && (c === optOut || c === complaintAt)) && (best < 0 || p[c]! > p[best]!)) best = c;
      if (scope === 'for_now' && (sendingIntents.includes(modelIntents[best]!) || best === unknown || p[best]! < threshold)) {
        return { intent: 'callback_later', confidence: GUARD_CONFIDENCE };
      }
      // The model leans to sending but is not sure this is not a request to stop: ask.
      if (!read && sendingIntents.includes(modelIntents[best]!) && stop >= doubtFloor) return { intent: 'maybe_opt_out', confidence: GUARD_CONFIDENCE };
      if (best !== unknown && p[best]! < threshold) return { intent: 'unknown', confidence: round(1 - p[best]!) };
      return { intent: modelIntents[best]!, confidence: round(p[best]!) };
    },
  };
}

const round = (x: number) => Math.round(Math.min(1, Math.max(0, x)) * 1000) / 1000;
