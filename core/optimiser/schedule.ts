/**
 * When an optimised chase is first due: the next moment, after the campaign's delay and before
 * the chase's deadline, when the recipient's local clock is in the hour Thompson sampling
 * picked and the calling window allows a call. The window stays the law: an hour is only a
 * narrower window inside it (calling-window.ts answers every DST question the same way for
 * both), and the chase step still re-checks consent, caps and the window when it runs.
 */
import { isCallable, nextCallableTime, validateWindow, type CallingWindow, type IsoWeekday } from '../campaigns/calling-window.ts';
import { pickHour, type Beta, type BucketStats, type Optimise } from './hours.ts';

const MINUTE = 60_000;

const toMinutes = (hhmm: string) => (hhmm === '24:00' ? 1440 : Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5)));
const toHhmm = (minutes: number) =>
  minutes >= 1440 ? '24:00' : `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** The window narrowed to local hour `hour` (hour:00–hour+1:00 each day); null when the window never allows that hour. */
export function hourWindow(w: CallingWindow, hour: number): CallingWindow | null {
  const from = hour * 60;
  const to = from + 60;
  const days: CallingWindow['days'] = {};
  for (const [day, spans] of Object.entries(w.days) as [string, { start: string; end: string }[] | undefined][]) {
    const inHour = (spans ?? [])
      .map((s) => [Math.max(toMinutes(s.start), from), Math.min(toMinutes(s.end), to)] as const)
      .filter(([s, e]) => s < e)
      .map(([s, e]) => ({ start: toHhmm(s), end: toHhmm(e) }));
    if (inHour.length) days[Number(day) as IsoWeekday] = inHour;
  }
  const narrowed: CallingWindow = { days, ...(w.exclude ? { exclude: w.exclude } : {}) };
  return validateWindow(narrowed) === null ? narrowed : null;
}

/** The local hours (0–23) in which the window allows some call. */
export const allowedHours = (w: CallingWindow): number[] => Array.from({ length: 24 }, (_, h) => h).filter((h) => hourWindow(w, h) !== null);

const hourFormatters = new Map<string, Intl.DateTimeFormat>();

/** The recipient's local wall-clock hour (0–23) and minute at `at`. */
function localClock(at: Date, timeZone: string): { hour: number; minute: number } {
  let f = hourFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: 'numeric', minute: 'numeric' });
    hourFormatters.set(timeZone, f);
  }
  const parts = f.formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { hour: part('hour'), minute: part('minute') };
}

/** The recipient's local hour (0–23) at `at`: the hour bucket an attempt counts in. */
export const localHour = (at: Date, timeZone: string): number => localClock(at, timeZone).hour;

export interface OptimisedStart {
  at: Date;
  hour: number;
  explored: boolean;
}

export interface PlanInput {
  optimise: Optimise;
  window: CallingWindow;
  timeZone: string;
  /** The normal first due time (after the campaign's delay): never earlier than this. */
  earliest: Date;
  deadline: Date;
  /** The chase's tier's buckets, and the prior each bucket starts from. */
  stats: BucketStats[];
  prior: Beta;
  rng: () => number;
  exploration?: number;
}

/**
 * The chase's first due time in a sampled hour bucket, spread at random within the part of the
 * hour the window allows (so a bulk start does not all fall due on the hour); null when no
 * allowed hour comes before the deadline, and the chase keeps its normal schedule.
 */
export function planOptimisedStart(input: PlanInput): OptimisedStart | null {
  const { window, timeZone, earliest, deadline, rng } = input;
  const reachable = new Map<number, { at: Date; window: CallingWindow }>();
  for (let hour = 0; hour < 24; hour++) {
    const w = hourWindow(window, hour);
    const at = w && nextCallableTime(earliest, timeZone, w);
    if (w && at && at < deadline) reachable.set(hour, { at, window: w });
  }
  if (!reachable.size) return null;
  const pick = pickHour(input.stats, [...reachable.keys()], input.optimise, input.prior, rng, input.exploration);
  const { at, window: w } = reachable.get(pick.hour)!;
  const minutesLeftInHour = 60 - localClock(at, timeZone).minute;
  const spread = new Date(at.getTime() + Math.floor(rng() * minutesLeftInHour) * MINUTE);
  const ok = spread < deadline && isCallable(spread, timeZone, w);
  return { at: ok ? spread : at, hour: pick.hour, explored: pick.explored };
}
