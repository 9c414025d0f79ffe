/**
 * The demo's one clock: every wait says what it waits for, so the overall time limit can name
 * it when it runs out ("gave up after 5 min waiting for Mei's chase to end").
 */
import { setTimeout as sleep } from 'node:timers/promises';

export class Waiter {
  /** What the demo is waiting for right now. */
  waitingFor = 'the demo to start';
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(timeoutMs: number, outer?: AbortSignal) {
    const minutes = timeoutMs >= 60_000 ? `${Math.round(timeoutMs / 6_000) / 10} min` : `${Math.round(timeoutMs / 1000)} s`;
    this.timer = setTimeout(() => this.controller.abort(new Error(`gave up after ${minutes} waiting for ${this.waitingFor}`)), timeoutMs);
    outer?.addEventListener('abort', () => this.controller.abort(new Error(`interrupted while waiting for ${this.waitingFor}`)), { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Runs `work`, or throws as soon as the time is up (the work is left to finish on its own). */
  async step<T>(what: string, work: Promise<T>): Promise<T> {
    this.waitingFor = what;
    this.signal.throwIfAborted();
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(this.signal.reason as Error);
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([work, aborted]);
    } finally {
      this.signal.removeEventListener('abort', onAbort);
    }
  }

  /** Polls `check` until it returns something truthy; `what` may be worked out afresh on each round. */
  async until<T>(what: string | (() => string), check: () => Promise<T | false | null | undefined> | T | false | null | undefined, everyMs = 250): Promise<T> {
    for (;;) {
      this.waitingFor = typeof what === 'function' ? what() : what;
      this.signal.throwIfAborted();
      const value = await check();
      if (value) return value;
      this.waitingFor = typeof what === 'function' ? what() : what;
      await this.pause(everyMs);
    }
  }

  pause(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.signal }).catch(() => this.signal.throwIfAborted());
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
