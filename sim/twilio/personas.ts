// Callees anyone can try from a terminal: named personas (who picks up, what they say),
// chosen by the last digits of the number called, or set per number over the simulator's own
// HTTP control API (`PUT /sim/personas/{E.164}`; see routes in control.ts). A persona here is
// both halves of a callee: the outcome profile (answers, rings out, busy, machine) and the
// script of replies, one per <Gather>.
import { type OutcomeProfile, type Persona, type Utterance } from './profiles.ts';

/** Who (or what) takes the call. */
export const answersKinds = ['human', 'machine', 'no-answer', 'busy', 'failed'] as const;
export type Answers = (typeof answersKinds)[number];

/** A persona as the control API and the `personasBySuffix` option take it. */
export interface PersonaSpec {
  /** What this callee does, in a sentence (shown by GET /sim/personas). */
  description?: string;
  /** Default `human`. `no-answer` rings until the call's Timeout; `machine` is an answering machine. */
  answers?: Answers;
  /** Replies to successive <Gather>s (words, `{ digits }`, or null for silence); then silence. */
  script?: Utterance[];
  /** Speech recognition confidence reported with each reply; default 0.92. */
  confidence?: number;
  /** Talks over prompts that allow barge-in; default false. */
  bargeIn?: boolean;
  /** Seconds of ringing before the answer (or busy): [min, max]; default [2, 5]. */
  ringSeconds?: [number, number];
}

/** The built-in personas, by name. Together they reach every outcome of a call. */
export const BUILT_IN_PERSONAS = {
  'no-answer': { description: 'never answers: the call rings out', answers: 'no-answer' },
  'price-then-yes': { description: 'asks the price, then says yes, send the link', script: ['How much is it?', 'OK, send me the link'] },
  'not-interested': { description: 'is not interested', script: ["No thanks, I'm not interested"] },
  'opt-out': { description: 'says 退订 (unsubscribe): never call or text again', script: ['退订'] },
  machine: { description: 'an answering machine picks up and records what follows the beep', answers: 'machine' },
  'call-back-later': { description: 'is busy and asks to be called back later', script: ["I'm busy right now, call me back later"] },
  'wrong-number': { description: 'says it is the wrong number', script: ["Sorry, you've got the wrong number"] },
  'think-it-over': { description: 'wants to think it over', script: ["I'll think about it"] },
  'wants-a-person': { description: 'asks for a real person', script: ['Can I talk to a real person?'] },
  busy: { description: 'the line is busy', answers: 'busy' },
  silent: { description: 'picks up and says nothing', script: [] },
  'says-yes': { description: 'says yes at once, and presses 1', script: [{ digits: '1' }] },
} satisfies Record<string, PersonaSpec>;

export type BuiltInPersona = keyof typeof BUILT_IN_PERSONAS;

/** `npm start`'s callees: the number's last digit picks the persona. */
export const DEFAULT_PERSONAS_BY_SUFFIX: Record<string, BuiltInPersona> = {
  '0': 'no-answer',
  '1': 'price-then-yes',
  '2': 'not-interested',
  '3': 'opt-out',
  '4': 'machine',
  '5': 'call-back-later',
  '6': 'wrong-number',
  '7': 'think-it-over',
  '8': 'wants-a-person',
  '9': 'busy',
};

/** What the simulator runs a persona as: the outcome profile and the script. */
export function personaParts(spec: PersonaSpec): { profile: OutcomeProfile; persona: Persona } {
  const answers = spec.answers ?? 'human';
  const outcome = answers === 'human' || answers === 'machine' ? 'answered' : answers;
  return {
    profile: { outcomes: { [outcome]: 1 }, machine: answers === 'machine' ? 1 : 0, ringSeconds: spec.ringSeconds ?? [2, 5] },
    persona: {
      script: spec.script ?? [],
      ...(spec.confidence !== undefined ? { confidence: spec.confidence } : {}),
      ...(spec.bargeIn !== undefined ? { bargeIn: spec.bargeIn } : {}),
    },
  };
}

/** A persona given by name (a built-in one) or in full. */
export type PersonaRef = BuiltInPersona | PersonaSpec;

export const resolvePersona = (ref: PersonaRef): PersonaSpec => (typeof ref === 'string' ? BUILT_IN_PERSONAS[ref] : ref);

/** The persona of the longest suffix of `number`'s digits that has one. */
export function personaBySuffix(bySuffix: Record<string, PersonaRef>, number: string): { suffix: string; spec: PersonaSpec } | undefined {
  const digits = number.replace(/\D/g, '');
  const suffix = Object.keys(bySuffix)
    .filter((s) => s.length > 0 && digits.endsWith(s))
    .sort((a, b) => b.length - a.length)[0];
  return suffix === undefined ? undefined : { suffix, spec: resolvePersona(bySuffix[suffix]!) };
}

export class PersonaError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A persona from the control API's JSON: `{ "persona": "<built-in name>" }`, or a PersonaSpec.
 * Anything else is a PersonaError naming the field.
 */
export function parsePersona(body: unknown): PersonaSpec {
  if (!isObject(body)) throw new PersonaError('', 'the body must be a JSON object: {"persona": "<name>"} or {"answers", "script", …}');
  if ('persona' in body) {
    const name = body.persona;
    if (typeof name !== 'string' || !(name in BUILT_IN_PERSONAS)) {
      throw new PersonaError('persona', `must be one of ${Object.keys(BUILT_IN_PERSONAS).join(', ')}`);
    }
    const extra = Object.keys(body).filter((k) => k !== 'persona');
    if (extra.length) throw new PersonaError(extra[0]!, 'give a built-in persona by name alone, or a whole persona without "persona"');
    return BUILT_IN_PERSONAS[name as BuiltInPersona];
  }
  const known = ['description', 'answers', 'script', 'confidence', 'bargeIn', 'ringSeconds'];
  const unknown = Object.keys(body).find((k) => !known.includes(k));
  if (unknown) throw new PersonaError(unknown, `unknown field; a persona has ${known.join(', ')}`);
  const spec: PersonaSpec = {};
  if (body.description !== undefined) {
    if (typeof body.description !== 'string') throw new PersonaError('description', 'must be a string');
    spec.description = body.description;
  }
  if (body.answers !== undefined) {
    if (!answersKinds.includes(body.answers as Answers)) throw new PersonaError('answers', `must be one of ${answersKinds.join(', ')}`);
    spec.answers = body.answers as Answers;
  }
  if (body.script !== undefined) {
    if (!Array.isArray(body.script)) throw new PersonaError('script', 'must be an array of replies: "words", {"digits": "1"} or null');
    spec.script = body.script.map((u, i) => utterance(u, `script.${i}`));
  }
  if (body.confidence !== undefined) {
    if (typeof body.confidence !== 'number' || body.confidence < 0 || body.confidence > 1) throw new PersonaError('confidence', 'must be a number from 0 to 1');
    spec.confidence = body.confidence;
  }
  if (body.bargeIn !== undefined) {
    if (typeof body.bargeIn !== 'boolean') throw new PersonaError('bargeIn', 'must be true or false');
    spec.bargeIn = body.bargeIn;
  }
  if (body.ringSeconds !== undefined) {
    const r = body.ringSeconds;
    if (!Array.isArray(r) || r.length !== 2 || !r.every((n) => typeof n === 'number' && n >= 0 && n <= 600) || r[0] > r[1]) {
      throw new PersonaError('ringSeconds', 'must be [min, max] seconds, 0 to 600');
    }
    spec.ringSeconds = [r[0], r[1]];
  }
  return spec;
}

function utterance(u: unknown, field: string): Utterance {
  if (u === null || typeof u === 'string') return u;
  if (isObject(u) && typeof u.text === 'string') return { text: u.text, ...(typeof u.bargeIn === 'boolean' ? { bargeIn: u.bargeIn } : {}) };
  if (isObject(u) && typeof u.digits === 'string' && /^[0-9*#w]+$/.test(u.digits))
    return { digits: u.digits, ...(typeof u.bargeIn === 'boolean' ? { bargeIn: u.bargeIn } : {}) };
  throw new PersonaError(field, 'a reply is "words", {"text": "words"}, {"digits": "1"} or null (silence)');
}
