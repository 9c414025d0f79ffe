/**
 * The line pool's stores for this process: Redis when a URL is given (any number of api and
 * worker processes share them), memory otherwise (one process only). Here rather than in
 * core/ because core/ imports no vendor SDK.
 */
import { Redis } from 'ioredis';
import { memoryTokenBucket } from '../../core/common/token-bucket.ts';
import { memoryHealthStore, type HealthWindow } from '../../core/lines/health.ts';
import type { LineStores } from '../../core/lines/stores.ts';
import { redisHealthStore, redisTokenBucket } from './lines.ts';

export { redisHealthStore, redisTokenBucket } from './lines.ts';

export interface LineStoresOptions extends HealthWindow {
  redisUrl?: string;
  /** Key prefix in Redis (default `chaseline:`). */
  prefix?: string;
}

export function createLineStores(options: LineStoresOptions = {}): LineStores & { kind: 'redis' | 'memory'; close(): Promise<void> } {
  const window = { windowMs: options.windowMs, bucketMs: options.bucketMs };
  if (!options.redisUrl) {
    return { kind: 'memory', health: memoryHealthStore(window), cps: memoryTokenBucket(), close: async () => undefined };
  }
  // Fail a call fast rather than queue it forever: a worker waiting on Redis holds its chase.
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 2 });
  redis.on('error', () => undefined); // reconnects by itself; each command's own error reaches its caller
  const prefix = options.prefix ?? 'chaseline:';
  return {
    kind: 'redis',
    health: redisHealthStore(redis, { prefix, ...window }),
    cps: redisTokenBucket(redis, { prefix }),
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
