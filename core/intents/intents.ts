/**
 * What a callee's answer means to a chase, and the port a classifier implements.
 * `complaint` is an opt-out that also reports us ("I'll report you", "再打我就投诉"): the call
 * apologises, stops every channel and counts a complaint against the script.
 * `maybe_opt_out` is an answer that may be a request to stop ("don't send me anything"):
 * the call asks before anything else happens.
 */
export const intents = [
  'opt_out',
  'complaint',
  'not_interested',
  'reconsider',
  'price_question',
  'human',
  'interested',
  'wrong_number',
  'callback_later',
  'unknown',
  'maybe_opt_out',
] as const;
export type Intent = (typeof intents)[number];

/** Intents after which the call sends something (the link, the details): never an answer to "stop". */
export const sendingIntents: readonly Intent[] = ['interested', 'reconsider', 'price_question'];

export interface IntentResult {
  intent: Intent;
  /** 0..1 */
  confidence: number;
}

/** Pluggable: an LLM or a cloud NLU can implement this instead of the offline classifier. */
export interface IntentClassifier {
  classify(text: string, locale?: string): IntentResult | Promise<IntentResult>;
}
