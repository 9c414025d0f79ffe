/**
 * A token bucket: requests per second per key, shared by every worker (Redis, in
 * connectors/redis/lines.ts) or, in a single process, this memory one. Lines use it for their
 * calls per second (carriers refuse calls over a line's CPS, so we pace first) and CRM
 * connectors for their vendors' rate limits.
 */

export interface TokenBucket {
  /**
   * Takes one token from `key`'s bucket, which refills at `perSecond` up to `burst` tokens
   * (default max(1, perSecond)). Returns 0 when a token was taken; otherwise how many
   * milliseconds until one will be there, and nothing is taken.
   */
  take(key: string, perSecond: number, burst?: number): Promise<number>;
}

export const defaultBurst = (perSecond: number) => Math.max(1, perSecond);

/**
 * One bucket step, shared by the memory bucket and its tests (the Redis script is the same
 * arithmetic in Lua): refill for the time elapsed, then take a token or say how long to wait.
 */
export function takeToken(
  state: { tokens: number; at: number } | undefined,
  nowMs: number,
  perSecond: number,
  burst: number,
): { state: { tokens: number; at: number }; waitMs: number } {
  const elapsed = state ? Math.max(0, nowMs - state.at) : 0;
  const tokens = state ? Math.min(burst, state.tokens + (elapsed * perSecond) / 1000) : burst;
  if (tokens >= 1) return { state: { tokens: tokens - 1, at: nowMs }, waitMs: 0 };
  return { state: { tokens, at: nowMs }, waitMs: Math.max(1, Math.ceil(((1 - tokens) * 1000) / perSecond)) };
}

/** One process only. `now` is injectable so tests can drive time. */
export function memoryTokenBucket(now: () => number = () => performance.timeOrigin + performance.now()): TokenBucket {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    async take(key, perSecond, burst = defaultBurst(perSecond)) {
      if (!(perSecond > 0)) throw new RangeError('perSecond must be more than 0');
      const step = takeToken(buckets.get(key), now(), perSecond, burst);
      buckets.set(key, step.state);
      return step.waitMs;
    },
  };
}
