/**
 * The real HTTP server on a free port, over a fresh database, for API tests. Logs are kept
 * in memory so tests can check that no PII reaches them.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type PgBoss from 'pg-boss';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Redis } from 'ioredis';
import { createApp } from '../../api/app.ts';
import type { ShopifyPluginOptions } from '../../api/routes/plugins/shopify.ts';
import type { AuthLimitOptions } from '../../api/http/auth-limit.ts';
import type { Deps } from '../../core/deps.ts';
import { createPii } from '../../core/privacy/pii.ts';
import { bootstrapDefaultTenant } from '../../core/tenants/tenants.ts';
import { testDatabase, type TestDatabase } from './db.ts';
import { createJobQueue, startBoss, type JobQueue, type QueueSettings } from '../../core/jobs/queue.ts';
import { startWorker } from '../../core/jobs/worker.ts';
import type { LineStores } from '../../core/lines/stores.ts';
import type { Speech } from '../../core/ports.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import { composeWorker, memoryLineStores } from '../../api/runtime/compose.ts';
import type { OutboxRetry } from '../../core/outbox/outbox.ts';
import type { EventRetry } from '../../core/events/deliver.ts';
import type { WebhookVerifier } from '../../core/ports.ts';
import { startTwilioSim, type TwilioSim, type TwilioSimOptions } from '../../sim/twilio/index.ts';

// Tests read response bodies loosely; `any` keeps them short (schemas are checked elsewhere).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  key?: string | null;
  body?: unknown;
  /** Sent as-is (no JSON encoding). */
  raw?: BodyInit;
  headers?: Record<string, string>;
}

export interface TestApp {
  url: string;
  db: TestDatabase;
  deps: Deps;
  /** Bootstrap admin key of the default tenant (may create tenants). */
  adminKey: string;
  tenantId: string;
  /** Every log line written so far. */
  logs: string[];
  /** The 32-byte master key the app's PII is encrypted with (for key-rotation tests). */
  masterKey: Buffer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  close(): Promise<void>;
  /** With `engine`: the carrier simulator, pg-boss, and what the worker runs with. */
  sim?: TwilioSim;
  boss?: PgBoss;
  worker?: WorkerDeps;
}

/** The Shopify app's settings but its URL (the test server's own). */
export type TestShopifyPlugin = Omit<ShopifyPluginOptions, 'appUrl' | 'defaultRegion'> & { defaultRegion?: string };

export interface EngineOptions {
  sim?: TwilioSimOptions;
  /** Start a worker in this process (default true). */
  worker?: boolean;
  reapAfterMs?: number;
  staleCallMs?: number;
  concurrency?: number;
  queue?: Partial<QueueSettings>;
  /** The line pool's shared state; default in memory. */
  lines?: LineStores;
  /** Text-to-speech for the worker (e.g. the Google TTS connector on its simulator). */
  speech?: Speech;
  /** The outbox's backoff (tests shorten it). */
  outboxRetry?: OutboxRetry;
  /** Outbound events' delivery backoff (tests shorten it). */
  eventRetry?: EventRetry;
}

/** testApp with the chase engine: pg-boss on the test database, the Twilio simulator, a worker. */
export async function testEngineApp(
  options: EngineOptions & {
    defaultRegion?: string;
    allowedVendorHosts?: string[];
    allowedEventHosts?: string[];
    apps?: (url: string) => Deps['apps'];
    shopify?: TestShopifyPlugin;
  } = {},
): Promise<TestApp & { sim: TwilioSim; boss: PgBoss; worker: WorkerDeps }> {
  const app = await testApp({
    defaultRegion: options.defaultRegion,
    allowedVendorHosts: options.allowedVendorHosts,
    allowedEventHosts: options.allowedEventHosts,
    apps: options.apps,
    engine: options,
    shopify: options.shopify,
  });
  return app as TestApp & { sim: TwilioSim; boss: PgBoss; worker: WorkerDeps };
}

export async function testApp(
  options: {
    maxUploadBytes?: number;
    defaultRegion?: string;
    masterKey?: Buffer;
    engine?: EngineOptions;
    /** CHASELINE_ALLOWED_VENDOR_HOSTS; default 127.0.0.1, where the simulators listen. */
    allowedVendorHosts?: string[];
    /** CHASELINE_ALLOWED_EVENT_HOSTS; default none (events go to public https URLs only). */
    allowedEventHosts?: string[];
    /** The failed-authentication limit (default: production's, counted in Redis when REDIS_URL is set, under this app's own prefix). */
    authLimit?: AuthLimitOptions;
    metricsToken?: string;
    /** Where /app is served from (default console/dist). */
    consoleDist?: string;
    /** The vendor apps (deps.apps: OAuth clients), given the server's URL for their redirects. */
    apps?: (url: string) => Deps['apps'];
    /** The Shopify app at /plugins/shopify (with `engine`); its URL is the test server's. */
    shopify?: TestShopifyPlugin;
  } = {},
): Promise<TestApp> {
  const masterKey = options.masterKey ?? randomBytes(32);
  const db = await testDatabase();
  const deps: Deps = {
    db: db.pool,
    pii: createPii(masterKey),
    allowedVendorHosts: options.allowedVendorHosts ?? ['127.0.0.1'],
    allowedEventHosts: options.allowedEventHosts ?? [],
  };
  const adminKey = `chl_test_${randomBytes(24).toString('base64url')}`;
  const boot = await bootstrapDefaultTenant(deps, { adminKey, defaultRegion: options.defaultRegion ?? 'CN' });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const log = pino({ level: 'debug' }, sink);
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (options.apps) deps.apps = options.apps(url);

  let engine: { sim: TwilioSim; boss: PgBoss; jobs: JobQueue; worker: WorkerDeps; verifier: WebhookVerifier; stop(): Promise<void> } | undefined;
  if (options.engine) {
    // One line pool state for the worker and for the API's GET /v1/lines, as in one process.
    deps.lines = options.engine.lines ?? memoryLineStores();
    const sim = await startTwilioSim(options.engine.sim);
    const boss = await startBoss(db.pool, { expireInSeconds: 30, retryLimit: 2, retryDelay: 1, ...options.engine.queue }, { maintenanceIntervalSeconds: 1 });
    const jobs = createJobQueue(boss);
    const { worker, carrier } = composeWorker(deps, jobs, {
      publicBaseUrl: url,
      carrier: { accountSid: sim.accountSid, authToken: sim.authToken, apiBaseUrl: sim.url },
      lines: deps.lines,
      log,
      ...(options.engine.speech ? { speech: options.engine.speech } : {}),
      tuning: {
        reapAfterMs: options.engine.reapAfterMs,
        staleCallMs: options.engine.staleCallMs,
        outboxRetry: options.engine.outboxRetry,
        eventRetry: options.engine.eventRetry,
      },
    });
    const running =
      options.engine.worker === false
        ? null
        : await startWorker(worker, boss, { schedule: false, idleMs: 50, eventsPollMs: 100, concurrency: options.engine.concurrency });
    engine = {
      sim,
      boss,
      jobs,
      worker,
      verifier: carrier,
      stop: async () => {
        await running?.stop();
        await boss.stop({ graceful: false, wait: true, close: false }).catch(() => undefined);
        await sim.close();
      },
    };
  }
  // Each app counts failures under its own prefix, so test files running at once on one Redis do not meet.
  const redis = process.env.REDIS_URL ? new Redis(process.env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 }) : undefined;
  redis?.on('error', () => undefined);
  const app = createApp({
    deps,
    log,
    maxUploadBytes: options.maxUploadBytes,
    authLimit: { redis, keyPrefix: `chaseline-test:${randomBytes(6).toString('hex')}:auth-failures`, ...options.authLimit },
    ...(options.metricsToken ? { metricsToken: options.metricsToken } : {}),
    ...(options.consoleDist ? { consoleDist: options.consoleDist } : {}),
    ...(engine ? { engine: { jobs: engine.jobs, verifier: engine.verifier, publicBaseUrl: url } } : {}),
    ...(options.shopify ? { plugins: { shopify: { defaultRegion: options.defaultRegion ?? 'CN', ...options.shopify, appUrl: url } } } : {}),
  });
  server.on('request', app);

  const request = async (method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse> => {
    const headers: Record<string, string> = { ...opts.headers };
    const key = opts.key === undefined ? adminKey : opts.key;
    if (key) headers.authorization = `Bearer ${key}`;
    let body = opts.raw;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    if (/json/.test(res.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed, text };
  };

  return {
    url,
    db,
    deps,
    adminKey,
    tenantId: boot.tenant.id,
    logs,
    masterKey,
    request,
    ...(engine ? { sim: engine.sim, boss: engine.boss, worker: engine.worker } : {}),
    close: async () => {
      await engine?.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      redis?.disconnect();
      await db.drop();
    },
  };
}
