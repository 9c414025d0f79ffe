/**
 * The composition root: what the chase engine's worker runs with, built from settings in one
 * place. `npm start`, `npm run worker`, the tests' apps and worker processes, the demo and the
 * benchmarks all call `composeWorker`, so a dependency added to the worker is added once and
 * every way of running Chaseline gets it.
 *
 * The carrier is the registry's connector; the simulator, when one runs, is just a carrier
 * endpoint given here like any other (see simulator.ts, which starts it as a process of its own).
 */
import { connectors, crmConnectorFor, writeBackTargetFor } from '../../connectors/registry.ts';
import type { TwilioConnector } from '../../connectors/twilio/index.ts';
import { memoryHealthStore } from '../../core/lines/health.ts';
import { memoryTokenBucket } from '../../core/common/token-bucket.ts';
import type { LineStores } from '../../core/lines/stores.ts';
import { systemClock, type WorkerDeps } from '../../core/deps.ts';
import type { Deps } from '../../core/deps.ts';
import type { JobQueue } from '../../core/jobs/queue.ts';
import type { Clock, Speech } from '../../core/ports.ts';

/** A carrier account the engine places calls and texts through. */
export interface CarrierAccount {
  accountSid: string;
  authToken: string;
  /** A Twilio-compatible endpoint (a simulator, a proxy); default Twilio's own. */
  apiBaseUrl?: string;
  /** What reports call it when it is not the connector's own name (`simulator`). */
  name?: string;
}

/** Timings tests and benchmarks shorten; production runs the defaults. */
export type EngineTuning = Partial<Pick<WorkerDeps, 'reapAfterMs' | 'staleCallMs' | 'outboxRetry' | 'eventRetry' | 'busyRetryMs' | 'slotSpacingMs'>>;

export interface WorkerSettings {
  /** Where vendors reach this installation: the carrier's callbacks are built on it. */
  publicBaseUrl: string;
  carrier: CarrierAccount;
  /** The line pool's shared state (Redis for several processes); default memory, for one process. */
  lines?: LineStores;
  speech?: Speech;
  clock?: Clock;
  log?: WorkerDeps['log'];
  tuning?: EngineTuning;
}

export interface ComposedWorker {
  /** What `startWorker` runs with. */
  worker: WorkerDeps;
  /** The carrier, also the verifier of its webhooks (createApp's `engine.verifier`). */
  carrier: TwilioConnector;
}

/** Builds the worker's dependencies: the carrier and the tenants' CRM and write-back connectors from the registry. */
export function composeWorker(deps: Deps, jobs: JobQueue, settings: WorkerSettings): ComposedWorker {
  const { name, ...account } = settings.carrier;
  const created = connectors.twilio.create(account, { publicBaseUrl: settings.publicBaseUrl });
  // Reports tell simulated calls from real ones by the carrier's name.
  const carrier: TwilioConnector = name ? { ...created, name } : created;
  const lines = settings.lines ?? deps.lines ?? memoryLineStores();
  const base = { ...deps, lines };
  const worker: WorkerDeps = {
    ...base,
    jobs,
    clock: settings.clock ?? systemClock,
    carrier,
    publicBaseUrl: settings.publicBaseUrl,
    crm: crmConnectorFor(base),
    writeBack: writeBackTargetFor(base),
    ...(settings.log ? { log: settings.log } : {}),
    ...(settings.speech ? { speech: settings.speech } : {}),
    ...definedOnly(settings.tuning ?? {}),
  };
  return { worker, carrier };
}

/** The line pool's state in this process only: one process, or a test. */
export const memoryLineStores = (): LineStores => ({ health: memoryHealthStore(), cps: memoryTokenBucket() });

const definedOnly = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
