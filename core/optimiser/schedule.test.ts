/**
 * Scheduling into a sampled hour never leaves the calling window: a property over time zones
 * (DST, half- and quarter-hour offsets), windows with excluded spans, and deadlines.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_WINDOW, isCallable, nextCallableTime, type CallingWindow } from '../campaigns/calling-window.ts';
import { seededRandom } from '../common/random.ts';
import type { BucketStats } from './hours.ts';
import { allowedHours, hourWindow, localHour, planOptimisedStart } from './schedule.ts';

const T = { timeout: 60_000 };
const HOUR = 3_600_000;

describe('hour buckets of a calling window', () => {
  test('08:00–21:00 allows 8 to 20; a lunch exclusion removes the hour it covers whole', T, () => {
    assert.deepEqual(allowedHours(DEFAULT_WINDOW), [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    const lunch = { ...DEFAULT_WINDOW, exclude: [{ start: '11:30', end: '13:30' }] };
    assert.deepEqual(allowedHours(lunch), [8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20]);
    assert.deepEqual(hourWindow(lunch, 11)?.days[1], [{ start: '11:00', end: '12:00' }]);
    assert.equal(hourWindow(lunch, 12), null);
    const lateSaturday: CallingWindow = { days: { 6: [{ start: '22:15', end: '24:00' }] } };
    assert.deepEqual(allowedHours(lateSaturday), [22, 23]);
    assert.deepEqual(hourWindow(lateSaturday, 23)?.days[6], [{ start: '23:00', end: '24:00' }]);
  });

  test("the local hour is the recipient's, with DST and odd offsets", T, () => {
    assert.equal(localHour(new Date('2024-06-03T11:30:00Z'), 'Asia/Shanghai'), 19);
    assert.equal(localHour(new Date('2024-07-15T23:10:00Z'), 'America/New_York'), 19);
    assert.equal(localHour(new Date('2024-01-15T23:10:00Z'), 'America/New_York'), 18);
    assert.equal(localHour(new Date('2024-05-01T13:20:00Z'), 'Asia/Kathmandu'), 19);
    assert.equal(localHour(new Date('2024-05-01T16:00:00Z'), 'UTC'), 16);
  });
});

/** 19:00 converts at 10%, every other hour at 1%. */
const evenings: BucketStats[] = Array.from({ length: 24 }, (_, hour) => ({ hour, trials: 400, connects: 120, conversions: hour === 19 ? 40 : 4 }));
const prior = { alpha: 0.05, beta: 1.95 };

describe('planOptimisedStart', () => {
  test('most chases go to the best hour, after the delay, and a few elsewhere', T, () => {
    const rng = seededRandom(21);
    const earliest = new Date('2024-06-03T01:00:00Z'); // 09:00 in Shanghai
    const plans = Array.from({ length: 500 }, () =>
      planOptimisedStart({
        optimise: 'conversion',
        window: DEFAULT_WINDOW,
        timeZone: 'Asia/Shanghai',
        earliest,
        deadline: new Date(earliest.getTime() + 72 * HOUR),
        stats: evenings,
        prior,
        rng,
      })!,
    );
    const at19 = plans.filter((p) => p.hour === 19);
    assert.ok(at19.length > 400, `${at19.length} of 500 at 19:00`);
    assert.ok(plans.length - at19.length > 10, 'exploration sends some elsewhere');
    for (const p of plans) {
      assert.equal(localHour(p.at, 'Asia/Shanghai'), p.hour);
      assert.ok(p.at >= earliest);
    }
    // Due times spread within the hour rather than all at 19:00:00.
    assert.ok(new Set(at19.map((p) => p.at.getTime())).size > 30);
    // The first 19:00 after the delay: the same day.
    assert.ok(
      at19.every((p) => p.at.toISOString().startsWith('2024-06-03T11:')),
      at19[0]!.at.toISOString(),
    );
  });

  test('an hour that cannot come before the deadline is never picked; none at all: the normal schedule', T, () => {
    const rng = seededRandom(22);
    const earliest = new Date('2024-06-03T01:00:00Z'); // 09:00 Shanghai
    for (let i = 0; i < 200; i++) {
      const p = planOptimisedStart({
        optimise: 'conversion',
        window: DEFAULT_WINDOW,
        timeZone: 'Asia/Shanghai',
        earliest,
        deadline: new Date(earliest.getTime() + 3 * HOUR),
        stats: evenings,
        prior,
        rng,
      });
      assert.ok(p && [9, 10, 11].includes(p.hour), JSON.stringify(p));
    }
    const night = new Date('2024-06-03T14:00:00Z'); // 22:00 Shanghai: nothing allowed before 08:00
    assert.equal(
      planOptimisedStart({
        optimise: 'connect',
        window: DEFAULT_WINDOW,
        timeZone: 'Asia/Shanghai',
        earliest: night,
        deadline: new Date(night.getTime() + 5 * HOUR),
        stats: evenings,
        prior,
        rng,
      }),
      null,
    );
  });

  const zones = [
    'Asia/Shanghai',
    'America/New_York',
    'Europe/London',
    'Australia/Lord_Howe',
    'Asia/Kolkata',
    'Asia/Kathmandu',
    'America/Santiago',
    'Pacific/Chatham',
    'America/St_Johns',
    'Europe/Berlin',
    'Pacific/Apia',
    'UTC',
  ];
  const hhmm = (m: number) => (m >= 1440 ? '24:00' : `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
  const spansArb = fc.uniqueArray(fc.integer({ min: 0, max: 96 }), { minLength: 2, maxLength: 6 }).map((marks) => {
    const sorted = [...marks].sort((a, b) => a - b);
    const spans: { start: string; end: string }[] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) spans.push({ start: hhmm(sorted[i]! * 15), end: hhmm(sorted[i + 1]! * 15) });
    return spans;
  });
  const windowArb: fc.Arbitrary<CallingWindow> = fc.oneof(
    fc.constant(DEFAULT_WINDOW),
    fc.record({
      days: fc.dictionary(fc.constantFrom('1', '2', '3', '4', '5', '6', '7'), spansArb, { minKeys: 1 }),
      exclude: fc.constantFrom([], [{ start: '11:30', end: '13:30' }]),
    }) as fc.Arbitrary<CallingWindow>,
  );
  // Around the DST changes of 2024–2026 and anywhere else.
  const instantArb = fc.oneof(
    fc.integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: Date.parse('2026-12-31T00:00:00Z') }),
    fc
      .constantFrom(
        '2024-03-10T06:30:00Z',
        '2024-03-31T00:30:00Z',
        '2024-10-27T00:30:00Z',
        '2024-11-03T05:30:00Z',
        '2024-04-06T13:30:00Z',
        '2024-09-28T13:30:00Z',
      )
      .chain((t) => fc.integer({ min: -6 * HOUR, max: 6 * HOUR }).map((d) => Date.parse(t) + d)),
  );

  test('property: the due time is in the picked local hour, inside the window, after the delay and before the deadline', T, () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        windowArb,
        instantArb,
        fc.integer({ min: 1, max: 240 }),
        fc.integer(),
        fc.constantFrom<'conversion' | 'connect'>('conversion', 'connect'),
        (timeZone, window, t, hours, seed, optimise) => {
          const earliest = new Date(t);
          const deadline = new Date(t + hours * HOUR);
          const plan = planOptimisedStart({ optimise, window, timeZone, earliest, deadline, stats: evenings, prior, rng: seededRandom(seed) });
          if (!plan) {
            // Only when the window has no time at all before the deadline.
            const next = nextCallableTime(earliest, timeZone, window);
            assert.ok(!next || next >= deadline, `no plan, yet ${next?.toISOString()} is callable before ${deadline.toISOString()}`);
            return;
          }
          assert.ok(isCallable(plan.at, timeZone, window), `${plan.at.toISOString()} outside the window in ${timeZone}`);
          assert.equal(localHour(plan.at, timeZone), plan.hour);
          assert.ok(plan.at >= earliest && plan.at < deadline);
          assert.ok(allowedHours(window).includes(plan.hour));
        },
      ),
      { numRuns: 1500 },
    );
  });
});
