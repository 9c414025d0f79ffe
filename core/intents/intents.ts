/** What a callee's answer means to a chase, and the port a classifier implements. */
export const intents = ['opt_out', 'not_interested', 'reconsider', 'price_question', 'human', 'interested', 'wrong_number', 'callback_later', 'unknown'] as const;
export type Intent = (typeof intents)[number];

export interface IntentResult {
  intent: Intent;
  /** 0..1 */
  confidence: number;
}

/** Pluggable: an LLM or a cloud NLU can implement this instead of the offline classifier. */
export interface IntentClassifier {
  classify(text: string, locale?: string): IntentResult | Promise<IntentResult>;
}
