/**
 * The carrier simulator in a process of its own, for bench/chases.bench.ts: Twilio does not
 * run on Chaseline's event loop, so neither should its stand-in when we measure Chaseline.
 * Options come as JSON in argv[2]; the parent talks to it over the IPC channel:
 *   → { type: 'ready', url, accountSid, authToken, startAt }
 *   ← { type: 'calls' } → { type: 'calls', calls: [{ to, dateCreated }] }   (simulated ms)
 *   ← { type: 'cpu' } → { type: 'cpu', ms }   (this process's CPU time so far: user + system)
 *   ← { type: 'close' } → exits once the simulator is closed
 */
import { startTwilioSim, type TwilioSimOptions } from '../sim/twilio/index.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as TwilioSimOptions;
const startAt = new Date();
const sim = await startTwilioSim({ ...options, startAt });
const send = (message: object) => process.send?.(message);

process.on('message', (message: { type: string }) => {
  if (message.type === 'calls') {
    send({ type: 'calls', calls: sim.calls().map((c) => ({ to: c.to, dateCreated: c.dateCreated.getTime() })) });
  } else if (message.type === 'cpu') {
    const { user, system } = process.cpuUsage();
    send({ type: 'cpu', ms: (user + system) / 1000 });
  } else if (message.type === 'close') {
    void sim.close().then(() => process.exit(0));
  }
});
// The parent went away without saying close: do not linger.
process.on('disconnect', () => process.exit(0));

send({ type: 'ready', url: sim.url, accountSid: sim.accountSid, authToken: sim.authToken, startAt: startAt.getTime() });
