import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AppError } from '../errors.ts';
import { DEFAULT_WINDOW, isCallable, nextCallableTime, validateWindow, type CallingWindow } from './calling-window.ts';

const weekdays: CallingWindow = {
  days: {
    1: [{ start: '09:00', end: '17:00' }],
    2: [{ start: '09:00', end: '17:00' }],
    3: [{ start: '09:00', end: '17:00' }],
    4: [{ start: '09:00', end: '17:00' }],
    5: [{ start: '09:00', end: '17:00' }],
  },
};
const perDay: CallingWindow = { days: { ...weekdays.days, 6: [{ start: '10:00', end: '14:00' }] } };
const lunch: CallingWindow = { ...DEFAULT_WINDOW, exclude: [{ start: '11:30', end: '13:30' }] };
const twoSpans: CallingWindow = {
  days: {
    3: [
      { start: '18:00', end: '20:00' },
      { start: '09:00', end: '12:00' },
    ],
  },
};
const sundayOnly = (start: string, end: string): CallingWindow => ({ days: { 7: [{ start, end }] } });

// [what, zone, instant, window, callable?, next callable instant]
const cases: [string, string, string, CallingWindow, boolean, string][] = [
  ['Shanghai just before 08:00', 'Asia/Shanghai', '2024-06-03T07:59:00+08:00', DEFAULT_WINDOW, false, '2024-06-03T08:00:00+08:00'],
  ['Shanghai at 08:00 sharp', 'Asia/Shanghai', '2024-06-03T08:00:00+08:00', DEFAULT_WINDOW, true, '2024-06-03T08:00:00+08:00'],
  ['Shanghai 20:59:59.999 is still inside', 'Asia/Shanghai', '2024-06-03T20:59:59.999+08:00', DEFAULT_WINDOW, true, '2024-06-03T20:59:59.999+08:00'],
  ['Shanghai 21:00 is out (half-open), next morning', 'Asia/Shanghai', '2024-06-03T21:00:00+08:00', DEFAULT_WINDOW, false, '2024-06-04T08:00:00+08:00'],
  ['New York winter 07:00 EST', 'America/New_York', '2024-01-15T12:00:00Z', DEFAULT_WINDOW, false, '2024-01-15T13:00:00Z'],
  ['New York summer 08:00 EDT', 'America/New_York', '2024-07-15T12:00:00Z', DEFAULT_WINDOW, true, '2024-07-15T12:00:00Z'],
  ['New York 22:00 EDT rolls to 08:00 next day', 'America/New_York', '2024-07-16T02:00:00Z', DEFAULT_WINDOW, false, '2024-07-16T12:00:00Z'],
  ['London winter 07:30 GMT', 'Europe/London', '2024-01-10T07:30:00Z', DEFAULT_WINDOW, false, '2024-01-10T08:00:00Z'],
  ['London first BST morning, 08:30 BST', 'Europe/London', '2024-03-31T07:30:00Z', DEFAULT_WINDOW, true, '2024-03-31T07:30:00Z'],
  ['London 07:30 BST', 'Europe/London', '2024-06-10T06:30:00Z', DEFAULT_WINDOW, false, '2024-06-10T07:00:00Z'],
  ['Kolkata +05:30, 07:30 IST', 'Asia/Kolkata', '2024-05-01T02:00:00Z', DEFAULT_WINDOW, false, '2024-05-01T02:30:00Z'],
  ['Kathmandu +05:45, 07:45 NPT', 'Asia/Kathmandu', '2024-05-01T02:00:00Z', DEFAULT_WINDOW, false, '2024-05-01T02:15:00Z'],
  ['Lord Howe winter +10:30, 07:30', 'Australia/Lord_Howe', '2024-07-01T21:00:00Z', DEFAULT_WINDOW, false, '2024-07-01T21:30:00Z'],
  ['Lord Howe summer +11, 08:00', 'Australia/Lord_Howe', '2024-12-01T21:00:00Z', DEFAULT_WINDOW, true, '2024-12-01T21:00:00Z'],
  ['Sydney first AEDT morning, 08:30 (+11)', 'Australia/Sydney', '2024-10-05T21:30:00Z', DEFAULT_WINDOW, true, '2024-10-05T21:30:00Z'],
  ['Sydney winter 07:30 AEST', 'Australia/Sydney', '2024-07-01T21:30:00Z', DEFAULT_WINDOW, false, '2024-07-01T22:00:00Z'],
  ['Santiago summer 08:30 (-03)', 'America/Santiago', '2024-01-15T11:30:00Z', DEFAULT_WINDOW, true, '2024-01-15T11:30:00Z'],
  ['Santiago winter 07:30 (-04)', 'America/Santiago', '2024-07-15T11:30:00Z', DEFAULT_WINDOW, false, '2024-07-15T12:00:00Z'],
  // Per-weekday windows (2024-06-07 is a Friday)
  ['Friday evening → Monday morning', 'Europe/London', '2024-06-07T18:30:00+01:00', weekdays, false, '2024-06-10T09:00:00+01:00'],
  ['Saturday short day is open', 'Europe/London', '2024-06-08T11:00:00+01:00', perDay, true, '2024-06-08T11:00:00+01:00'],
  ['Saturday after 14:00 → Monday', 'Europe/London', '2024-06-08T15:00:00+01:00', perDay, false, '2024-06-10T09:00:00+01:00'],
  ['Sunday → Monday in Shanghai', 'Asia/Shanghai', '2024-06-09T10:00:00+08:00', weekdays, false, '2024-06-10T09:00:00+08:00'],
  ['Wednesday gap between two spans', 'Asia/Kolkata', '2024-06-05T13:00:00+05:30', twoSpans, false, '2024-06-05T18:00:00+05:30'],
  ['Wednesday after the last span → next Wednesday', 'Asia/Kolkata', '2024-06-05T20:00:00+05:30', twoSpans, false, '2024-06-12T09:00:00+05:30'],
  // Exclusions
  ['12:00 with 11:30–13:30 excluded → 13:30', 'Asia/Shanghai', '2024-06-03T12:00:00+08:00', lunch, false, '2024-06-03T13:30:00+08:00'],
  ['11:29 is before the exclusion', 'Asia/Shanghai', '2024-06-03T11:29:00+08:00', lunch, true, '2024-06-03T11:29:00+08:00'],
  ['13:30 is after the exclusion', 'America/New_York', '2024-06-03T13:30:00-04:00', lunch, true, '2024-06-03T13:30:00-04:00'],
  // DST edges. 2024-03-10 New York: 02:00 EST → 03:00 EDT; 02:30 never happens.
  [
    'spring-forward: a window starting at nonexistent 02:30 opens at 03:00 EDT',
    'America/New_York',
    '2024-03-10T06:00:00Z',
    sundayOnly('02:30', '05:00'),
    false,
    '2024-03-10T07:00:00Z',
  ],
  [
    'spring-forward: a window wholly inside the gap waits a week',
    'America/New_York',
    '2024-03-10T06:00:00Z',
    sundayOnly('02:00', '03:00'),
    false,
    '2024-03-17T06:00:00Z',
  ],
  // 2024-11-03 New York: 01:00–02:00 happens twice (EDT, then EST).
  ['fall-back: first 01:15 (EDT) is callable', 'America/New_York', '2024-11-03T05:15:00Z', sundayOnly('01:00', '01:30'), true, '2024-11-03T05:15:00Z'],
  [
    'fall-back: after the first 01:30 the repeated 01:00 (EST) opens',
    'America/New_York',
    '2024-11-03T05:30:00Z',
    sundayOnly('01:00', '01:30'),
    false,
    '2024-11-03T06:00:00Z',
  ],
  ['fall-back: second 01:45 (EST) is outside', 'America/New_York', '2024-11-03T06:45:00Z', sundayOnly('01:00', '01:30'), false, '2024-11-10T06:00:00Z'],
  // 2024-10-06 Lord Howe: 02:00 (+10:30) → 02:30 (+11), a 30-minute DST jump.
  [
    'Lord Howe 30-minute gap: 02:00–02:15 never happens that day',
    'Australia/Lord_Howe',
    '2024-10-05T15:00:00Z',
    sundayOnly('02:00', '02:15'),
    false,
    '2024-10-12T15:00:00Z',
  ],
  [
    'Lord Howe 30-minute gap: 02:00–02:45 opens at 02:30 (+11)',
    'Australia/Lord_Howe',
    '2024-10-05T15:00:00Z',
    sundayOnly('02:00', '02:45'),
    false,
    '2024-10-05T15:30:00Z',
  ],
  // 2025-04-06 Lord Howe: 02:00 (+11) → 01:30 (+10:30); 01:30–02:00 happens twice.
  [
    'Lord Howe fall-back: 01:30–02:00 opens at its first occurrence (+11)',
    'Australia/Lord_Howe',
    '2025-04-05T14:00:00Z',
    sundayOnly('01:30', '02:00'),
    false,
    '2025-04-05T14:30:00Z',
  ],
  [
    'Lord Howe fall-back: the repeated 01:45 (+10:30) is callable too',
    'Australia/Lord_Howe',
    '2025-04-05T15:15:00Z',
    sundayOnly('01:30', '02:00'),
    true,
    '2025-04-05T15:15:00Z',
  ],
  [
    'Lord Howe fall-back: after the repeat, next Sunday',
    'Australia/Lord_Howe',
    '2025-04-05T15:30:00Z',
    sundayOnly('01:30', '02:00'),
    false,
    '2025-04-12T15:00:00Z',
  ],
];

describe('isCallable / nextCallableTime', () => {
  for (const [what, zone, at, w, callable, next] of cases) {
    test(`${what} (${zone})`, () => {
      assert.equal(isCallable(new Date(at), zone, w), callable);
      assert.equal(nextCallableTime(new Date(at), zone, w)?.toISOString(), new Date(next).toISOString());
    });
  }

  test('the default window applies when none is given', () => {
    assert.equal(isCallable(new Date('2024-06-03T07:00:00+08:00'), 'Asia/Shanghai'), false);
    assert.equal(nextCallableTime(new Date('2024-06-03T07:00:00+08:00'), 'Asia/Shanghai')?.toISOString(), '2024-06-03T00:00:00.000Z');
  });

  test('an empty window is never callable and has no next time', () => {
    const closed: CallingWindow = { days: { 1: [{ start: '12:00', end: '13:00' }] }, exclude: [{ start: '11:00', end: '14:00' }] };
    assert.equal(isCallable(new Date('2024-06-03T12:30:00+08:00'), 'Asia/Shanghai', closed), false);
    assert.equal(nextCallableTime(new Date('2024-06-03T12:30:00+08:00'), 'Asia/Shanghai', closed), null);
    assert.equal(nextCallableTime(new Date(), 'Asia/Shanghai', { days: {} }), null);
  });

  test('a window running to 24:00 joins the next day at 00:00', () => {
    const w: CallingWindow = { days: { 1: [{ start: '22:00', end: '24:00' }], 2: [{ start: '00:00', end: '01:00' }] } };
    assert.equal(isCallable(new Date('2024-06-03T23:59:59+08:00'), 'Asia/Shanghai', w), true);
    assert.equal(isCallable(new Date('2024-06-04T00:00:00+08:00'), 'Asia/Shanghai', w), true);
    assert.equal(isCallable(new Date('2024-06-04T01:00:00+08:00'), 'Asia/Shanghai', w), false);
  });

  test('bad input is a VALIDATION error naming the field, not a wrong answer', () => {
    const isValidation = (field: string) => (err: unknown) => err instanceof AppError && err.code === 'VALIDATION' && err.field === field;
    assert.throws(() => isCallable(new Date(), 'Mars/Olympus_Mons'), isValidation('timeZone'));
    assert.throws(() => nextCallableTime(new Date('nope'), 'Asia/Shanghai'), isValidation('at'));
    assert.throws(() => isCallable(new Date(), 'Asia/Shanghai', { days: { 1: [{ start: '9:00', end: '17:00' }] } }), isValidation('window'));
  });

  test('DEFAULT_WINDOW is valid and cannot be changed by a caller', () => {
    assert.equal(validateWindow(DEFAULT_WINDOW), null);
    assert.throws(() => {
      (DEFAULT_WINDOW.days as Record<number, unknown>)[1] = [];
    }, TypeError);
    assert.throws(() => {
      DEFAULT_WINDOW.days[1]![0]!.start = '00:00';
    }, TypeError);
  });
});

describe('validateWindow', () => {
  const span = (start: string, end: string) => ({ start, end });
  const bad: [string, CallingWindow, RegExp][] = [
    ['hour without leading zero', { days: { 1: [span('9:00', '17:00')] } }, /^days\.1\[0\]\.start: "9:00" is not a valid 'HH:MM' time/],
    ['minute out of range', { days: { 2: [span('09:00', '17:60')] } }, /^days\.2\[0\]\.end: "17:60" is not a valid 'HH:MM'/],
    ['24:00 as a start', { days: { 3: [span('24:00', '24:00')] } }, /^days\.3\[0\]\.start: "24:00"/],
    ['start equals end', { days: { 1: [span('09:00', '09:00')] } }, /^days\.1\[0\]: start 09:00 must be before end 09:00$/],
    ['span wrapping midnight', { days: { 5: [span('21:00', '02:00')] } }, /^days\.5\[0\]: start 21:00 must be before end 02:00$/],
    ['overlapping spans', { days: { 4: [span('13:00', '18:00'), span('08:00', '13:30')] } }, /^days\.4: spans 08:00–13:30 and 13:00–18:00 overlap$/],
    [
      'overlapping exclusions',
      { ...DEFAULT_WINDOW, exclude: [span('11:00', '12:00'), span('11:30', '13:00')] },
      /^exclude: spans 11:00–12:00 and 11:30–13:00 overlap$/,
    ],
    ['bad exclusion', { ...DEFAULT_WINDOW, exclude: [span('noon', '13:00')] }, /^exclude\[0\]\.start: "noon"/],
    ['weekday 0', { days: { 0: [span('09:00', '17:00')] } as CallingWindow['days'] }, /^days\.0: not an ISO weekday \(1 = Monday … 7 = Sunday\)$/],
    ['spans not a list', { days: { 1: span('09:00', '17:00') } } as unknown as CallingWindow, /^days\.1 must be a list/],
    ['no days', {} as CallingWindow, /^days must be an object/],
    ['no days at all', { days: {} }, /^empty window/],
    ['everything excluded', { days: { 1: [span('12:00', '13:00')] }, exclude: [span('11:30', '13:30')] }, /^empty window/],
  ];
  for (const [what, w, message] of bad) {
    test(`rejects ${what}`, () => assert.match(validateWindow(w) ?? '(accepted)', message));
  }

  test('accepts adjacent spans, 24:00 ends and partial exclusions', () => {
    assert.equal(validateWindow({ days: { 1: [span('08:00', '12:00'), span('12:00', '24:00')] }, exclude: [span('11:30', '13:30')] }), null);
    assert.equal(validateWindow(weekdays), null);
  });
});

// ---- properties -------------------------------------------------------------------------

// Zones with odd offsets and DST rules first (30/45-minute offsets and DST, southern
// hemisphere, Ramadan suspensions, a 2-hour DST, negative DST), then filler up to 40.
const special = [
  'America/New_York',
  'Europe/London',
  'Asia/Shanghai',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Australia/Sydney',
  'America/Santiago',
  'Pacific/Chatham',
  'America/St_Johns',
  'Africa/Casablanca',
  'Antarctica/Troll',
  'Europe/Dublin',
  'America/Havana',
  'Asia/Gaza',
  'America/Asuncion',
  'Pacific/Auckland',
  'Australia/Adelaide',
  'Asia/Tehran',
  'America/Scoresbysund',
  'Pacific/Kiritimati',
  'Pacific/Pago_Pago',
  'Australia/Eucla',
  'America/Ciudad_Juarez',
];
const all = Intl.supportedValuesOf('timeZone');
const zones = [...special, ...all.filter((_, i) => i % Math.floor(all.length / 16) === 0 && !special.includes(all[i]!))].slice(0, 40);

const FROM = Date.UTC(2024, 0, 1);
const TO = Date.UTC(2028, 0, 1);

/** Offset changes in 2024–2027 found by hourly sampling, so instants can be drawn around them. */
function transitions(zone: string): number[] {
  const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  const name = (t: number) => f.formatToParts(t).find((p) => p.type === 'timeZoneName')!.value;
  const found: number[] = [];
  let prev = name(FROM);
  for (let t = FROM; t < TO; t += 3_600_000) {
    const cur = name(t);
    if (cur !== prev) found.push(t);
    prev = cur;
  }
  return found;
}
const zoneTransitions = new Map(zones.map((z) => [z, transitions(z)]));

/** An oracle written differently from the module: weekday and HH:MM from a formatted string, raw spans. */
function oracleCallable(t: number, zone: string, w: CallingWindow): boolean {
  const text = new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(t);
  const [, day, hhmm] = /^(\w{3}) (\d\d:\d\d)$/.exec(text)!;
  const iso = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(day!) + 1;
  const inSpan = (s: { start: string; end: string }) => hhmm! >= s.start && hhmm! < s.end;
  return (w.days[iso as 1]?.some(inSpan) ?? false) && !(w.exclude ?? []).some(inSpan);
}

const zoneArb = fc.constantFrom(...zones);
const instantArb = (zone: string) => {
  const near = zoneTransitions.get(zone)!;
  const uniform = fc.integer({ min: FROM, max: TO - 1 });
  if (!near.length) return uniform;
  // Within two days either side of a transition, at minute and at millisecond resolution.
  return fc.oneof(
    uniform,
    fc.tuple(fc.constantFrom(...near), fc.integer({ min: -2 * 86_400_000, max: 2 * 86_400_000 })).map(([t, d]) => t + d),
    fc.tuple(fc.constantFrom(...near), fc.integer({ min: -600, max: 600 })).map(([t, m]) => t + m * 60_000),
  );
};
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
/** Sorted distinct minute marks paired up into disjoint spans; granularity 1 minute. */
const spansArb = (max: number) =>
  fc.uniqueArray(fc.integer({ min: 0, max: 1440 }), { maxLength: max * 2 }).map((marks) => {
    marks.sort((a, b) => a - b);
    const spans: { start: string; end: string }[] = [];
    for (let i = 0; i + 1 < marks.length; i += 2) spans.push({ start: hhmm(marks[i]!), end: hhmm(marks[i + 1]!) });
    return spans;
  });
const windowArb: fc.Arbitrary<CallingWindow> = fc.oneof(
  fc.constant(DEFAULT_WINDOW),
  fc.record({ days: fc.dictionary(fc.constantFrom('1', '2', '3', '4', '5', '6', '7'), spansArb(3)), exclude: spansArb(2) }) as fc.Arbitrary<CallingWindow>,
);
const caseArb = fc
  .tuple(zoneArb, windowArb)
  .chain(([zone, w]) => fc.tuple(fc.constant(zone), fc.constant(w), instantArb(zone), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 })));

describe('properties over 40 zones, 2024–2027, around every DST transition', () => {
  test('the sampled zones include DST transitions', () => {
    assert.ok([...zoneTransitions.values()].filter((t) => t.length > 0).length >= 15);
  });

  test('isCallable agrees with the local wall clock', () => {
    fc.assert(
      fc.property(caseArb, ([zone, w, t]) => {
        assert.equal(isCallable(new Date(t), zone, w), oracleCallable(t, zone, w));
      }),
      { numRuns: 2000 },
    );
  });

  test('nextCallableTime is the earliest callable instant at or after t', () => {
    fc.assert(
      fc.property(caseArb, ([zone, w, t, samples]) => {
        const next = nextCallableTime(new Date(t), zone, w);
        if (validateWindow(w)?.startsWith('empty window')) return void assert.equal(next, null);
        assert.ok(next, 'a non-empty window always has a next time');
        const n = next.getTime();
        assert.ok(n >= t, '(a) not before t'); // (a)
        assert.ok(isCallable(next, zone, w), '(b) the result is callable'); // (b)
        assert.ok(oracleCallable(n, zone, w), '(d) its local wall time is inside the window'); // (d)
        if (n > t) {
          assert.ok(!isCallable(new Date(n - 1), zone, w), '(c) one ms earlier is not callable'); // (c)
          assert.ok(!oracleCallable(n - 60_000 > t ? n - 60_000 : t, zone, w), '(c) one minute earlier is not callable');
          for (const s of samples) assert.ok(!oracleCallable(t + Math.floor(s * (n - t - 1)), zone, w), '(c) nothing callable in between');
        }
        // A weekly window never waits more than 8 days (7 plus DST slack).
        assert.ok(n - t <= 8 * 86_400_000);
        if (w === DEFAULT_WINDOW) assert.ok(n - t <= 13 * 3_600_000, '(e) default window: at most 11 h dark + DST slack'); // (e)
      }),
      { numRuns: 2000 },
    );
  });

  test('nextCallableTime is idempotent: asking again at the answer gives the answer', () => {
    fc.assert(
      fc.property(caseArb, ([zone, w, t]) => {
        const next = nextCallableTime(new Date(t), zone, w);
        if (next) assert.equal(nextCallableTime(next, zone, w)?.getTime(), next.getTime());
      }),
      { numRuns: 500 },
    );
  });
});
