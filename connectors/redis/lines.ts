/**
 * The line pool's shared state in Redis, for many api/worker processes: per-line CPS token
 * buckets and health windows. Each mutation is one Lua script, so concurrent workers never
 * interleave a read and a write; the bucket reads Redis's own clock (TIME), so workers'
 * clocks need not agree.
 */
import type { Redis } from 'ioredis';
import { defaultBurst, type TokenBucket } from '../../core/common/token-bucket.ts';
import { DEFAULT_BUCKET_MS, DEFAULT_WINDOW_MS, firstBucket, statsOf, type HealthWindow } from '../../core/lines/health.ts';
import { lineResults, type LineHealthStore, type LineResult, type LineStats } from '../../core/lines/stores.ts';

export interface RedisStoreOptions {
  /** Prepended to every key (tests isolate themselves with a random one). Default `chaseline:`. */
  prefix?: string;
}

// Refill for the time elapsed on Redis's clock, then take a token or answer the wait in ms.
// The same arithmetic as takeToken() in core/common/token-bucket.ts. Redis ≥ 5 replicates a script's
// effects, so calling TIME before writing is allowed.
const TAKE = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local s = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = burst
if s[1] then
  local elapsed = math.max(0, now - tonumber(s[2]))
  tokens = math.min(burst, tonumber(s[1]) + elapsed * rate / 1000)
end
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.max(1, math.ceil((1 - tokens) * 1000 / rate))
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'at', string.format('%.3f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return wait
`;

// Counts live in one hash per line, field `{bucket}:{result}`; buckets older than the window
// are dropped as new results arrive, and the whole hash expires once the line falls silent.
const RECORD = `
redis.call('HINCRBY', KEYS[1], ARGV[1] .. ':' .. ARGV[2], 1)
local first = tonumber(ARGV[3])
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  local b = tonumber(string.match(field, '^(-?%d+):'))
  if b and b < first then redis.call('HDEL', KEYS[1], field) end
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

type Scripted = Redis & {
  chaselineTakeToken(key: string, perSecond: number, burst: number): Promise<number>;
  chaselineRecordLine(key: string, bucket: number, result: string, first: number, ttlMs: number): Promise<number>;
};

/** defineCommand sends EVALSHA and falls back to EVAL once per connection. */
function scripted(redis: Redis): Scripted {
  const r = redis as Scripted;
  if (typeof r.chaselineTakeToken !== 'function') redis.defineCommand('chaselineTakeToken', { numberOfKeys: 1, lua: TAKE });
  if (typeof r.chaselineRecordLine !== 'function') redis.defineCommand('chaselineRecordLine', { numberOfKeys: 1, lua: RECORD });
  return r;
}

export function redisTokenBucket(redis: Redis, options: RedisStoreOptions = {}): TokenBucket {
  const prefix = options.prefix ?? 'chaseline:';
  const r = scripted(redis);
  return {
    async take(key, perSecond, burst = defaultBurst(perSecond)) {
      if (!(perSecond > 0)) throw new RangeError('perSecond must be more than 0');
      return Number(await r.chaselineTakeToken(`${prefix}cps:${key}`, perSecond, burst));
    },
  };
}

export function redisHealthStore(redis: Redis, options: RedisStoreOptions & HealthWindow = {}): LineHealthStore {
  const prefix = options.prefix ?? 'chaseline:';
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const bucketMs = options.bucketMs ?? DEFAULT_BUCKET_MS;
  const key = (lineId: string) => `${prefix}health:${lineId}`;
  const r = scripted(redis);
  return {
    async record(lineId, result, at) {
      const bucket = Math.floor(at.getTime() / bucketMs);
      await r.chaselineRecordLine(key(lineId), bucket, result, firstBucket(at, windowMs, bucketMs), windowMs + bucketMs);
    },
    async stats(lineIds, now) {
      const out = new Map<string, LineStats>();
      if (!lineIds.length) return out;
      const first = firstBucket(now, windowMs, bucketMs);
      const last = Math.floor(now.getTime() / bucketMs);
      const pipeline = redis.pipeline();
      for (const id of lineIds) pipeline.hgetall(key(id));
      const replies = (await pipeline.exec()) ?? [];
      lineIds.forEach((id, i) => {
        const [err, hash] = replies[i] ?? [null, {}];
        if (err) throw err;
        const counts: Partial<Record<LineResult, number>> = {};
        for (const [field, n] of Object.entries((hash ?? {}) as Record<string, string>)) {
          const [b, result] = field.split(':') as [string, LineResult];
          const bucket = Number(b);
          if (bucket < first || bucket > last || !lineResults.includes(result)) continue;
          counts[result] = (counts[result] ?? 0) + Number(n);
        }
        out.set(id, statsOf(counts));
      });
      return out;
    },
    async reset(lineId) {
      await redis.del(key(lineId));
    },
  };
}
