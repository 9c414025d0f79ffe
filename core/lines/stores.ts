/**
 * The line pool's shared, fast state, as ports: each line's recent call results (the health
 * window) and its calls-per-second bucket. Redis implements them for several processes
 * (connectors/redis), memory for one.
 */
import type { TokenBucket } from '../common/token-bucket.ts';

/**
 * A call's end as far as the line is concerned. Only `failed` (CallStatus failed: the carrier
 * could not place or complete the call) is the line's fault; busy and no-answer are the callee.
 */
export const lineResults = ['answered', 'no-answer', 'busy', 'failed', 'machine'] as const;
export type LineResult = (typeof lineResults)[number];

export interface LineStats {
  sample: number;
  /** Calls a person answered (a machine is not counted: a flagged caller id shows as few answers). */
  answered: number;
  failed: number;
  answerRate: number;
  failureRate: number;
}

export interface LineHealthStore {
  record(lineId: string, result: LineResult, at: Date): Promise<void>;
  /** Counts over the window ending at `now`; every id asked for is in the map (zeros when unknown). */
  stats(lineIds: string[], now: Date): Promise<Map<string, LineStats>>;
  /** Forgets a line's window (a good probe brings it back with a clean slate). */
  reset(lineId: string): Promise<void>;
}

export interface LineStores {
  health: LineHealthStore;
  cps: TokenBucket;
}
