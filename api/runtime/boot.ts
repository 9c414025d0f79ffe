/**
 * Brings up what every entry point (API server, CLI) needs: the database (embedded when
 * DATABASE_URL is unset), migrations, the PII keys and the default tenant.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import type { Logger } from 'pino';
import { vendorApps, type Config } from '../config.ts';
import type { Deps } from '../../core/deps.ts';
import { createPool } from '../../core/db/pool.ts';
import { loggable } from '../../core/errors.ts';
import { migrate } from '../../core/db/migrate.ts';
import { createPii, generateMasterKey, parseMasterKey } from '../../core/privacy/pii.ts';
import { bootstrapDefaultTenant, type Bootstrap } from '../../core/tenants/tenants.ts';
import { interruptDeadImports } from '../../core/imports/liveness.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { announceAdminKey } from './admin-key.ts';

export interface Runtime {
  deps: Deps;
  pool: pg.Pool;
  /** 'embedded' or 'external' database. */
  databaseMode: 'embedded' | 'external';
  bootstrap: Bootstrap;
  stop(): Promise<void>;
}

/** The key from CHASELINE_ENCRYPTION_KEY, else one generated once into the data dir (development only). */
async function masterKey(config: Config, log: Logger): Promise<Buffer> {
  if (config.CHASELINE_ENCRYPTION_KEY) return parseMasterKey(config.CHASELINE_ENCRYPTION_KEY, 'CHASELINE_ENCRYPTION_KEY');
  const file = path.resolve(config.CHASELINE_DATA_DIR, 'encryption.key');
  if (!existsSync(file)) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${generateMasterKey()}\n`, { mode: 0o600 });
    log.warn(
      { file },
      'CHASELINE_ENCRYPTION_KEY is not set: generated a key into the data directory. Back it up, or set the variable; without it the stored contacts cannot be read.',
    );
  } else {
    log.warn({ file }, 'CHASELINE_ENCRYPTION_KEY is not set: using the generated key in the data directory (development only)');
  }
  return parseMasterKey(await readFile(file, 'utf8'), file);
}

export async function boot(config: Config, log: Logger): Promise<Runtime> {
  let databaseUrl = config.DATABASE_URL;
  let stopEmbedded = async () => {};
  const databaseMode = databaseUrl ? 'external' : 'embedded';
  if (!databaseUrl) {
    const dataDir = path.resolve(config.CHASELINE_DATA_DIR, 'pg');
    const embedded = await startEmbeddedPostgres({
      dataDir,
      port: config.CHASELINE_EMBEDDED_PG_PORT,
      logger: {
        debug: (msg) => log.debug({ component: 'embedded-postgres' }, msg),
        info: (msg) => log.info({ component: 'embedded-postgres' }, msg),
        warn: (msg) => log.warn({ component: 'embedded-postgres' }, msg),
      },
    });
    databaseUrl = embedded.url;
    stopEmbedded = embedded.stop;
    log.info({ dataDir, port: embedded.port, attached: embedded.attached }, 'database: embedded PostgreSQL (DATABASE_URL is not set)');
  } else {
    log.info({ database: redactUrl(databaseUrl) }, 'database: DATABASE_URL');
  }

  // The error only: node-postgres attaches its client (connection parameters) to what it emits.
  const pool = createPool(databaseUrl, { onIdleError: (err) => log.warn({ error: loggable(err) }, 'idle database connection lost') });
  try {
    const applied = await migrate(pool);
    if (applied.length) log.info({ applied }, 'migrations applied');
    const previous = (config.CHASELINE_PREVIOUS_ENCRYPTION_KEYS ?? '')
      .split(',')
      .filter((k) => k.trim())
      .map((k) => parseMasterKey(k, 'CHASELINE_PREVIOUS_ENCRYPTION_KEYS'));
    const deps: Deps = {
      db: pool,
      pii: createPii(await masterKey(config, log), previous),
      allowedVendorHosts: config.CHASELINE_ALLOWED_VENDOR_HOSTS,
      allowedEventHosts: config.CHASELINE_ALLOWED_EVENT_HOSTS,
      apps: vendorApps(config),
    };
    const bootstrap = await bootstrapDefaultTenant(deps, {
      adminKey: config.CHASELINE_ADMIN_KEY,
      defaultRegion: config.CHASELINE_DEFAULT_REGION,
    });
    // Now, not once the server listens: whatever fails after this commit, the key was shown.
    if (bootstrap.generatedAdminKey) announceAdminKey(bootstrap.generatedAdminKey);
    // Imports left running by a process that died (this one's predecessor, or another's).
    await interruptDeadImports(pool, log);
    return {
      deps,
      pool,
      databaseMode,
      bootstrap,
      stop: async () => {
        await pool.end();
        await stopEmbedded();
      },
    };
  } catch (err) {
    await pool.end().catch(() => undefined);
    await stopEmbedded();
    throw err;
  }
}

/** A database URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
