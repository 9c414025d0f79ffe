/**
 * The sequential test in simulation: many experiments, each looked at after every batch of
 * outcomes. With a real difference it finds the better arm in most of them; with none it
 * declares a winner in about alpha of them at most, however often it was looked at.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decide, type ArmCounts } from './sequential.ts';
import { cryptoRandom, pickWeighted, seededRandom } from '../common/random.ts';

/** Runs one experiment: chases assigned by weight, converting at the arm's rate, judged every `every` chases. */
function simulate(seed: number, rates: number[], options: { weights?: number[]; maxChases: number; every?: number; alpha?: number; minChasesPerArm?: number }) {
  const random = seededRandom(seed);
  const weights = options.weights ?? rates.map(() => 1);
  const arms: ArmCounts[] = rates.map(() => ({ chases: 0, conversions: 0 }));
  for (let n = 1; n <= options.maxChases; n++) {
    const i = pickWeighted(weights, random);
    arms[i]!.chases++;
    if (random() < rates[i]!) arms[i]!.conversions++;
    if (n % (options.every ?? 20) === 0) {
      const d = decide(arms, { alpha: options.alpha ?? 0.05, minChasesPerArm: options.minChasesPerArm ?? 50 });
      if (d.winner !== null) return { winner: d.winner, chases: n };
    }
  }
  return { winner: null, chases: options.maxChases };
}

const seeds = (n: number) => Array.from({ length: n }, (_, i) => 1000 + i);

describe('the sequential test, in simulation over many seeds', { timeout: 60_000 }, () => {
  test('10% against 20%: the better arm wins in most experiments, and the worse one (almost) never', () => {
    const runs = seeds(200).map((s) => simulate(s, [0.1, 0.2], { maxChases: 3000 }));
    const better = runs.filter((r) => r.winner === 1).length;
    const worse = runs.filter((r) => r.winner === 0).length;
    assert.ok(better >= 180, `the better arm won ${better} of 200`);
    assert.ok(worse <= 2, `the worse arm won ${worse} of 200`);
    const median = runs.map((r) => r.chases).sort((a, b) => a - b)[100]!;
    assert.ok(median < 1500, `decided after a median of ${median} chases`);
  });

  test('the control better than the challenger: the control wins', () => {
    const runs = seeds(100).map((s) => simulate(s, [0.25, 0.1], { maxChases: 3000 }));
    assert.ok(runs.filter((r) => r.winner === 0).length >= 90);
  });

  test('no difference, looked at every 20 chases: a winner in at most 2 × alpha of 200 experiments', () => {
    for (const rate of [0.1, 0.3]) {
      const runs = seeds(200).map((s) => simulate(s + 7, [rate, rate], { maxChases: 4000 }));
      const declared = runs.filter((r) => r.winner !== null).length;
      assert.ok(declared <= 20, `at ${rate}: ${declared} of 200 declared a winner`);
    }
  });

  test('three arms, none different: the Bonferroni split keeps the whole experiment within alpha', () => {
    const runs = seeds(200).map((s) => simulate(s + 13, [0.15, 0.15, 0.15], { maxChases: 4500 }));
    const declared = runs.filter((r) => r.winner !== null).length;
    assert.ok(declared <= 20, `${declared} of 200 declared a winner`);
  });

  test('three arms, one better: it is the one chosen; unequal weights do not break the test', () => {
    const runs = seeds(100).map((s) => simulate(s, [0.1, 0.1, 0.22], { weights: [2, 1, 1], maxChases: 6000 }));
    assert.ok(runs.filter((r) => r.winner === 2).length >= 85, 'the better arm wins most');
    assert.ok(runs.filter((r) => r.winner === 1).length <= 2, 'the equal arm almost never');
  });

  test('no verdict before every arm has its minimum of outcomes, however lopsided', () => {
    const d = decide(
      [
        { chases: 40, conversions: 0 },
        { chases: 40, conversions: 40 },
      ],
      { alpha: 0.05, minChasesPerArm: 50 },
    );
    assert.equal(d.winner, null);
    assert.equal(d.waiting, 'min-chases');
    const after = decide(
      [
        { chases: 50, conversions: 0 },
        { chases: 50, conversions: 50 },
      ],
      { alpha: 0.05, minChasesPerArm: 50 },
    );
    assert.equal(after.winner, 1);
    assert.ok(Number.isFinite(after.comparisons[0]!.likelihoodRatio) && after.comparisons[0]!.likelihoodRatio >= after.threshold);
  });

  test('production draws (crypto) are uniform in [0, 1)', () => {
    const draws = Array.from({ length: 20_000 }, cryptoRandom);
    assert.ok(draws.every((x) => x >= 0 && x < 1));
    assert.ok(Math.abs(draws.reduce((s, x) => s + x, 0) / draws.length - 0.5) < 0.01);
  });

  test('weighted picks follow the weights', () => {
    const random = seededRandom(42);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[pickWeighted([1, 2, 3], random)]!++;
    counts.forEach((c, i) => assert.ok(Math.abs(c / 30_000 - (i + 1) / 6) < 0.01, `arm ${i}: ${c}`));
  });
});
