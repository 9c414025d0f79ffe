/**
 * `npm start` with no carrier configured: the Twilio simulator on a fixed, documented port
 * (CHASELINE_SIMULATOR_PORT, else PORT + 1, on 127.0.0.1), whose callees follow the personas
 * chosen by their number's last digit, and — so the first chase has a line to call from — a
 * simulated line in the default tenant's pool while it has none. Once a real carrier is
 * configured the simulated line is taken out of the pool again: it must never dial for real.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Deps } from '../../core/deps.ts';
import { addLineIfPoolEmpty, deleteLineNamed } from '../../core/lines/lines.ts';

/**
 * The simulator runs as a process of its own (sim/twilio/main.ts), reached over HTTP like any
 * carrier: the product imports nothing from sim/.
 */
const SIMULATOR_MAIN = fileURLToPath(new URL('../../sim/twilio/main.ts', import.meta.url));
/** How long the simulator may take to listen before `npm start` gives up on it. */
const START_TIMEOUT_MS = 30_000;

export interface RunningSimulator {
  url: string;
  close(): Promise<void>;
}

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
): Promise<RunningSimulator> {
  const port = simulatorPort(config, apiPort);
  const options = {
    ...credentials,
    host: '127.0.0.1',
    port,
    clockSpeed: config.CHASELINE_SIMULATOR_SPEED,
    // The simulator's own default set: each number's last digit picks its persona.
    personasBySuffix: 'default',
    // As many calls a second as the simulated line may start (a Twilio account starts with 1).
    callsPerSecond: SIMULATED_LINE.cps,
  };
  const sim = await forkSimulator(options);
  if (sim.portTaken)
    log.warn({ simulator: sim.url }, `carrier simulator: port ${port} is taken, so it listens on ${sim.url} instead (set CHASELINE_SIMULATOR_PORT to choose)`);
  log.info(
    { simulator: sim.url, clockSpeed: config.CHASELINE_SIMULATOR_SPEED },
    `carrier simulator at ${sim.url}: each callee follows the persona the last digit of their number picks (GET ${sim.url}/sim/personas; PUT ${sim.url}/sim/personas/{number} to choose one)`,
  );
  return sim;
}

/** Starts sim/twilio/main.ts and waits for the URL it listens on. */
async function forkSimulator(options: object): Promise<RunningSimulator & { portTaken: boolean }> {
  const child = fork(SIMULATOR_MAIN, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, SIM_OPTIONS: JSON.stringify(options) },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started = await new Promise<{ url: string; portTaken: boolean }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the carrier simulator did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(m as { url: string; portTaken: boolean });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the carrier simulator exited (${code}) before it listened`));
    });
  });
  return {
    ...started,
    async close() {
      if (child.exitCode === null && child.connected) child.send('stop');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
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
