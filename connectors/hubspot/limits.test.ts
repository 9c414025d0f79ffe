// The pacing arithmetic on a clock the test drives: the daily bucket spreads a day's
// allowance (short waits slept through), and a spent day is handed back to the job.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../core/errors.ts';
import { memoryTokenBucket } from '../../core/common/token-bucket.ts';
import { dailyBucket, hubspotPacer } from './limits.ts';

function clock() {
  let now = 0;
  const slept: number[] = [];
  return { now: () => now, sleep: async (ms: number) => void (slept.push(ms), (now += ms)), slept };
}

test('the daily bucket: 95% of the limit spread over 24 hours, 5% as a burst, so no 24 hours pass the limit', () => {
  const { perSecond, burst } = dailyBucket(250_000);
  assert.equal(burst, 12_500);
  assert.ok(Math.abs(perSecond - 2.7488) < 0.001);
  assert.ok(burst + perSecond * 86_400 <= 250_000);
  assert.deepEqual(dailyBucket(10), { perSecond: (10 * 0.95) / 86_400, burst: 1 });
});

test('past the burst, requests go at the daily rate: short waits are slept through', async () => {
  const c = clock();
  // 20,000 a day: a burst of 1,000, then one every ~4.5 s (under the 10 s slept through).
  const pace = hubspotPacer({ limiter: memoryTokenBucket(c.now), account: 'a', dailyLimit: 20_000, sleep: c.sleep });
  while (!c.slept.some((ms) => ms > 1_000)) await pace('api');
  const start = c.now();
  for (let i = 0; i < 10; i++) await pace('api');
  const perRequest = (c.now() - start) / 10;
  assert.ok(Math.abs(perRequest - 86_400_000 / (20_000 * 0.95)) < 50, `one every ~4.5 s (${perRequest} ms)`);
});

test('a spent day is RATE_LIMITED DAILY with when to come back, and takes no ten-second token', async () => {
  const c = clock();
  const takes: string[] = [];
  const bucket = memoryTokenBucket(c.now);
  const limiter = { take: (key: string, perSecond: number, burst?: number) => (takes.push(key), bucket.take(key, perSecond, burst)) };
  const pace = hubspotPacer({ limiter, account: 'a', dailyLimit: 40, sleep: c.sleep });
  await pace('search');
  await pace('api');
  takes.length = 0;
  const err = await pace('api').then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(err instanceof AppError && err.code === 'RATE_LIMITED');
  assert.equal(err.details?.policyName, 'DAILY');
  assert.ok(Number(err.details?.retryAfterMs) > 30 * 60_000, 'about 38 minutes at 40 a day');
  assert.deepEqual(takes, ['hubspot:a:daily']);
});
