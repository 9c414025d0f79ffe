/**
 * Which local hour to call in, learnt from outcomes (pure: no database, no clock).
 *
 * Each hour bucket has a Beta posterior over its success rate per placed call — a person
 * answering (`connect`) or the campaign's goal reached (`conversion`). Conversion is counted
 * per call rather than as connect × conversion-given-connect because a conversion can follow a
 * call nobody answered (a link clicked after the SMS the unanswered call led to); per call,
 * both factors are in one rate and successes never exceed trials.
 *
 * Thompson sampling draws one rate per bucket from its posterior and picks the highest, so an
 * hour is chosen as often as it is likely to be the best. A floor of exploration (10% of picks
 * uniform over the allowed hours) keeps learning about hours that fell behind early, and every
 * bucket starts from a weak prior centred on the campaign's own rate, so an hour with little
 * data is drawn around the campaign's average instead of around 50%.
 */
import jStat from 'jstat';

export const optimiseTargets = ['conversion', 'connect'] as const;
export type Optimise = (typeof optimiseTargets)[number];

export interface BucketStats {
  hour: number;
  trials: number;
  connects: number;
  conversions: number;
}

export interface Beta {
  alpha: number;
  beta: number;
}

/** Share of picks made uniformly over the allowed hours, whatever the data says. */
export const EXPLORATION = 0.1;
/** How many calls' worth of weight the campaign-wide prior carries in each bucket. */
const PRIOR_STRENGTH = 2;

/** A standard normal draw (Marsaglia's polar method). */
function normal(rng: () => number): number {
  for (;;) {
    const u = 2 * rng() - 1;
    const v = 2 * rng() - 1;
    const s = u * u + v * v;
    if (s > 0 && s < 1) return u * Math.sqrt((-2 * Math.log(s)) / s);
  }
}

/** A Gamma(shape, 1) draw: Marsaglia and Tsang (2000); shapes below 1 are boosted by one and scaled back. */
export function sampleGamma(shape: number, rng: () => number): number {
  if (!(shape > 0)) throw new RangeError(`gamma shape must be positive, got ${shape}`);
  if (shape < 1) return sampleGamma(shape + 1, rng) * Math.pow(1 - rng(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng(); // (0, 1]: the log below stays finite
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A Beta(alpha, beta) draw, as X / (X + Y) of two Gamma draws. */
export function sampleBeta({ alpha, beta }: Beta, rng: () => number): number {
  const x = sampleGamma(alpha, rng);
  const y = sampleGamma(beta, rng);
  return x / (x + y);
}

const successes = (b: Pick<BucketStats, 'connects' | 'conversions'>, optimise: Optimise) => (optimise === 'connect' ? b.connects : b.conversions);

/**
 * The prior every bucket starts from: the campaign's own rate over all its buckets (with one
 * success and one failure added, so a campaign with no data yet starts at 50%), carrying the
 * weight of PRIOR_STRENGTH calls.
 */
export function campaignPrior(all: BucketStats[], optimise: Optimise): Beta {
  const trials = all.reduce((n, b) => n + b.trials, 0);
  const wins = Math.min(
    trials,
    all.reduce((n, b) => n + successes(b, optimise), 0),
  );
  const mean = (wins + 1) / (trials + 2);
  return { alpha: mean * PRIOR_STRENGTH, beta: (1 - mean) * PRIOR_STRENGTH };
}

/** A bucket's posterior: the prior plus its successes and failures (never fewer than none). */
export function posterior(b: BucketStats | undefined, optimise: Optimise, prior: Beta): Beta {
  const trials = b?.trials ?? 0;
  const wins = Math.min(trials, b ? successes(b, optimise) : 0);
  return { alpha: prior.alpha + wins, beta: prior.beta + (trials - wins) };
}

export interface BucketEstimate extends BucketStats {
  /** Posterior mean rate per call. */
  mean: number;
  /** 95% credible interval (2.5% and 97.5% posterior quantiles). */
  lower: number;
  upper: number;
}

/** Each allowed hour's counts and posterior summary, in hour order; an hour with no data shows its prior. */
export function estimateHours(stats: BucketStats[], hours: number[], optimise: Optimise, prior: Beta): BucketEstimate[] {
  const byHour = new Map(stats.map((b) => [b.hour, b]));
  return [...hours]
    .sort((a, b) => a - b)
    .map((hour) => {
      const b = byHour.get(hour);
      const p = posterior(b, optimise, prior);
      return {
        hour,
        trials: b?.trials ?? 0,
        connects: b?.connects ?? 0,
        conversions: b?.conversions ?? 0,
        mean: p.alpha / (p.alpha + p.beta),
        lower: jStat.beta.inv(0.025, p.alpha, p.beta),
        upper: jStat.beta.inv(0.975, p.alpha, p.beta),
      };
    });
}

export interface HourPick {
  hour: number;
  /** Picked by the exploration floor, not by the posteriors. */
  explored: boolean;
}

/**
 * One Thompson-sampling pick among `hours` (those the chase can still be called in): with
 * probability `exploration` a uniform pick, otherwise the hour whose posterior draw is highest.
 */
export function pickHour(stats: BucketStats[], hours: number[], optimise: Optimise, prior: Beta, rng: () => number, exploration = EXPLORATION): HourPick {
  if (!hours.length) throw new RangeError('pickHour needs at least one hour to pick from');
  if (rng() < exploration) return { hour: hours[Math.floor(rng() * hours.length)]!, explored: true };
  const byHour = new Map(stats.map((b) => [b.hour, b]));
  let best = hours[0]!;
  let bestDraw = -1;
  for (const hour of hours) {
    const draw = sampleBeta(posterior(byHour.get(hour), optimise, prior), rng);
    if (draw > bestDraw) {
      best = hour;
      bestDraw = draw;
    }
  }
  return { hour: best, explored: false };
}
