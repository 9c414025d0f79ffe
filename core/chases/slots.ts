/**
 * Call slots for the chases waiting on one number. The caps say when the *next* call may
 * start; several chases waiting on one number (one per campaign) each need a call of their
 * own, so they are given successive slots, as if each slot's call had been placed: in
 * priority order (higher first, then the earliest deadline — the order the engine runs
 * chases in), never more calls than the cap allows in any 24 hours and never closer than
 * the minimum gap, each inside the calling window (a slot that falls outside it moves to the
 * window's next opening, and the slots after it keep their gap from there).
 *
 * Pure: the step computes the plan under the number's lock and writes it (chases.queue.ts).
 */
import type { CallingWindow } from '../campaigns/calling-window.ts';
import { nextCallableTime } from '../campaigns/calling-window.ts';
import type { Caps } from '../campaigns/rules.ts';
import { capsBlockUntil, type PhoneAttempt } from './caps.ts';

/**
 * Two calls to one number never overlap, so planned slots are at least this far apart whatever
 * the gap: about a call's length (the step still waits while a call is on the line).
 */
export const MIN_SLOT_SPACING_MS = 60_000;

export interface WaitingChase {
  id: string;
  priority: number;
  deadlineAt: number;
  createdAt: number;
  /** Each chase keeps its own campaign's caps and window. */
  caps: Caps;
  window: CallingWindow;
}

export type SlotReason = 'frequency cap' | 'calling window' | 'another call to this number is in progress';

export interface Slot {
  id: string;
  /** null: no slot before the chase's deadline. */
  at: Date | null;
  /** Why the slot is later than now; null when it is now. */
  reason: SlotReason | null;
  /** 1-based place in the number's queue (among the chases that got a slot). */
  position: number | null;
}

/** The engine's order: higher priority, then the earliest deadline, then the first started. */
export function queueOrder(a: WaitingChase, b: WaitingChase): number {
  return b.priority - a.priority || a.deadlineAt - b.deadlineAt || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * @param attempts the number's attempts inside the caps' look-back, newest first (readPhoneState)
 * @param start no slot before this: now, or later while another call to the number is on the line
 * @param spacingMs planned slots at least this far apart
 * @returns one slot per waiting chase, in queue order
 */
export function planSlots(
  attempts: PhoneAttempt[],
  waiting: WaitingChase[],
  timeZone: string,
  now: Date,
  start: Date = now,
  spacingMs = MIN_SLOT_SPACING_MS,
): Slot[] {
  const planned: PhoneAttempt[] = []; // newest first, ahead of the real attempts
  const slots: Slot[] = [];
  let from = Math.max(now.getTime(), start.getTime());
  for (const chase of [...waiting].sort(queueOrder)) {
    const capped = capsBlockUntil([...planned, ...attempts], 'voice', chase.caps, new Date(from));
    let earliest = capped?.getTime() ?? from;
    if (planned.length) earliest = Math.max(earliest, planned[0]!.createdAt + spacingMs);
    const at = nextCallableTime(new Date(earliest), timeZone, chase.window);
    const reason: SlotReason =
      capped || planned.length ? 'frequency cap' : from > now.getTime() ? 'another call to this number is in progress' : 'calling window';
    if (!at || at.getTime() >= chase.deadlineAt) {
      slots.push({ id: chase.id, at: null, reason, position: null });
      continue;
    }
    slots.push({ id: chase.id, at, reason: at.getTime() > now.getTime() ? reason : null, position: planned.length + 1 });
    planned.unshift({ channel: 'voice', status: 'planned', outcome: null, createdAt: at.getTime(), endedAt: null });
    from = at.getTime();
  }
  return slots;
}
