/**
 * `npm run chaseline -- <command>`: administration from a terminal, against the same database
 * the server uses (DATABASE_URL, or the embedded one under .data/).
 *
 *   import FILE [--kind contacts|do-not-call] [--region CN] [--channel all|voice|sms] [--tenant ID]
 *   rotate-key
 *   admin-key --reset
 *   reports rebuild [--tenant ID]
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type { Actor } from '../core/deps.ts';
import { AppError } from '../core/errors.ts';
import { importFile, importKinds, type ImportKind } from '../core/imports/imports.ts';
import { rotateKeys } from '../core/privacy/pii-rotate.ts';
import { resetBootstrapKey } from '../core/tenants/tenants.ts';
import { rebuildRollups } from '../core/reports/rollups.ts';
import type { Channel } from '../core/consent/consent.ts';
import { readContactFile } from '../connectors/files/index.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { boot, type Runtime } from './runtime/boot.ts';
import { createLogger } from './runtime/log.ts';

const USAGE = `Usage: npm run chaseline -- <command>

  import FILE      Import contacts (or a do-not-call list) from a CSV or XLSX file
      --kind contacts|do-not-call   default contacts
      --region CN                   region for numbers without a country code (default: the tenant's)
      --channel all|voice|sms       for do-not-call lists (default all)
      --tenant ID                   default: the default tenant
  rotate-key       Re-encrypt all stored PII with CHASELINE_ENCRYPTION_KEY; put the old key in
                   CHASELINE_PREVIOUS_ENCRYPTION_KEYS and stop the API and workers first
  admin-key --reset
                   Revoke the default tenant's bootstrap admin key(s) and print a new one
                   (the database keeps only a hash of a key, so a lost key cannot be shown again)
  reports rebuild  Recount the report rollups from the stored chases, attempts and imports
      --tenant ID                   default: every tenant
`;

async function runReports(runtime: Runtime, args: string[]) {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { tenant: { type: 'string' } } });
  if (positionals[0] !== 'rebuild') throw new Error('reports: the command is `reports rebuild [--tenant ID]`');
  const { rows } = await runtime.deps.db.query<{ id: string }>(`select id from tenants where $1::uuid is null or id = $1 order by id`, [values.tenant ?? null]);
  for (const t of rows) {
    const started = Date.now();
    await rebuildRollups(runtime.deps.db, t.id);
    process.stderr.write(`tenant ${t.id}: rollups rebuilt in ${Date.now() - started} ms\n`);
  }
  process.stdout.write(`${JSON.stringify({ rebuilt: rows.length })}\n`);
}

async function runAdminKey(runtime: Runtime, config: Config, args: string[]) {
  const { values } = parseArgs({ args, options: { reset: { type: 'boolean' } } });
  if (!values.reset) throw new Error('a key cannot be shown again (only its hash is stored): use `admin-key --reset` to revoke it and get a new one');
  const { key, revoked } = await resetBootstrapKey(runtime.deps);
  process.stderr.write(`Revoked ${revoked.length} bootstrap key(s) of the default tenant. The new admin key (shown only this once):\n`);
  process.stdout.write(`${key.key}\n`);
  if (config.CHASELINE_ADMIN_KEY) {
    process.stderr.write('CHASELINE_ADMIN_KEY is set: the key it names is revoked too and stays revoked; remove it from the environment.\n');
  }
}

async function runImport(runtime: Runtime, args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { kind: { type: 'string' }, region: { type: 'string' }, channel: { type: 'string' }, tenant: { type: 'string' } },
  });
  const file = positionals[0];
  if (!file) throw new Error('import needs a FILE');
  const kind = (values.kind ?? 'contacts') as ImportKind;
  if (!importKinds.includes(kind)) throw new Error(`--kind must be one of ${importKinds.join(', ')}`);
  const tenantId = values.tenant ?? runtime.bootstrap.tenant.id;
  const actor: Actor = { tenantId, keyId: '00000000-0000-0000-0000-000000000000', role: 'admin', canManageTenants: false };

  const size = (await stat(file)).size;
  const bar = new cliProgress.SingleBar(
    { format: ' {bar} {percentage}% | {rows} rows | {eta_formatted} left', hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  bar.start(size, 0, { rows: 0 });
  const stream = createReadStream(file);
  let rows = 0;
  stream.on('data', () => bar.update(Math.min(stream.bytesRead, size), { rows }));
  const source = await readContactFile(stream, { filename: path.basename(file) });
  const result = await importFile(runtime.deps, actor, source, {
    kind,
    defaultRegion: values.region,
    channel: values.channel as Channel | undefined,
    onProgress: (n) => {
      rows = n;
      bar.update(Math.min(stream.bytesRead, size), { rows });
    },
  });
  bar.update(size, { rows: result.total });
  bar.stop();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(USAGE);
    return;
  }
  if (!['import', 'rotate-key', 'admin-key', 'reports'].includes(command)) throw new Error(`unknown command "${command}"\n\n${USAGE}`);
  // The CLI places no calls, so it runs without a carrier even in production.
  const config = loadConfig(process.env, { carrier: false });
  // Logs go to stderr at warn so the command's own output stays readable.
  const runtime = await boot(config, createLogger({ ...config, LOG_LEVEL: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL }, {}, 2));
  // Ctrl-C must still stop an embedded PostgreSQL this command started.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void runtime.stop().finally(() => process.exit(130)));
  }
  try {
    if (command === 'import') await runImport(runtime, rest);
    else if (command === 'admin-key') await runAdminKey(runtime, config, rest);
    else if (command === 'reports') await runReports(runtime, rest);
    else {
      const done = await rotateKeys(runtime.deps, (table, n) => process.stderr.write(`\r${table}: ${n} rows re-encrypted`));
      process.stderr.write('\n');
      process.stdout.write(`${JSON.stringify({ keyId: runtime.deps.pii.currentKeyId, rotated: done })}\n`);
    }
  } finally {
    await runtime.stop();
  }
}

try {
  await main(process.argv.slice(2));
} catch (err) {
  const message = err instanceof ConfigError || err instanceof AppError ? err.message : (err as Error).message;
  process.stderr.write(`chaseline: ${message}\n`);
  process.exit(1);
}
