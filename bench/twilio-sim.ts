/**
 * The carrier simulator for bench/chases.bench.ts, in the benchmark's process or in its own
 * (bench/twilio-sim.process.ts), with the Calls requests it received in wall-clock time.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { startTwilioSim, type TwilioSimOptions } from '../sim/twilio/index.ts';

/** The carrier simulator, in this process or its own. */
export interface Sim {
  url: string;
  accountSid: string;
  authToken: string;
  /** Every Calls create request: the number called and when the simulator received it (wall clock, ms). */
  calls(): Promise<{ to: string; at: number }[]>;
  /** CPU ms the simulator's process has used so far; null when it shares ours. */
  cpuMs(): Promise<number | null>;
  close(): Promise<void>;
}

/** Wall-clock ms of a simulator timestamp: its clock runs `speed` times faster from `startAt`. */
const wallClock = (startAt: number, speed: number) => (simMs: number) => startAt + (simMs - startAt) / speed;

export async function inProcessSim(options: TwilioSimOptions): Promise<Sim> {
  const startAt = new Date();
  const sim = await startTwilioSim({ ...options, startAt });
  const wall = wallClock(startAt.getTime(), options.clockSpeed ?? 1);
  return {
    url: sim.url,
    accountSid: sim.accountSid,
    authToken: sim.authToken,
    calls: async () => sim.calls().map((c) => ({ to: c.to, at: wall(c.dateCreated.getTime()) })),
    cpuMs: async () => null,
    close: () => sim.close(),
  };
}

/** bench/twilio-sim.process.ts: the simulator's CPU (HTTP, signatures, TwiML) off our event loop. */
export async function childProcessSim(options: TwilioSimOptions): Promise<Sim> {
  const child = fork(new URL('./twilio-sim.process.ts', import.meta.url), [JSON.stringify(options)], { execArgv: ['--import', 'tsx'] });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the simulator process exited (${String(code)})`);
  });
  exited.catch(() => undefined);
  const waiting = new Map<string, (message: unknown) => void>();
  child.on('message', (message: { type: string }) => waiting.get(message.type)?.(message));
  /** The next message of this type, or the child's death. */
  const reply = <T>(type: string) => Promise.race([new Promise<T>((resolve) => waiting.set(type, resolve as (m: unknown) => void)), exited]);
  const ready = await reply<{ url: string; accountSid: string; authToken: string; startAt: number }>('ready');
  const wall = wallClock(ready.startAt, options.clockSpeed ?? 1);
  return {
    url: ready.url,
    accountSid: ready.accountSid,
    authToken: ready.authToken,
    async calls() {
      const answer = reply<{ calls: { to: string; dateCreated: number }[] }>('calls');
      child.send({ type: 'calls' });
      return (await answer).calls.map((c) => ({ to: c.to, at: wall(c.dateCreated) }));
    },
    async cpuMs() {
      const answer = reply<{ ms: number }>('cpu');
      child.send({ type: 'cpu' });
      return (await answer).ms;
    },
    async close() {
      child.send({ type: 'close' });
      await exited.catch(() => undefined);
    },
  };
}
