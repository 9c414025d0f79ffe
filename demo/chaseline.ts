/**
 * Chaseline in this process, composed by the one composition root (api/runtime/compose.ts)
 * as `npm start` and the tests are: boot() (the database, migrations, the default tenant and
 * its admin key), pg-boss, the Twilio carrier simulator with the Twilio connector on it, a
 * worker, and the HTTP app on a free port whose URL is the public base URL the carrier calls back.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createApp } from '../api/app.ts';
import { loadConfig } from '../api/config.ts';
import { boot } from '../api/runtime/boot.ts';
import { createJobQueue, DEFAULT_QUEUE_SETTINGS, startBoss } from '../core/jobs/queue.ts';
import { startWorker } from '../core/jobs/worker.ts';
import { composeWorker, memoryLineStores } from '../api/runtime/compose.ts';
import { startTwilioSim, type TwilioSim } from '../sim/twilio/index.ts';
import type { Teardown } from './teardown.ts';

export interface DemoChaseline {
  /** The API's URL, also the public base URL the carrier calls back. */
  url: string;
  /** The default tenant's bootstrap admin key. */
  adminKey: string;
  /** The carrier: the demo gives its callees their personas. */
  twilio: TwilioSim;
}

/** 20 simulated seconds a second: a call of half a minute takes a second or two. */
const CLOCK_SPEED = 20;

/** Starts everything; each piece is added to `teardown` as soon as it runs. `env` names the database (see database.ts). */
export async function startChaseline(env: Record<string, string>, teardown: Teardown): Promise<DemoChaseline> {
  const adminKey = `chl_demo_${randomBytes(24).toString('base64url')}`;
  const config = loadConfig({
    ...env,
    CHASELINE_ADMIN_KEY: adminKey,
    // A key of its own, so nothing is generated into the data directory with a warning.
    CHASELINE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    // The shoppers have US numbers (+1 415 555 …).
    CHASELINE_DEFAULT_REGION: 'US',
    // The simulated HubSpot and Shopify the demo connects listen on this machine.
    CHASELINE_ALLOWED_VENDOR_HOSTS: '127.0.0.1',
    LOG_LEVEL: 'warn',
  });
  // Chaseline's own log (warnings and errors only) goes to stderr; the story goes to stdout.
  const log = pino({ level: config.LOG_LEVEL, base: { service: 'chaseline-demo' } }, pino.destination(2));
  const runtime = await boot(config, log);
  teardown.add('the database connection', () => runtime.stop());
  // Stopping the embedded server right after the pool ended, it can still hit a connection the
  // pool is closing, logged as "idle database connection lost": noise at the very end, kept off
  // the demo's output (errors still show).
  teardown.add('the log', async () => {
    log.level = 'error';
  });

  const server = createServer();
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  teardown.add(
    'the HTTP server',
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const deps = { ...runtime.deps, lines: memoryLineStores() };
  const twilio = await startTwilioSim({ clockSpeed: CLOCK_SPEED });
  teardown.add('the Twilio simulator', () => twilio.close());
  // Quick retries (from 1 s), so a hiccup does not stall a demo of a minute or two.
  const boss = await startBoss(runtime.pool, { ...DEFAULT_QUEUE_SETTINGS, retryDelay: 1 }, { maintenanceIntervalSeconds: 1 });
  boss.on('error', (err) => log.warn({ err }, 'pg-boss error'));
  teardown.add('pg-boss', () => boss.stop({ graceful: false, wait: true, close: false }));
  const jobs = createJobQueue(boss);
  const { worker, carrier } = composeWorker(deps, jobs, {
    publicBaseUrl: url,
    carrier: { accountSid: twilio.accountSid, authToken: twilio.authToken, apiBaseUrl: twilio.url },
    log,
    // A write-back that fails is tried again after 1 s, doubling to 10 s (production: 30 s to 10 min).
    tuning: { outboxRetry: { baseMs: 1_000, maxMs: 10_000, attempts: 20 } },
  });
  const running = await startWorker(worker, boss, { schedule: false, idleMs: 50 });
  teardown.add('the worker', () => running.stop());

  server.on('request', createApp({ deps, log, engine: { jobs, verifier: carrier, publicBaseUrl: url } }));
  return { url, adminKey, twilio };
}
