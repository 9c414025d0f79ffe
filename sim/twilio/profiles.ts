// Who answers the phone, and what they say. An outcome profile is drawn once per call,
// at creation, from a seeded generator, so a seeded run places the same calls with the
// same outcomes every time regardless of how the lifecycles interleave afterwards.

export type CallOutcome = 'answered' | 'no-answer' | 'busy' | 'failed';
export type SmsOutcome = 'delivered' | 'undelivered' | 'failed';
export type LineType = 'mobile' | 'landline' | 'nonFixedVoip' | 'fixedVoip' | 'tollFree' | 'unknown';

export interface OutcomeProfile {
  /** Relative weights; they need not sum to 1. */
  outcomes: Partial<Record<CallOutcome, number>>;
  /** Share (0–1) of answered calls picked up by an answering machine. */
  machine?: number;
  /** Share (0–1) of answered calls picked up by a fax. */
  fax?: number;
  /** Seconds of ringing before an answer (or busy), drawn uniformly in [min, max]. */
  ringSeconds?: [number, number];
  /** Relative weights of SMS outcomes; default all delivered. */
  sms?: Partial<Record<SmsOutcome, number>>;
  /** Lookup line type; default from the number's plan (libphonenumber). */
  lineType?: LineType;
  /**
   * Answering machine detection. `unknown`: share (0–1) of answered calls AMD cannot
   * classify (AnsweredBy `unknown` once MachineDetectionTimeout runs out), whoever picked
   * up. `machineEnd`: how a machine's greeting ends under `DetectMessageEnd`
   * (default `machine_end_beep`).
   */
  amd?: { unknown?: number; machineEnd?: 'machine_end_beep' | 'machine_end_silence' | 'machine_end_other' };
  seed?: number;
}

/**
 * A reply to one <Gather>: words, keypresses, or silence (null). `{ text }` is words too;
 * its `bargeIn` (and a `bargeIn` on digits) overrides the persona's for that reply.
 */
export type Utterance = string | { text: string; bargeIn?: boolean } | { digits: string; bargeIn?: boolean } | null;

export interface Persona {
  /** One entry per <Gather>, in order; when it runs out the callee stays silent. */
  script: Utterance[];
  /** Speech recognition confidence reported with each utterance; default 0.92. */
  confidence?: number;
  /**
   * The callee talks over the prompt nested in a <Gather bargeIn="true"> (Twilio's
   * default) instead of waiting for it to end; default false.
   */
  bargeIn?: boolean;
  /** Seconds into the prompt at which a barging callee starts talking; default 1. */
  bargeInAfter?: number;
}

/** The words or keys of a reply, whatever form the script gave it in. */
export function replyOf(u: Utterance): { speech: string } | { digits: string } | null {
  if (u === null) return null;
  if (typeof u === 'string') return { speech: u };
  return 'text' in u ? { speech: u.text } : { digits: u.digits };
}

export const DEFAULT_PROFILE: OutcomeProfile = {
  outcomes: { answered: 1 },
  ringSeconds: [3, 8],
};

/** mulberry32: small, fast, and good enough to make test runs repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pickWeighted<K extends string>(weights: Partial<Record<K, number>>, fallback: K, random: () => number): K {
  const entries = Object.entries(weights) as [K, number][];
  const total = entries.reduce((sum, [, w]) => sum + Math.max(0, w), 0);
  if (total <= 0) return fallback;
  let r = random() * total;
  for (const [key, w] of entries) {
    r -= Math.max(0, w);
    if (r < 0) return key;
  }
  return entries[entries.length - 1]?.[0] ?? fallback;
}

export type Pickup = 'human' | 'machine' | 'fax';

export interface CallDraw {
  outcome: CallOutcome;
  pickup: Pickup;
  ringMs: number;
  /** AMD could not tell who picked up (profile `amd.unknown`). */
  amdUnknown?: boolean;
  /** How a machine's greeting ends (profile `amd.machineEnd`), for DetectMessageEnd. */
  machineEnd?: 'machine_end_beep' | 'machine_end_silence' | 'machine_end_other';
}

export function drawCall(profile: OutcomeProfile, random: () => number): CallDraw {
  const outcome = pickWeighted(profile.outcomes, 'answered', random);
  const [min, max] = profile.ringSeconds ?? DEFAULT_PROFILE.ringSeconds ?? [3, 8];
  const ringMs = Math.round((min + (max - min) * random()) * 1000);
  const r = random();
  const machine = profile.machine ?? 0;
  const pickup: Pickup = r < machine ? 'machine' : r < machine + (profile.fax ?? 0) ? 'fax' : 'human';
  // Drawn only when asked for, so existing seeds keep drawing the same calls.
  const amdUnknown = profile.amd?.unknown ? random() < profile.amd.unknown : undefined;
  const machineEnd = pickup === 'machine' ? profile.amd?.machineEnd : undefined;
  return { outcome, pickup, ringMs, ...(amdUnknown ? { amdUnknown } : {}), ...(machineEnd ? { machineEnd } : {}) };
}
