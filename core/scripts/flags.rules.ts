/**
 * When a script draws more complaints than chance explains: its complaint rate's one-sided 95%
 * Wilson lower bound is over the campaign's limit (0.5% by default), over at least a minimum
 * number of chases (200). Wilson rather than the normal approximation because complaint rates are
 * near 0, where the normal interval's bound goes below 0 and says nothing; one-sided because only
 * "too many" is a finding. With the defaults, 3 complaints in 200 chases flag a script
 * (lower bound 0.60%), 2 do not (0.33%); at 1,000 chases it takes 9 (0.52%).
 */
import { z } from 'zod';

/** z for a one-sided 95% bound. */
export const Z_ONE_SIDED_95 = 1.6448536269514722;

export const ScriptFlagSettingsSchema = z.object({
  autoPause: z
    .boolean()
    .default(false)
    .describe(
      'take a flagged script out of matching (the next matching script serves) until its flag is cleared; a contact only the flagged script matches is not chased meanwhile',
    ),
  minChases: z.number().int().min(20).max(1_000_000).default(200).describe('chases of a script before it can be flagged'),
  maxComplaintRate: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.005)
    .describe("a script is flagged when its complaint rate's one-sided 95% Wilson lower bound is over this (default 0.005 = 0.5%)"),
});
export type ScriptFlagSettings = z.infer<typeof ScriptFlagSettingsSchema>;

export const DEFAULT_SCRIPT_FLAG_SETTINGS: ScriptFlagSettings = ScriptFlagSettingsSchema.parse({});

/** The one-sided Wilson score lower bound of `k` successes in `n` trials (0 when n is 0). */
export function wilsonLower(k: number, n: number, z = Z_ONE_SIDED_95): number {
  if (n <= 0) return 0;
  const p = k / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return Math.max(0, (centre - spread) / (1 + z2 / n));
}

export interface ScriptVerdict {
  chases: number;
  complaints: number;
  rate: number;
  lower: number;
  flag: boolean;
}

/** Whether `complaints` in `chases` flag a script under `settings`. */
export function judgeScript(complaints: number, chases: number, settings: ScriptFlagSettings = DEFAULT_SCRIPT_FLAG_SETTINGS): ScriptVerdict {
  const rate = chases ? complaints / chases : 0;
  const lower = wilsonLower(complaints, chases);
  return { chases, complaints, rate, lower, flag: chases >= settings.minChases && lower > settings.maxComplaintRate };
}

const pct = (x: number) => `${(Math.round(x * 10_000) / 100).toString()}%`;

/** Why a script was flagged, in words an operator reads in the API and the console. */
export const flagReason = (v: ScriptVerdict, settings: ScriptFlagSettings): string =>
  `${v.complaints} complaints in ${v.chases} chases (${pct(v.rate)}); the 95% lower bound of its complaint rate, ${pct(v.lower)}, is over ${pct(settings.maxComplaintRate)}`;
