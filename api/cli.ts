/**
 * `npm run chaseline -- <command>`: administration from a terminal, against the same database
 * the server uses (DATABASE_URL, or the embedded one under .data/).
 *
 *   import FILE [--kind contacts|do-not-call] [--region CN] [--channel all|voice|sms] [--tenant ID]
 *   rotate-key
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { pino } from 'pino';
import type { Actor } from '../core/deps.ts';
import { AppError } from '../core/errors.ts';
import { importFile, importKinds, type ImportKind } from '../core/imports.ts';
import { rotateKeys } from '../core/pii.rotate.ts';
import type { Channel } from '../core/consent.ts';
import { readContactFile } from '../connectors/files/index.ts';
import { ConfigError, loadConfig } from './config.ts';
import { boot, type Runtime } from './runtime/boot.ts';

const USAGE = `Usage: npm run chaseline -- <command>

  import FILE      Import contacts (or a do-not-call list) from a CSV or XLSX file
      --kind contacts|do-not-call   default contacts
      --region CN                   region for numbers without a country code (default: the tenant's)
      --channel all|voice|sms       for do-not-call lists (default all)
      --tenant ID                   default: the default tenant
  rotate-key       Re-encrypt all stored PII with CHASELINE_ENCRYPTION_KEY; put the old key in
                   CHASELINE_PREVIOUS_ENCRYPTION_KEYS and stop the API and workers first
`;

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
  if (command !== 'import' && command !== 'rotate-key') throw new Error(`unknown command "${command}"\n\n${USAGE}`);
  // The CLI places no calls, so it runs without a carrier even in production.
  const config = loadConfig(process.env, { carrier: false });
  // Logs go to stderr at warn so the command's own output stays readable.
  const runtime = await boot(config, pino({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL }, pino.destination(2)));
  // Ctrl-C must still stop an embedded PostgreSQL this command started.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void runtime.stop().finally(() => process.exit(130)));
  }
  try {
    if (command === 'import') await runImport(runtime, rest);
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
