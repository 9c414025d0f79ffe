/**
 * HubSpot's API limits, kept under by pacing every request through token buckets that all
 * workers share (the Redis TokenBucket in production; memory in one process):
 * - the rolling ten-second limit (100 requests a private app on Free/Starter): 9 a second
 *   with no burst, so no ten seconds hold more than 91;
 * - search's own limit (5 a second): 4 a second with no burst, on top of the ten-second one
 *   (searches count there too);
 * - the daily limit (`dailyLimit`, 250,000 by default): a bucket refilling 95% of it evenly
 *   over 24 hours with a burst of 5% of it. Any 24 hours then hold at most burst + 95% =
 *   the limit, so HubSpot's calendar day (a 24-hour span) cannot be passed whatever the
 *   hour it resets at, and a day's work is spread instead of spent by noon.
 * A short wait (the ten-second buckets, or the daily one while it refills at its steady
 * rate) is slept through; a long one (the daily allowance spent) is not: a RATE_LIMITED
 * error with policyName DAILY and retryAfterMs tells the job when to come back.
 * https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details
 */
import { AppError } from '../../core/errors.ts';
import type { TokenBucket } from '../../core/common/token-bucket.ts';

export const TEN_SECOND_RATE = 9;
export const SEARCH_PER_SECOND = 4;
export const DAILY_DEFAULT = 250_000;
const DAILY_STEADY_SHARE = 0.95;
const DAILY_BURST_SHARE = 0.05;
/** Longer waits than this are handed back to the job queue rather than slept through. */
export const MAX_SLEEP_MS = 10_000;

export type Limit = 'search' | 'api';

export interface PaceOptions {
  limiter: TokenBucket;
  /** The HubSpot account the limits count for (its portal id), part of every key. */
  account: string;
  dailyLimit?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** The daily bucket's rate (tokens a second) and burst for a daily limit. */
export function dailyBucket(dailyLimit: number): { perSecond: number; burst: number } {
  return { perSecond: (dailyLimit * DAILY_STEADY_SHARE) / 86_400, burst: Math.max(1, Math.floor(dailyLimit * DAILY_BURST_SHARE)) };
}

/** Returns `pace(limit)`: resolves when a request may be sent, or throws RATE_LIMITED (DAILY). */
export function hubspotPacer(options: PaceOptions): (limit: Limit) => Promise<void> {
  const { limiter, account } = options;
  const dailyLimit = options.dailyLimit ?? DAILY_DEFAULT;
  const daily = dailyBucket(dailyLimit);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const takeOrSleep = async (key: string, perSecond: number, burst?: number) => {
    for (;;) {
      const wait = await limiter.take(key, perSecond, burst);
      if (!wait) return;
      await sleep(wait);
    }
  };
  return async (limit) => {
    // The daily token first: when the day is spent nothing else is taken.
    for (;;) {
      const wait = await limiter.take(`hubspot:${account}:daily`, daily.perSecond, daily.burst);
      if (!wait) break;
      if (wait > MAX_SLEEP_MS) {
        throw new AppError(
          'RATE_LIMITED',
          `HubSpot's daily API limit (${dailyLimit} requests) is spent for now: the next request may go in ${Math.ceil(wait / 1000)} s`,
          {
            details: { policyName: 'DAILY', retryAfterMs: wait },
          },
        );
      }
      await sleep(wait);
    }
    await takeOrSleep(`hubspot:${account}:ten-seconds`, TEN_SECOND_RATE, 1);
    if (limit === 'search') await takeOrSleep(`hubspot:${account}:search`, SEARCH_PER_SECOND, 1);
  };
}
