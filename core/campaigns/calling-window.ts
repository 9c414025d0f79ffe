/**
 * Calling windows: "may we call this person now, and if not, when next?", always in the
 * recipient's local wall-clock time (DESIGN.md, "Calling windows are the recipient's").
 *
 * Only Intl.DateTimeFormat is used: it carries every zone's offsets and DST rules, so
 * there is no date library and no tz data of our own to keep current.
 *
 * One definition settles every DST question: an instant is callable iff its local wall
 * time (weekday + minute of day) lies inside an allowed span, spans being half-open
 * [start, end). A wall time skipped by spring-forward never happens, so it is never
 * called at; the hour repeated by fall-back is callable both times if the window allows.
 */
import { validation } from '../errors.ts';

export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface CallingWindow {
  /** Per ISO weekday (1 = Monday … 7 = Sunday): allowed spans as 'HH:MM'-'HH:MM' local times; a missing day = no calls that day. */
  days: Partial<Record<IsoWeekday, { start: string; end: string }[]>>;
  /** Spans excluded every day, e.g. [{start:'11:30', end:'13:30'}] for a meal peak. */
  exclude?: { start: string; end: string }[];
}

const everyDay = Object.freeze([Object.freeze({ start: '08:00', end: '21:00' })]) as { start: string; end: string }[];
/** 08:00–21:00 local, every day, no exclusions. Frozen: it is shared by every caller. */
export const DEFAULT_WINDOW: CallingWindow = Object.freeze({
  days: Object.freeze({ 1: everyDay, 2: everyDay, 3: everyDay, 4: everyDay, 5: everyDay, 6: everyDay, 7: everyDay }),
});

const MINUTE = 60_000;
const DAY = 86_400_000;
const MINUTES_PER_DAY = 1440;
/** No zone changes its offset twice within this long, so probing at this step finds every change. */
const PROBE_STEP = 6 * 3_600_000;
/** Each re-plan crosses one offset change; a week holds at most a couple of them. */
const MAX_REPLANS = 16;

/** Allowed [startMinute, endMinute) pairs per ISO weekday (index 1..7; index 0 unused), sorted, disjoint. */
type Compiled = [number, number][][];

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes since local midnight, or null. '24:00' is accepted as an end so a span can run to midnight. */
function toMinutes(value: unknown, isEnd: boolean): number | null {
  if (isEnd && value === '24:00') return MINUTES_PER_DAY;
  const m = typeof value === 'string' ? HHMM.exec(value) : null;
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** Parses and checks one list of spans; returns them sorted, or an error message naming the rule. */
function parseSpans(spans: unknown, path: string): [number, number][] | string {
  if (!Array.isArray(spans)) return `${path} must be a list of { start, end } spans`;
  const parsed: [number, number, string][] = [];
  for (const [i, span] of spans.entries()) {
    const where = `${path}[${i}]`;
    const { start, end } = (span ?? {}) as { start?: unknown; end?: unknown };
    const s = toMinutes(start, false);
    if (s === null) return `${where}.start: ${JSON.stringify(start)} is not a valid 'HH:MM' time (00:00–23:59)`;
    const e = toMinutes(end, true);
    if (e === null) return `${where}.end: ${JSON.stringify(end)} is not a valid 'HH:MM' time (00:00–24:00)`;
    // Spans never wrap past midnight: "21:00–02:00" is two spans on two weekdays.
    if (s >= e) return `${where}: start ${String(start)} must be before end ${String(end)}`;
    parsed.push([s, e, `${String(start)}–${String(end)}`]);
  }
  parsed.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < parsed.length; i++) {
    const prev = parsed[i - 1]!;
    const cur = parsed[i]!;
    if (cur[0] < prev[1]) return `${path}: spans ${prev[2]} and ${cur[2]} overlap`;
  }
  return parsed.map(([s, e]) => [s, e]);
}

/** Removes the excluded spans from one day's sorted, disjoint spans. */
function subtract(spans: [number, number][], excluded: [number, number][]): [number, number][] {
  let out = spans;
  for (const [xs, xe] of excluded) {
    out = out.flatMap(([s, e]): [number, number][] => {
      if (xe <= s || xs >= e) return [[s, e]];
      const parts: [number, number][] = [];
      if (s < xs) parts.push([s, xs]);
      if (xe < e) parts.push([xe, e]);
      return parts;
    });
  }
  return out;
}

function compile(w: CallingWindow): Compiled | string {
  if (typeof w !== 'object' || w === null || typeof w.days !== 'object' || w.days === null) {
    return 'days must be an object keyed by ISO weekday (1 = Monday … 7 = Sunday)';
  }
  const excluded = parseSpans(w.exclude ?? [], 'exclude');
  if (typeof excluded === 'string') return excluded;
  const days: Compiled = Array.from({ length: 8 }, () => []);
  for (const [key, spans] of Object.entries(w.days)) {
    if (!/^[1-7]$/.test(key)) return `days.${key}: not an ISO weekday (1 = Monday … 7 = Sunday)`;
    if (spans === undefined) continue;
    const parsed = parseSpans(spans, `days.${key}`);
    if (typeof parsed === 'string') return parsed;
    days[Number(key)] = subtract(parsed, excluded);
  }
  return days;
}

const isEmpty = (days: Compiled) => days.every((spans) => spans.length === 0);

/** null when the window is usable; otherwise a message naming the bad rule. */
export function validateWindow(w: CallingWindow): string | null {
  const compiled = compile(w);
  if (typeof compiled === 'string') return compiled;
  return isEmpty(compiled) ? 'empty window: no callable time in the week (every day is missing or fully excluded)' : null;
}

/** Minutes as 'HH:MM' (1440 as '24:00'), for messages. */
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/**
 * null when every callable minute of `inner` is callable in `outer` too (an experiment arm's
 * window inside its campaign's); otherwise a message naming the first minute that is not.
 */
export function windowWithin(inner: CallingWindow, outer: CallingWindow): string | null {
  const a = compile(inner);
  if (typeof a === 'string') return a;
  const b = compile(outer);
  if (typeof b === 'string') return `the outer window: ${b}`;
  for (let day = 1; day <= 7; day++) {
    for (const [s, e] of a[day]!) {
      // Outer spans are sorted and disjoint (possibly touching): walk them from s until e is covered.
      let at = s;
      for (const [os, oe] of b[day]!) if (os <= at && oe > at) at = oe;
      if (at < e) return `days.${day}: ${hhmm(at)} is callable here but not in the campaign's window`;
    }
  }
  return null;
}

/**
 * The times both windows allow. An experiment arm's window was checked to lie inside its
 * campaign's when the experiment began; intersecting again at dial time keeps a campaign's
 * window, narrowed later, binding on the arm too. Both must be valid windows.
 */
export function intersectWindows(a: CallingWindow, b: CallingWindow): CallingWindow {
  const x = compileOrThrow(a);
  const y = compileOrThrow(b);
  const days: CallingWindow['days'] = {};
  for (let day = 1; day <= 7; day++) {
    const spans: { start: string; end: string }[] = [];
    for (const [s1, e1] of x[day]!) {
      for (const [s2, e2] of y[day]!) {
        const s = Math.max(s1, s2);
        const e = Math.min(e1, e2);
        if (s < e) spans.push({ start: hhmm(s), end: hhmm(e) });
      }
    }
    if (spans.length) days[day as IsoWeekday] = spans;
  }
  return { days };
}

// Not cached: compiling a handful of spans costs about a microsecond, and a cache keyed by
// the window object would go stale if a caller edited a window in place.
function compileOrThrow(w: CallingWindow): Compiled {
  const compiled = compile(w);
  if (typeof compiled === 'string') throw validation(`calling window: ${compiled}`, 'window');
  return compiled;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      // hourCycle h23, not hour12:false, which prints midnight as '24' in some ICU versions.
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw validation(`unknown time zone ${JSON.stringify(timeZone)}`, 'timeZone');
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's UTC offset in ms at instant t (local wall time = t + offset). */
function offsetAt(f: Intl.DateTimeFormat, t: number): number {
  const p = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of f.formatToParts(t)) {
    if (part.type in p) p[part.type as keyof typeof p] = Number(part.value);
  }
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  // Intl drops the milliseconds, so compare against t truncated to its second.
  return wall - Math.floor(t / 1000) * 1000;
}

/** ISO weekday of a wall-clock day number (days since 1970-01-01, a Thursday). */
const isoWeekday = (dayNumber: number) => ((((dayNumber + 3) % 7) + 7) % 7) + 1;

function allowedAtWall(days: Compiled, wall: number): boolean {
  const dayNumber = Math.floor(wall / DAY);
  const minute = Math.floor((wall - dayNumber * DAY) / MINUTE);
  return days[isoWeekday(dayNumber)]!.some(([s, e]) => minute >= s && minute < e);
}

/** The earliest wall time >= wall inside the window, treating the wall clock as continuous. */
function nextAllowedWall(days: Compiled, wall: number): number | null {
  const dayNumber = Math.floor(wall / DAY);
  const minute = Math.floor((wall - dayNumber * DAY) / MINUTE);
  // k = 7 reaches the same weekday next week, when today's only span is already over.
  for (let k = 0; k <= 7; k++) {
    for (const [s, e] of days[isoWeekday(dayNumber + k)]!) {
      if (k === 0 && minute >= e) continue;
      if (k === 0 && minute >= s) return wall;
      return (dayNumber + k) * DAY + s * MINUTE;
    }
  }
  return null;
}

/** The first instant in (t, until] whose offset differs from `offset`, or null if there is none. */
function firstOffsetChange(f: Intl.DateTimeFormat, t: number, offset: number, until: number): number | null {
  for (let lo = t; lo < until;) {
    let hi = Math.min(lo + PROBE_STEP, until);
    if (offsetAt(f, hi) === offset) {
      lo = hi;
      continue;
    }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetAt(f, mid) === offset) lo = mid;
      else hi = mid;
    }
    return hi;
  }
  return null;
}

function instant(at: Date): number {
  const t = at.getTime();
  if (!Number.isFinite(t)) throw validation('not a valid date', 'at');
  return t;
}

/** Whether a call at `at` falls inside the window in `timeZone`'s local wall-clock time. */
export function isCallable(at: Date, timeZone: string, w: CallingWindow = DEFAULT_WINDOW): boolean {
  const days = compileOrThrow(w);
  const t = instant(at);
  return allowedAtWall(days, t + offsetAt(formatterFor(timeZone), t));
}

/** The earliest instant >= from when a call is allowed (from itself if allowed); null if the window is empty. */
export function nextCallableTime(from: Date, timeZone: string, w: CallingWindow = DEFAULT_WINDOW): Date | null {
  const days = compileOrThrow(w);
  if (isEmpty(days)) return null;
  const f = formatterFor(timeZone);
  let t = instant(from);
  // While the offset stays constant, wall time is t + offset, so the next allowed wall time
  // maps straight back to an instant. If the offset changes first, no allowed wall time was
  // reached before the change: plan again from the change. That also lands on the
  // transition instant itself when spring-forward jumps the clock into the window.
  for (let replan = 0; replan < MAX_REPLANS; replan++) {
    const offset = offsetAt(f, t);
    const wall = nextAllowedWall(days, t + offset);
    if (wall === null) return null; // unreachable: the window is not empty
    const candidate = wall - offset;
    const change = candidate > t ? firstOffsetChange(f, t, offset, candidate) : null;
    if (change === null) return new Date(candidate);
    t = change;
  }
  throw new Error(`nextCallableTime: no answer after ${MAX_REPLANS} offset changes in ${timeZone}`);
}
