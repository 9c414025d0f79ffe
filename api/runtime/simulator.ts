/**
 * `npm start` with no carrier configured: the Twilio simulator on a fixed, documented port
 * (CHASELINE_SIMULATOR_PORT, else PORT + 1, on 127.0.0.1), whose callees follow the personas
 * chosen by their number's last digit, and — so the first chase has a line to call from — a
 * simulated line in the default tenant's pool while it has none. Once a real carrier is
 * configured the simulated line is taken out of the pool again: it must never dial for real.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Deps } from '../../core/deps.ts';
import { addLineIfPoolEmpty, deleteLineNamed } from '../../core/lines.ts';
import { DEFAULT_PERSONAS_BY_SUFFIX, startTwilioSim, type TwilioSim } from '../../sim/twilio/index.ts';

/** Twilio's own test number for "a valid From": a number nobody can be called from for real. */
export const SIMULATED_LINE = {
  name: 'Simulated line (carrier simulator: nobody is called)',
  fromNumber: '+15005550006',
  region: 'simulator',
  cps: 5,
} as const;

/** The simulator's port: configured, else the API's port + 1 (any free port when the API's is 0). */
export const simulatorPort = (config: Pick<Config, 'CHASELINE_SIMULATOR_PORT'>, apiPort: number): number =>
  config.CHASELINE_SIMULATOR_PORT ?? (apiPort === 0 ? 0 : apiPort + 1);

export async function startSimulator(
  credentials: { accountSid: string; authToken: string },
  config: Pick<Config, 'CHASELINE_SIMULATOR_PORT' | 'CHASELINE_SIMULATOR_SPEED'>,
  apiPort: number,
  log: Logger,
): Promise<TwilioSim> {
  const options = {
    ...credentials,
    host: '127.0.0.1',
    clockSpeed: config.CHASELINE_SIMULATOR_SPEED,
    personasBySuffix: DEFAULT_PERSONAS_BY_SUFFIX,
    // As many calls a second as the simulated line may start (a Twilio account starts with 1).
    callsPerSecond: SIMULATED_LINE.cps,
  };
  const port = simulatorPort(config, apiPort);
  let sim: TwilioSim;
  try {
    sim = await startTwilioSim({ ...options, port });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    sim = await startTwilioSim({ ...options, port: 0 });
    log.warn({ simulator: sim.url }, `carrier simulator: port ${port} is taken, so it listens on ${sim.url} instead (set CHASELINE_SIMULATOR_PORT to choose)`);
  }
  log.info(
    { simulator: sim.url, clockSpeed: config.CHASELINE_SIMULATOR_SPEED },
    `carrier simulator at ${sim.url}: each callee follows the persona the last digit of their number picks (GET ${sim.url}/sim/personas; PUT ${sim.url}/sim/personas/{number} to choose one)`,
  );
  return sim;
}

/** In simulator mode: the simulated line, while the tenant's pool has no line at all. */
export async function ensureSimulatedLine(deps: Pick<Deps, 'db'>, tenantId: string, log: Logger): Promise<void> {
  const line = await addLineIfPoolEmpty(deps.db, tenantId, { ...SIMULATED_LINE, kind: 'number', tier: 'standard' });
  if (line) log.info({ lineId: line.id }, `line pool: added "${line.name}" (${line.fromNumber}) so chases have a line to call from; see GET /v1/lines`);
}

/** With a real carrier: the simulated line, if an earlier start in simulator mode added it, leaves the pool. */
export async function removeSimulatedLine(deps: Pick<Deps, 'db'>, tenantId: string, log: Logger): Promise<void> {
  const line = await deleteLineNamed(deps.db, tenantId, SIMULATED_LINE.name, SIMULATED_LINE.fromNumber);
  if (line) log.warn({ lineId: line.id }, `line pool: removed "${line.name}": a real carrier is configured, so add your own numbers (POST /v1/lines)`);
}
