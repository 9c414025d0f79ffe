/** `npm start` / `npm run api`: the HTTP API in one process. */
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createApp } from './app.ts';
import { boot } from './runtime/boot.ts';

async function main(config: Config) {
  const log = pino({ level: config.LOG_LEVEL, base: { service: 'chaseline' } });
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
  if (!config.TWILIO_ACCOUNT_SID) {
    log.warn('carrier: no Twilio credentials are configured. No real call or SMS will be placed.');
  }

  const app = createApp({
    deps: runtime.deps,
    log,
    maxUploadBytes: config.CHASELINE_MAX_UPLOAD_MB * 1048576,
    readyChecks,
  });
  const server = app.listen(config.PORT);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = config.PUBLIC_BASE_URL ?? `http://localhost:${port}`;
  log.info({ url, database: runtime.databaseMode, tenant: runtime.bootstrap.tenant.id }, `Chaseline API listening on ${url} (docs at ${url}/docs)`);
  if (runtime.bootstrap.generatedAdminKey) {
    // Printed once, on first run, to the terminal only: the database keeps just its hash.
    process.stderr.write(
      `\n  Admin API key of the default tenant (shown only this once; set CHASELINE_ADMIN_KEY to choose your own):\n\n    ${runtime.bootstrap.generatedAdminKey}\n\n`,
    );
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    server.close();
    server.closeAllConnections();
    await redis?.quit().catch(() => undefined);
    await runtime.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

try {
  await main(loadConfig());
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`Chaseline could not start: ${(err as Error).stack ?? err}\n`);
  }
  process.exit(1);
}
