/**
 * The Twilio simulator as a process of its own, as `npm start` runs it when no carrier is
 * configured: started with `fork` (IPC), it takes its options as JSON in SIM_OPTIONS (the
 * signing secret among them, never on the command line), answers `{ url }` once it listens,
 * and exits when its parent goes (the IPC channel closes) or says `stop`. A port that is
 * taken falls back to any free one, and the answer says so.
 */
import { DEFAULT_PERSONAS_BY_SUFFIX, startTwilioSim, type TwilioSimOptions } from './index.ts';

/** `personasBySuffix: 'default'` stands for `npm start`'s set (DEFAULT_PERSONAS_BY_SUFFIX). */
const given = JSON.parse(process.env.SIM_OPTIONS ?? '{}') as Omit<TwilioSimOptions, 'personasBySuffix'> & {
  personasBySuffix?: TwilioSimOptions['personasBySuffix'] | 'default';
};
const options: TwilioSimOptions = { ...given, personasBySuffix: given.personasBySuffix === 'default' ? DEFAULT_PERSONAS_BY_SUFFIX : given.personasBySuffix };
delete process.env.SIM_OPTIONS;
let portTaken = false;
const sim = await startTwilioSim(options).catch(async (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EADDRINUSE' || !options.port) throw err;
  portTaken = true;
  return startTwilioSim({ ...options, port: 0 });
});
const stop = () => void sim.close().finally(() => process.exit(0));
process.on('disconnect', stop);
process.on('SIGTERM', stop);
process.on('message', (m) => {
  if (m === 'stop') stop();
});
process.send?.({ url: sim.url, portTaken });
