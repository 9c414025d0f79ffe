/**
 * The optimiser's statistics, pure: the Beta sampler draws what jstat says a Beta is, the
 * posteriors' intervals narrow with data, and Thompson sampling with its exploration floor
 * sends most picks to the hour that converts best while still trying the others.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import jStat from 'jstat';
import { seededRandom } from '../common/random.ts';
import { campaignPrior, estimateHours, pickHour, sampleBeta, sampleGamma, type BucketStats } from './hours.ts';

const T = { timeout: 30_000 };

const moments = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, variance: xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1) };
};

describe('the Beta sampler (Marsaglia–Tsang Gamma draws)', () => {
  test('the same seed draws the same numbers; another seed others', T, () => {
    const draw = (seed: number) => {
      const rng = seededRandom(seed);
      return Array.from({ length: 5 }, () => sampleBeta({ alpha: 2, beta: 3 }, rng));
    };
    assert.deepEqual(draw(7), draw(7));
    assert.notDeepEqual(draw(7), draw(8));
  });

  for (const [alpha, beta] of [
    [1, 1],
    [0.4, 0.7],
    [2, 30],
    [50, 450],
    [3.5, 1.2],
  ] as const) {
    test(`Beta(${alpha}, ${beta}) draws have the right mean, variance and quartiles`, T, () => {
      const rng = seededRandom(alpha * 1000 + beta);
      const xs = Array.from({ length: 40_000 }, () => sampleBeta({ alpha, beta }, rng));
      assert.ok(xs.every((x) => x >= 0 && x <= 1));
      const m = moments(xs);
      const mean = jStat.beta.mean(alpha, beta);
      const sd = Math.sqrt(jStat.beta.variance(alpha, beta));
      assert.ok(Math.abs(m.mean - mean) < (4 * sd) / Math.sqrt(xs.length), `mean ${m.mean} vs ${mean}`);
      assert.ok(Math.abs(m.variance / sd ** 2 - 1) < 0.05, `variance ${m.variance} vs ${sd ** 2}`);
      const sorted = [...xs].sort((a, b) => a - b);
      for (const q of [0.1, 0.5, 0.9]) {
        // The share of draws below jstat's quantile is q, within sampling error.
        const below = sorted.findIndex((x) => x > jStat.beta.inv(q, alpha, beta)) / xs.length;
        assert.ok(Math.abs(below - q) < 0.01, `${below} of draws below the ${q} quantile`);
      }
    });
  }

  test('Gamma draws with a small shape stay positive and keep their mean', T, () => {
    const rng = seededRandom(3);
    const xs = Array.from({ length: 40_000 }, () => sampleGamma(0.3, rng));
    assert.ok(xs.every((x) => x >= 0 && Number.isFinite(x)));
    assert.ok(Math.abs(moments(xs).mean - 0.3) < 0.02);
    assert.throws(() => sampleGamma(0, rng), RangeError);
  });
});

const hours = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
/** Every hour converts 2% of calls, except 19:00 at 8%; `n` calls per hour. */
const oneHourBest = (n: number): BucketStats[] =>
  hours.map((hour) => ({ hour, trials: n, connects: Math.round(n * 0.3), conversions: Math.round(n * (hour === 19 ? 0.08 : 0.02)) }));

describe('posteriors', () => {
  test('an hour with no data shows the campaign prior; intervals narrow as calls come in', T, () => {
    const few = oneHourBest(20);
    const many = oneHourBest(2000);
    const prior = campaignPrior(few, 'conversion');
    const [noData] = estimateHours(few, [3], 'conversion', prior);
    assert.ok(Math.abs(noData!.mean - prior.alpha / (prior.alpha + prior.beta)) < 1e-12);
    const width = (stats: BucketStats[]) => {
      const b = estimateHours(stats, [19], 'conversion', campaignPrior(stats, 'conversion'))[0]!;
      assert.ok(b.lower <= b.mean && b.mean <= b.upper);
      return b.upper - b.lower;
    };
    assert.ok(width(many) < width(few) / 5, `${width(many)} vs ${width(few)}`);
    const best = estimateHours(many, [19], 'conversion', campaignPrior(many, 'conversion'))[0]!;
    assert.ok(best.lower < 0.08 && 0.08 < best.upper, JSON.stringify(best));
  });

  test('connect and conversion are read from their own counts; successes never exceed trials', T, () => {
    const stats = [{ hour: 9, trials: 2, connects: 1, conversions: 5 }];
    const prior = { alpha: 1, beta: 1 };
    assert.equal(estimateHours(stats, [9], 'connect', prior)[0]!.mean, 2 / 4);
    assert.equal(estimateHours(stats, [9], 'conversion', prior)[0]!.mean, 3 / 4);
  });
});

describe('Thompson sampling with an exploration floor', () => {
  const picks = (stats: BucketStats[], n: number, seed: number, exploration?: number) => {
    const rng = seededRandom(seed);
    const prior = campaignPrior(stats, 'conversion');
    return Array.from({ length: n }, () => pickHour(stats, hours, 'conversion', prior, rng, exploration));
  };

  test('with data, most picks go to the hour that converts best', T, () => {
    const made = picks(oneHourBest(500), 2000, 11);
    const at19 = made.filter((p) => p.hour === 19).length / made.length;
    assert.ok(at19 > 0.85, `${at19} of picks at 19:00`);
  });

  test('about 10% of picks explore, and exploration reaches the other hours', T, () => {
    const made = picks(oneHourBest(500), 4000, 12);
    const explored = made.filter((p) => p.explored);
    assert.ok(Math.abs(explored.length / made.length - 0.1) < 0.02, `${explored.length} explored`);
    assert.equal(new Set(explored.map((p) => p.hour)).size, hours.length);
    assert.ok(made.filter((p) => p.hour !== 19).length > 200);
  });

  test('without data, picks spread over every allowed hour and only those', T, () => {
    const made = picks([], 2400, 13);
    const counts = new Map<number, number>();
    for (const p of made) counts.set(p.hour, (counts.get(p.hour) ?? 0) + 1);
    assert.deepEqual(
      [...counts.keys()].sort((a, b) => a - b),
      hours,
    );
    for (const n of counts.values()) assert.ok(n > 100 && n < 300, `${n} picks of one hour`);
  });

  test('a pick needs an hour to pick from', T, () => {
    assert.throws(() => pickHour([], [], 'connect', { alpha: 1, beta: 1 }, seededRandom(1)), RangeError);
  });
});
