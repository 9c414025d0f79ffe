/**
 * Randomness for the decisions that draw: experiment arms and the optimiser's hours. The
 * operating system's (crypto) in production, so nobody can predict or steer an assignment; a
 * seeded generator in tests and simulations, so a distribution can be checked without flakiness.
 */
import { randomInt } from 'node:crypto';

/** A uniform number in [0, 1). */
export type Random = () => number;

// randomInt's range must be under 2^48.
const STEPS = 2 ** 47;
export const cryptoRandom: Random = () => randomInt(0, STEPS) / STEPS;

/** mulberry32: small, fast and good enough for simulations; never for production assignment. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The index of the arm drawn, each with probability weight / total weight. */
export function pickWeighted(weights: number[], random: Random): number {
  const total = weights.reduce((s, w) => s + w, 0);
  let x = random() * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i]!;
    if (x < 0) return i;
  }
  return weights.length - 1;
}
