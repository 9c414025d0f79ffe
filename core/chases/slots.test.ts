// Slots for the chases waiting on one number: distinct, in priority order, within the caps
// and the calling window, whatever the history, the caps and the queue.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_WINDOW, isCallable, type CallingWindow } from '../campaigns/calling-window.ts';
import type { PhoneAttempt } from './caps.ts';
import { MIN_SLOT_SPACING_MS, planSlots, queueOrder, type WaitingChase } from './slots.ts';

const H = 3_600_000;
const DAY = 24 * H;
const now = new Date('2026-03-10T04:00:00Z'); // 12:00 in Shanghai
const ALL_DAY: CallingWindow = { days: Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((d) => [d, [{ start: '00:00', end: '24:00' }]])) };
const caps = { callsPerDay: 2, minHoursBetweenCalls: 6, refusalCooldownDays: 7 };
const call = (hoursAgo: number, extra: Partial<PhoneAttempt> = {}): PhoneAttempt => ({
  channel: 'voice',
  status: 'completed',
  outcome: 'no-answer',
  createdAt: now.getTime() - hoursAgo * H,
  endedAt: null,
  ...extra,
});
const waiting = (id: string, priority: number, extra: Partial<WaitingChase> = {}): WaitingChase => ({
  id,
  priority,
  deadlineAt: now.getTime() + 7 * DAY,
  createdAt: now.getTime(),
  caps,
  window: ALL_DAY,
  ...extra,
});
const hoursFromNow = (d: Date | null) => (d ? (d.getTime() - now.getTime()) / H : null);

test('three chases of one number: one call now, then +6 h, then the next day — never three in 24 hours', () => {
  const slots = planSlots([], [waiting('a', 0), waiting('b', 0), waiting('c', 0)], 'Asia/Shanghai', now);
  assert.deepEqual(
    slots.map((s) => hoursFromNow(s.at)),
    [0, 6, 24],
  );
  assert.deepEqual(
    slots.map((s) => s.reason),
    [null, 'frequency cap', 'frequency cap'],
  );
  assert.deepEqual(
    slots.map((s) => s.position),
    [1, 2, 3],
  );
});

test('after a call just now, two waiting chases get +6 h and +24 h, the higher priority first', () => {
  const slots = planSlots([call(0)], [waiting('low', 1), waiting('high', 5)], 'Asia/Shanghai', now);
  assert.deepEqual(
    slots.map((s) => [s.id, hoursFromNow(s.at)]),
    [
      ['high', 6],
      ['low', 24],
    ],
  );
});

test('three deferred chases after a call just now: three distinct slots, +6 h, +24 h and +30 h, in priority order', () => {
  const slots = planSlots([call(0)], [waiting('b', 2), waiting('c', 1), waiting('a', 3)], 'Asia/Shanghai', now);
  assert.deepEqual(
    slots.map((s) => [s.id, hoursFromNow(s.at), s.position]),
    [
      ['a', 6, 1],
      ['b', 24, 2],
      ['c', 30, 3],
    ],
  );
  assert.ok(slots.every((s) => s.reason === 'frequency cap'));
});

test('equal priority: the earliest deadline first', () => {
  const slots = planSlots(
    [call(0)],
    [waiting('later', 1, { deadlineAt: now.getTime() + 3 * DAY }), waiting('sooner', 1, { deadlineAt: now.getTime() + 2 * DAY })],
    'UTC',
    now,
  );
  assert.deepEqual(
    slots.map((s) => s.id),
    ['sooner', 'later'],
  );
});

test("a slot outside the recipient's window moves to its opening, and the next keeps its gap from there", () => {
  // Calls only 09:00–18:00 Shanghai. A call at 12:00 local: +6 h is 18:00, closed → 09:00 next
  // day; the third must wait for the 24 hours after 12:00 today (12:00 tomorrow) and 6 h after
  // 09:00 (15:00 tomorrow).
  const office: CallingWindow = { days: Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((d) => [d, [{ start: '09:00', end: '18:00' }]])) };
  const slots = planSlots([call(0)], [waiting('a', 2, { window: office }), waiting('b', 1, { window: office })], 'Asia/Shanghai', now);
  assert.deepEqual(
    slots.map((s) => hoursFromNow(s.at)),
    [21, 27],
  );
  assert.equal(slots[0]!.reason, 'frequency cap');
});

test('a chase with no slot before its deadline gets none, and does not take one from the chases after it', () => {
  const slots = planSlots([call(0)], [waiting('soon', 5, { deadlineAt: now.getTime() + 2 * H }), waiting('later', 1)], 'UTC', now);
  assert.deepEqual(
    slots.map((s) => [s.id, hoursFromNow(s.at), s.position]),
    [
      ['soon', null, null],
      ['later', 6, 1],
    ],
  );
});

test('while another call is on the line, no slot starts before it may be over', () => {
  const start = new Date(now.getTime() + 5 * 60_000);
  const slots = planSlots([call(0, { status: 'ringing' })], [waiting('a', 0, { caps: { ...caps, minHoursBetweenCalls: 0 } })], 'UTC', now, start);
  assert.equal(slots[0]!.at?.getTime(), start.getTime());
  assert.equal(slots[0]!.reason, 'another call to this number is in progress');
});

test('a refusal holds the whole queue off for the cooldown', () => {
  const refused = call(1, { outcome: 'refused', endedAt: now.getTime() - H });
  const far = { deadlineAt: now.getTime() + 10 * DAY };
  const slots = planSlots([refused], [waiting('a', 0, far), waiting('b', 0, far)], 'UTC', now);
  assert.deepEqual(
    slots.map((s) => hoursFromNow(s.at)),
    [7 * 24 - 1, 7 * 24 + 5],
  );
});

const windows: CallingWindow[] = [
  ALL_DAY,
  DEFAULT_WINDOW,
  {
    days: { 1: [{ start: '09:00', end: '12:00' }], 3: [{ start: '14:00', end: '17:30' }], 6: [{ start: '10:00', end: '20:00' }] },
    exclude: [{ start: '11:30', end: '11:45' }],
  },
];

test('property: the published slots never exceed the cap in any 24 hours, keep the gap and follow the priority order', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 10 * 24 * 60 }), { maxLength: 6 }), // minutes ago of past calls
      fc.array(
        fc.record({ priority: fc.integer({ min: 0, max: 3 }), deadlineHours: fc.integer({ min: 1, max: 30 * 24 }), windowIndex: fc.nat(windows.length - 1) }),
        { minLength: 1, maxLength: 7 },
      ),
      fc.record({ callsPerDay: fc.integer({ min: 1, max: 5 }), minHoursBetweenCalls: fc.integer({ min: 0, max: 12 }), refusalCooldownDays: fc.constant(7) }),
      fc.constantFrom('UTC', 'Asia/Shanghai', 'America/New_York', 'Europe/London'),
      fc.integer({ min: 0, max: 20 }), // minutes until a live call may be over (0: none on the line)
      (minutesAgo, specs, c, timeZone, busyMinutes) => {
        const attempts = [...minutesAgo].sort((a, b) => a - b).map((m) => call(m / 60));
        const chases = specs.map((s, i) =>
          waiting(`c${i}`, s.priority, {
            caps: c,
            deadlineAt: now.getTime() + s.deadlineHours * H,
            createdAt: now.getTime() - i,
            window: windows[s.windowIndex]!,
          }),
        );
        const start = new Date(now.getTime() + busyMinutes * 60_000);
        const slots = planSlots(attempts, chases, timeZone, now, start);
        assert.deepEqual(
          slots.map((s) => s.id),
          [...chases].sort(queueOrder).map((w) => w.id),
          'one slot per chase, in queue order',
        );
        const given = slots.filter((s) => s.at);
        const past = attempts.map((a) => a.createdAt);
        let previous = -Infinity;
        for (const [k, slot] of given.entries()) {
          const t = slot.at!.getTime();
          const chase = chases.find((w) => w.id === slot.id)!;
          assert.ok(t > previous, 'distinct and in priority order');
          assert.ok(t >= start.getTime() && t < chase.deadlineAt, 'from the start, before the deadline');
          assert.ok(isCallable(slot.at!, timeZone, chase.window), 'inside the calling window');
          const before = [...past, ...given.slice(0, k).map((s) => s.at!.getTime())];
          const last = Math.max(...before);
          assert.ok(t - last >= c.minHoursBetweenCalls * H, 'the gap to the call before');
          if (k > 0) assert.ok(t - previous >= MIN_SLOT_SPACING_MS);
          const inDay = before.filter((b) => b > t - DAY).length + 1;
          assert.ok(inDay <= c.callsPerDay, `${inDay} calls in the 24 hours up to a slot (cap ${c.callsPerDay})`);
          assert.equal(slot.position, k + 1);
          previous = t;
        }
      },
    ),
    { numRuns: 400 },
  );
});

test('property: with deadlines far enough away, every waiting chase gets a slot', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 0, max: 12 }),
      fc.nat(windows.length - 1),
      (priorities, callsPerDay, gap, w) => {
        const c = { callsPerDay, minHoursBetweenCalls: gap, refusalCooldownDays: 7 };
        const chases = priorities.map((p, i) => waiting(`c${i}`, p, { caps: c, window: windows[w]!, deadlineAt: now.getTime() + 60 * DAY }));
        assert.ok(planSlots([call(1)], chases, 'Asia/Shanghai', now).every((s) => s.at !== null));
      },
    ),
    { numRuns: 200 },
  );
});
