/**
 * Failed authentication, limited per client address: after `points` failures in
 * `durationSeconds` the address gets 429 (RATE_LIMITED, Retry-After) on everything that
 * authenticates — REST, tRPC, uploads, exports, /metrics — until the window ends. The count
 * lives in Redis when configured, so every API process sees the same one, else in memory.
 *
 * Only presented credentials that fail are counted (a request without an Authorization header
 * guesses nothing), and success costs nothing. A blocked address is refused whatever key it
 * sends: answering a right key normally would turn the 429 into an oracle for guessing.
 */
import type { Request } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../../core/errors.ts';

export interface AuthLimitOptions {
  /** Shared with the other API processes; without it the count is this process's own. */
  redis?: Redis;
  /** Namespace of the Redis keys (tests give each app its own). */
  keyPrefix?: string;
  /** Failures allowed per address and window; default 20. */
  points?: number;
  /** The window; default 60 s. */
  durationSeconds?: number;
}

export interface AuthLimiter {
  /** Throws RATE_LIMITED while `client` has no failures left. */
  check(client: string): Promise<void>;
  /** Counts one failure of `client`; throws RATE_LIMITED when it was one too many. */
  failed(client: string): Promise<void>;
}

const rateLimited = (msBeforeNext: number) => {
  const retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new AppError('RATE_LIMITED', `too many failed authentications from this address: try again in ${retryAfterSeconds} s`, {
    field: 'Authorization',
    details: { retryAfterSeconds },
  });
};

export function createAuthLimiter(options: AuthLimitOptions = {}): AuthLimiter {
  const points = options.points ?? 20;
  const common = { keyPrefix: options.keyPrefix ?? 'chaseline:auth-failures', points, duration: options.durationSeconds ?? 60 };
  // Redis unreachable: counted in memory meanwhile rather than failing every request with a 500.
  const limiter: RateLimiterAbstract = options.redis
    ? new RateLimiterRedis({ ...common, storeClient: options.redis, insuranceLimiter: new RateLimiterMemory(common) })
    : new RateLimiterMemory(common);
  return {
    async check(client) {
      const state = await limiter.get(client);
      if (state && state.consumedPoints >= points) throw rateLimited(state.msBeforeNext);
    },
    async failed(client) {
      try {
        await limiter.consume(client);
      } catch (err) {
        if (err instanceof RateLimiterRes) throw rateLimited(err.msBeforeNext);
        throw err;
      }
    },
  };
}

/**
 * Runs `attempt` (an authentication) for `req` under its address's failure limit, with the
 * app's limiter (app.locals.authLimiter); a 429 carries Retry-After.
 */
export async function limitFailures<T>(req: Request, attempt: () => Promise<T>): Promise<T> {
  const limiter = req.app?.locals.authLimiter as AuthLimiter | undefined;
  if (!limiter) return attempt();
  // req.ip honours the app's 'trust proxy': the real client behind a trusted proxy.
  const client = req.ip ?? req.socket.remoteAddress ?? 'unknown';
  try {
    await limiter.check(client);
    try {
      return await attempt();
    } catch (err) {
      const presented = req.get('authorization') !== undefined;
      if (presented && err instanceof AppError && err.code === 'UNAUTHENTICATED') await limiter.failed(client);
      throw err;
    }
  } catch (err) {
    if (err instanceof AppError && err.code === 'RATE_LIMITED') req.res?.setHeader('Retry-After', String(err.details?.retryAfterSeconds ?? 60));
    throw err;
  }
}
