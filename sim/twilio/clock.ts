// Simulated time. Ringing, speech and pauses take simulated seconds; `speed` (e.g. 100)
// makes them pass that much faster in real time, so a 30 s ring costs a test 0.3 s.
// Simulated time is derived from real time (start + elapsed × speed) rather than
// stepped, so concurrent calls keep a consistent order without a scheduler.

export interface SimClock {
  /** How many simulated milliseconds pass per real millisecond. */
  readonly speed: number;
  now(): Date;
  /** Resolves after `simMs` simulated milliseconds; rejects with the signal's reason if aborted. */
  sleep(simMs: number, signal?: AbortSignal): Promise<void>;
}

export function createClock(speed = 1, startAt: Date = new Date()): SimClock {
  if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`clockSpeed must be a positive number, got ${speed}`);
  // Monotonic, so a wall-clock adjustment cannot move simulated time backwards.
  const realStart = performance.now();
  const simStart = startAt.getTime();
  const nowMs = () => simStart + (performance.now() - realStart) * speed;
  return {
    speed,
    now: () => new Date(nowMs()),
    sleep: (simMs, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const target = nowMs() + Math.max(0, simMs);
        let timer: NodeJS.Timeout | undefined;
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal?.reason);
        };
        // Timers may fire a millisecond early, which at 100× is 100 simulated ms:
        // wait again until the simulated target has really passed.
        const wait = () => {
          const left = target - nowMs();
          if (left <= 0) {
            signal?.removeEventListener('abort', onAbort);
            return resolve();
          }
          timer = setTimeout(wait, Math.max(1, Math.ceil(left / speed)));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        wait();
      }),
  };
}

/** RFC 2822 date as Twilio writes it: "Tue, 31 Aug 2010 20:36:28 +0000". */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}
