// The memory CPS bucket: whatever the pattern of takes, no 1-second window gets more than
// rate + burst calls, a steady caller gets the rate, and the wait it is told is honest.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { defaultBurst, memoryTokenBucket } from './token-bucket.ts';

describe('memory token bucket', () => {
  test('property: never more than rate + burst in any 1-second window, never more than burst + rate × elapsed in all', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: 0.5, max: 50, noNaN: true }),
        fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 300 }),
        async (rate, burstGiven, gaps) => {
          let now = 0;
          const bucket = memoryTokenBucket(() => now);
          const burst = burstGiven ?? defaultBurst(rate);
          const taken: number[] = [];
          for (const gap of gaps) {
            now += gap;
            const wait = await bucket.take('k', rate, burstGiven);
            assert.ok(wait >= 0 && Number.isInteger(wait));
            if (wait === 0) taken.push(now);
          }
          for (let i = 0; i < taken.length; i++) {
            const inWindow = taken.filter((t) => t >= taken[i]! && t < taken[i]! + 1000).length;
            assert.ok(inWindow <= rate + burst, `${inWindow} calls in one second at rate ${rate}, burst ${burst}`);
          }
          assert.ok(taken.length <= burst + (rate * now) / 1000 + 1e-9);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('property: after being told to wait w ms, the next take at +w succeeds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.double({ min: 0.2, max: 100, noNaN: true }), fc.integer({ min: 1, max: 30 }), async (rate, drain) => {
        let now = 1_000_000;
        const bucket = memoryTokenBucket(() => now);
        let wait = 0;
        for (let i = 0; i < drain && wait === 0; i++) wait = await bucket.take('k', rate);
        if (wait === 0) return;
        now += wait - 1;
        if (wait > 1) assert.notEqual(await bucket.take('k', rate), 0, 'not a millisecond early');
        now += 1;
        assert.equal(await bucket.take('k', rate), 0);
      }),
      { numRuns: 300 },
    );
  });

  test('a steady caller at 5 cps over 10 simulated seconds gets 5 + 50 calls; keys do not share', async () => {
    let now = 0;
    const bucket = memoryTokenBucket(() => now);
    let calls = 0;
    while (now <= 10_000) {
      const wait = await bucket.take('a', 5);
      if (wait === 0) calls++;
      now += wait === 0 ? 0 : wait;
    }
    assert.equal(calls, 5 + 50);
    assert.equal(await bucket.take('b', 5), 0, 'another line has its own bucket');
    await assert.rejects(bucket.take('c', 0), RangeError);
  });

  test('on the real clock, 2 cps for ~1.5 s allows burst 2 + about 3', async () => {
    const bucket = memoryTokenBucket();
    const start = Date.now();
    let calls = 0;
    while (Date.now() - start < 1500) {
      const wait = await bucket.take('real', 2);
      if (wait === 0) calls++;
      else await new Promise((r) => setTimeout(r, wait));
    }
    assert.ok(calls >= 4 && calls <= 5, `${calls} calls`);
  });
});
