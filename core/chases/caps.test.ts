// Frequency caps as a pure function of the number's recent attempts: per-day cap over any 24
// hours, the gap between calls, and the refusal cooldown that binds every channel.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { callInFlight, capsBlockUntil, type PhoneAttempt } from './caps.ts';

const H = 3_600_000;
const caps = { callsPerDay: 2, minHoursBetweenCalls: 6, refusalCooldownDays: 7 };
const now = new Date('2026-03-10T12:00:00Z');
const call = (hoursAgo: number, extra: Partial<PhoneAttempt> = {}): PhoneAttempt => ({
  channel: 'voice',
  status: 'completed',
  outcome: 'no-answer',
  createdAt: now.getTime() - hoursAgo * H,
  endedAt: null,
  ...extra,
});

test('no attempts: nothing blocks', () => {
  assert.equal(capsBlockUntil([], 'voice', caps, now), null);
});

test('the last call 2 hours ago blocks calls for 4 more hours, but not an SMS', () => {
  assert.equal(capsBlockUntil([call(2)], 'voice', caps, now)?.getTime(), now.getTime() + 4 * H);
  assert.equal(capsBlockUntil([call(2)], 'sms', caps, now), null);
});

test('two calls in the last 24 hours block until the older one is 24 hours old', () => {
  const until = capsBlockUntil([call(7), call(20)], 'voice', caps, now);
  assert.equal(until?.getTime(), now.getTime() + 4 * H);
});

test('a refusal keeps every channel away for 7 days from when it ended', () => {
  const refused = call(30, { outcome: 'refused', endedAt: now.getTime() - 29 * H });
  const expected = now.getTime() - 29 * H + 7 * 24 * H;
  assert.equal(capsBlockUntil([refused], 'sms', caps, now)?.getTime(), expected);
  assert.equal(capsBlockUntil([refused], 'voice', caps, now)?.getTime(), expected);
});

test('a live call to the number is in flight; an ended one or an SMS is not', () => {
  assert.equal(callInFlight([call(0, { status: 'ringing' })]), true);
  assert.equal(callInFlight([call(0, { status: 'completed' })]), false);
  assert.equal(callInFlight([call(0, { status: 'queued', channel: 'sms' })]), false);
});

test('property: calling at the time it answers never breaks the caps', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 30 * 24 }), { maxLength: 12 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 0, max: 12 }),
      (hoursAgo, perDay, gap) => {
        const c = { callsPerDay: perDay, minHoursBetweenCalls: gap, refusalCooldownDays: 7 };
        const attempts = [...hoursAgo].sort((a, b) => a - b).map((h) => call(h));
        const at = capsBlockUntil(attempts, 'voice', c, now) ?? now;
        // A call at `at` is at most the perDay-th in the 24 hours up to it…
        const before = attempts.filter((a) => a.createdAt > at.getTime() - 24 * H).length;
        assert.ok(before < perDay, `${before} calls already in the day`);
        // …and at least `gap` hours after the last one.
        const last = Math.max(...attempts.map((a) => a.createdAt), -Infinity);
        assert.ok(at.getTime() >= last + gap * H);
        // And it is the earliest such time: one minute earlier, a cap binds (unless that is before now).
        const earlier = new Date(at.getTime() - 60_000);
        if (earlier.getTime() >= now.getTime()) assert.ok(capsBlockUntil(attempts, 'voice', c, earlier) !== null);
      },
    ),
    { numRuns: 500 },
  );
});
