// A worker process for connectors/redis/lines.test.ts: connects, prints `ready`, reads
// `startAt endAt` (epoch ms) on stdin, takes tokens from one Redis bucket in that span and
// prints the times it got one, as JSON. The handshake lets both processes start together
// however long each took to boot.
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { redisTokenBucket } from './lines.ts';

const [url, prefix, key, cps] = process.argv.slice(2) as [string, string, string, string];
const redis = new Redis(url);
const bucket = redisTokenBucket(redis, { prefix });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
await redis.ping();
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
const [startAt, endAt] = (await new Promise<string>((resolve) => lines.once('line', resolve))).split(' ').map(Number) as [number, number];
lines.close();
const taken: number[] = [];
await sleep(Math.max(0, startAt - Date.now()));
while (Date.now() < endAt) {
  const wait = await bucket.take(key, Number(cps));
  if (wait === 0) taken.push(Date.now());
  // Two workers polling at once: a little jitter so they do not wake in lockstep.
  else await sleep(Math.min(wait + Math.random() * 5, Math.max(0, endAt - Date.now())));
}
process.stdout.write(`${JSON.stringify(taken)}\n`);
await redis.quit();
