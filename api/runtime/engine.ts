/**
 * The chase engine in this process: pg-boss, the carrier and (in worker mode) the workers.
 * With no Twilio credentials (or CHASELINE_CARRIER=simulator) the carrier is the local
 * simulator, signing with the installation's own secret, and that is said loudly: no real
 * call or SMS leaves the machine.
 */
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Runtime } from './boot.ts';
import { createJobQueue, startBoss, type JobQueue } from '../../core/jobs/queue.ts';
import { startWorker } from '../../core/jobs/worker.ts';
import { connectors } from '../../connectors/registry.ts';
import type { TwilioConnector } from '../../connectors/twilio/index.ts';
import { ensureSimulatedLine, removeSimulatedLine, startSimulator, type RunningSimulator } from './simulator.ts';
import { composeWorker, type CarrierAccount } from './compose.ts';
import type { GoogleTtsConnector } from '../../connectors/google-tts/index.ts';
import { createLineStores } from '../../connectors/redis/index.ts';
import type { LineStores } from '../../core/lines/stores.ts';
import { readFile } from 'node:fs/promises';
import { carrierMode, simulatorCredentials } from './carrier.ts';
import { within } from './shutdown.ts';

export interface Engine {
  jobs: JobQueue;
  /** The line pool's shared state, for the worker and for GET /v1/lines. */
  lines: LineStores;
  carrier: TwilioConnector;
  publicBaseUrl: string;
  boss: PgBoss;
  /** Stops taking jobs and waits up to `ms` for the running ones to finish (pg-boss retries any left). */
  drainJobs(ms: number): Promise<void>;
  stop(): Promise<void>;
}

/** Google Text-to-Speech when a service-account key is configured; otherwise calls speak with Twilio's <Say>. */
async function speechFrom(config: Config, log: Logger): Promise<GoogleTtsConnector | null> {
  if (!config.GOOGLE_APPLICATION_CREDENTIALS) {
    log.info('text-to-speech: none configured, calls speak with Twilio <Say> voices');
    return null;
  }
  const key = JSON.parse(await readFile(config.GOOGLE_APPLICATION_CREDENTIALS, 'utf8')) as { client_email?: string; private_key?: string };
  const speech = connectors['google-tts'].create({
    serviceAccount: { client_email: key.client_email ?? '', private_key: key.private_key ?? '' },
    ...(config.GOOGLE_TTS_API_BASE_URL ? { apiBaseUrl: config.GOOGLE_TTS_API_BASE_URL } : {}),
  });
  log.info('text-to-speech: Google Cloud Text-to-Speech');
  return speech;
}

export async function startEngine(config: Config, runtime: Runtime, log: Logger, options: { worker: boolean; port: number }): Promise<Engine> {
  const publicBaseUrl = config.PUBLIC_BASE_URL ?? `http://localhost:${options.port}`;
  const boss = await startBoss(runtime.pool, undefined, { supervise: options.worker });
  boss.on('error', (err) => log.warn({ err }, 'pg-boss error'));
  let sim: RunningSimulator | undefined;
  let account: CarrierAccount;
  if (carrierMode(config) === 'twilio') {
    account = {
      accountSid: config.TWILIO_ACCOUNT_SID!,
      authToken: config.TWILIO_AUTH_TOKEN!,
      ...(config.TWILIO_API_BASE_URL ? { apiBaseUrl: config.TWILIO_API_BASE_URL } : {}),
    };
    log.info({ apiBaseUrl: config.TWILIO_API_BASE_URL ?? 'https://api.twilio.com' }, 'carrier: Twilio');
    await removeSimulatedLine(runtime.deps, runtime.bootstrap.tenant.id, log);
  } else {
    // The api and worker processes of one installation read the same secret: the worker's simulator signs, the API verifies.
    const credentials = await simulatorCredentials(config.CHASELINE_DATA_DIR);
    const signing = { accountSid: credentials.accountSid, authToken: credentials.authToken };
    if (options.worker) sim = await startSimulator(signing, config, options.port, log);
    // Reports tell simulated calls from real ones by the carrier's name.
    account = { ...signing, apiBaseUrl: sim?.url ?? 'http://127.0.0.1:9', name: 'simulator' };
    const why =
      config.CHASELINE_CARRIER === 'simulator' ? 'CHASELINE_CARRIER=simulator' : 'no Twilio credentials (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN) are set';
    log.warn(
      { simulator: sim?.url ?? null, secret: credentials.file, nodeEnv: config.NODE_ENV },
      `*** CARRIER SIMULATOR${config.NODE_ENV === 'production' ? ' IN PRODUCTION' : ''}: ${why}. Calls and SMS go to a local simulator; nobody is called. ***`,
    );
    await ensureSimulatedLine(runtime.deps, runtime.bootstrap.tenant.id, log);
  }
  if (!config.PUBLIC_BASE_URL) log.warn({ publicBaseUrl }, 'PUBLIC_BASE_URL is not set: the carrier will call back on localhost');
  const jobs = createJobQueue(boss);
  const speech = await speechFrom(config, log);
  const lines = createLineStores({ redisUrl: config.REDIS_URL });
  const composed = composeWorker(runtime.deps, jobs, { publicBaseUrl, carrier: account, lines, log, ...(speech ? { speech } : {}) });
  const carrier = composed.carrier;
  const worker = options.worker ? await startWorker(composed.worker, boss) : null;
  if (worker) log.info('worker: running the chase queues');
  let draining: Promise<void> | undefined;
  const drainJobs = async (ms: number) => {
    draining ??= worker ? worker.stop() : Promise.resolve();
    if (!(await within(draining, ms))) log.warn({ waitedMs: ms }, 'jobs still running: stopping without them (pg-boss hands them out again once they expire)');
  };
  return {
    jobs,
    lines,
    carrier,
    publicBaseUrl,
    boss,
    drainJobs,
    async stop() {
      if (!draining) await drainJobs(20_000);
      await lines.close();
      await speech?.close();
      // graceful: pg-boss's own workers (maintenance, the schedule) finish what they are doing.
      await boss.stop({ graceful: true, timeout: 10_000, wait: true, close: false }).catch(() => undefined);
      await sim?.close();
    },
  };
}
