/**
 * `npm start` runs the API and the worker in one process; `npm run api` and `npm run worker`
 * run the two halves (any number of each, against one database).
 */
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createApp } from './app.ts';
import { boot } from './runtime/boot.ts';
import { EmbeddedPostgresError } from './runtime/embedded-postgres.ts';
import { startEngine } from './runtime/engine.ts';
import { consolePage, ensureBuilt, shopifyPage, type WebBuild } from './runtime/web-build.ts';
import { createLogger } from './runtime/log.ts';
import { drainOnSignals } from './runtime/shutdown.ts';

type Mode = 'all' | 'api' | 'worker';

async function main(config: Config, mode: Mode) {
  const log = createLogger(config, { base: { service: mode === 'worker' ? 'chaseline-worker' : 'chaseline' } });
  const runtime = await boot(config, log);
  const readyChecks: Record<string, () => Promise<void>> = {};
  let redis: Redis | undefined;
  if (config.REDIS_URL) {
    redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
    redis.on('error', (err) => log.warn({ err: err.message }, 'redis error'));
    readyChecks.redis = async () => void (await redis!.ping());
    log.info('shared state: Redis (REDIS_URL)');
  } else {
    log.info('shared state: in this process (REDIS_URL is not set; run a single node)');
  }
  // The console (/app), and the Shopify app's embedded page when the app is configured, are built
  // in the background when missing or older than their sources (one after the other: each is
  // seconds of CPU); until then they say they are being built. Workers serve no pages.
  const shopifyApp = Boolean(config.SHOPIFY_API_KEY && config.SHOPIFY_API_SECRET);
  const pages = mode === 'worker' ? [] : [{ page: consolePage, at: '/app' }, ...(shopifyApp ? [{ page: shopifyPage, at: '/plugins/shopify/app' }] : [])];
  let pageBuild: WebBuild | undefined;
  void (async () => {
    for (const { page, at } of pages) {
      pageBuild = ensureBuilt(page);
      await pageBuild.done.then(
        () => log.info(`${page.name} is ready at ${at}`),
        (err: Error) => log.error({ err: err.message }, `${page.name} could not be built: ${at} is unavailable`),
      );
    }
  })();
  const engine = await startEngine(config, runtime, log, { worker: mode !== 'api', port: config.PORT });
  const drain = drainOnSignals({
    log,
    alongside: () => engine.drainJobs(25_000),
    finally: async () => {
      pages.length = 0; // no build starts after this one
      pageBuild?.stop();
      await engine.stop();
      await redis?.quit().catch(() => undefined);
      await runtime.stop();
    },
  });
  if (mode === 'worker') {
    log.info({ database: runtime.databaseMode }, 'Chaseline worker started');
    return;
  }

  const app = createApp({
    deps: { ...runtime.deps, lines: engine.lines },
    log,
    maxUploadBytes: config.CHASELINE_MAX_UPLOAD_MB * 1048576,
    readyChecks,
    engine: { jobs: engine.jobs, verifier: engine.carrier, publicBaseUrl: engine.publicBaseUrl },
    authLimit: { redis },
    metricsToken: config.CHASELINE_METRICS_TOKEN,
    plugins: {
      ...(config.SHOPIFY_API_KEY && config.SHOPIFY_API_SECRET
        ? {
            shopify: {
              apiKey: config.SHOPIFY_API_KEY,
              apiSecret: config.SHOPIFY_API_SECRET,
              appUrl: engine.publicBaseUrl,
              defaultRegion: config.CHASELINE_DEFAULT_REGION,
              ...(config.SHOPIFY_API_BASE_URL ? { apiBaseUrl: config.SHOPIFY_API_BASE_URL } : {}),
            },
          }
        : {}),
    },
  });
  const server = app.listen(config.PORT, config.HOST);
  drain.serve(server);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = config.PUBLIC_BASE_URL ?? `http://localhost:${port}`;
  log.info(
    { url, host: config.HOST, port, database: runtime.databaseMode, tenant: runtime.bootstrap.tenant.id },
    `Chaseline API listening on ${url} (docs at ${url}/docs)`,
  );
  if (!config.CHASELINE_METRICS_TOKEN && config.NODE_ENV === 'production')
    log.warn('CHASELINE_METRICS_TOKEN is not set: /metrics is open to anyone who can reach this port');
}

try {
  const mode = (process.argv[2] ?? 'all') as Mode;
  if (!['all', 'api', 'worker'].includes(mode)) throw new Error(`unknown mode ${mode}: use all, api or worker`);
  await main(loadConfig(), mode);
} catch (err) {
  if (err instanceof ConfigError || err instanceof EmbeddedPostgresError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`Chaseline could not start: ${(err as Error).stack ?? err}\n`);
  }
  process.exit(1);
}
