/**
 * The always-valid sequential test behind an experiment's verdict: a mixture sequential
 * probability ratio test (mSPRT, Johari, Koomen, Pekelis & Walsh, "Peeking at A/B tests", KDD
 * 2017) on the difference of conversion rates between each arm and the control (arm 0).
 *
 * Why this test: an experiment is looked at every time someone opens it and every few minutes
 * by the worker. A fixed-horizon test checked that often declares false winners far more often
 * than its alpha; the mSPRT's likelihood ratio is a non-negative martingale under "no
 * difference", so by Ville's inequality it crosses 1/alpha with probability at most alpha
 * *whatever the number of looks* — a winner is declared only when the evidence holds.
 *
 * With the observed difference d = p1 − p0 approximately N(θ, σ²) and a N(0, τ²) mixture over
 * θ, the ratio against θ = 0 is
 *     Λ = sqrt(σ² / (σ² + τ²)) · exp(d² τ² / (2 σ² (σ² + τ²)))
 * σ² is taken under the null (pooled rate, shrunk a little so that zero conversions do not make
 * it zero): that keeps early looks, when few outcomes are in, from overstating the evidence.
 * Comparing k − 1 arms with the control, each comparison is held to alpha / (k − 1)
 * (Bonferroni), so the whole experiment errs with probability at most alpha.
 *
 * Pure: counts in, decision out. Nothing here reads the database or the clock.
 */

export interface ArmCounts {
  /** Chases of the arm whose outcome is known (they ended). */
  chases: number;
  conversions: number;
}

export interface SequentialOptions {
  /** The chance of declaring a winner when the arms convert alike (default 0.05). */
  alpha: number;
  /** No arm is judged before every arm has this many chases with an outcome. */
  minChasesPerArm: number;
  /** The mixture's spread over the difference of rates (default 0.05: differences of a few points). */
  tau?: number;
}

export const DEFAULT_TAU = 0.05;
/** Λ grows without bound with the evidence; it is reported capped, so it stays a JSON number. */
const MAX_REPORTED = 1e12;

export interface Comparison {
  /** Index of the arm compared with the control. */
  arm: number;
  /** Its conversion rate minus the control's. */
  lift: number;
  /** The mixture likelihood ratio (an e-value): evidence against "no difference". */
  likelihoodRatio: number;
  /** Which side the evidence, once enough, favours; null while it is not enough. */
  favours: 'arm' | 'control' | null;
}

export interface Decision {
  /** The winning arm's index, or null: keep going. */
  winner: number | null;
  /** The ratio each comparison must reach: (k − 1) / alpha. */
  threshold: number;
  comparisons: Comparison[];
  /** Why there is no winner yet, for the API to say. */
  waiting: 'min-chases' | 'evidence' | null;
}

const rate = (a: ArmCounts) => (a.chases ? a.conversions / a.chases : 0);

/** log Λ of one arm against the control. */
export function logMixtureRatio(control: ArmCounts, arm: ArmCounts, tau = DEFAULT_TAU): number {
  if (!control.chases || !arm.chases) return 0;
  const d = rate(arm) - rate(control);
  // The pooled rate, with one conversion and one non-conversion added: never exactly 0 or 1.
  const p = (control.conversions + arm.conversions + 1) / (control.chases + arm.chases + 2);
  const variance = p * (1 - p) * (1 / control.chases + 1 / arm.chases);
  const t2 = tau * tau;
  return 0.5 * Math.log(variance / (variance + t2)) + (d * d * t2) / (2 * variance * (variance + t2));
}

/**
 * Compares every arm with the control (arm 0). A winner is declared when
 * - one or more arms beat the control with enough evidence: the best of those (by rate); or
 * - the control beats every other arm with enough evidence: the control.
 * Otherwise there is no winner yet.
 */
export function decide(arms: ArmCounts[], options: SequentialOptions): Decision {
  if (arms.length < 2) throw new Error('an experiment compares at least two arms');
  const comparisons = arms.length - 1;
  const threshold = comparisons / options.alpha;
  const control = arms[0]!;
  const results: Comparison[] = arms.slice(1).map((a, i) => {
    const log = logMixtureRatio(control, a, options.tau ?? DEFAULT_TAU);
    const lift = rate(a) - rate(control);
    const enough = log >= Math.log(threshold);
    return {
      arm: i + 1,
      lift,
      likelihoodRatio: Math.min(MAX_REPORTED, Math.exp(log)),
      favours: enough ? (lift > 0 ? 'arm' : 'control') : null,
    };
  });
  if (arms.some((a) => a.chases < options.minChasesPerArm)) {
    return { winner: null, threshold, comparisons: results.map((r) => ({ ...r, favours: null })), waiting: 'min-chases' };
  }
  const better = results.filter((r) => r.favours === 'arm').sort((a, b) => b.lift - a.lift);
  if (better[0]) return { winner: better[0].arm, threshold, comparisons: results, waiting: null };
  if (results.every((r) => r.favours === 'control')) return { winner: 0, threshold, comparisons: results, waiting: null };
  return { winner: null, threshold, comparisons: results, waiting: 'evidence' };
}
