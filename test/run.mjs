#!/usr/bin/env node
// The `npm test` runner. Node 20's `--test` takes no globs, so this collects the
// *.test.ts files itself, provides a PostgreSQL when DATABASE_URL is unset (an
// embedded one in a temporary directory, removed afterwards), and runs
// `node --import tsx --test` over the files.
//
//   node test/run.mjs                          every test
//   node test/run.mjs core/phone api/auth      files whose path contains any of these
//   node test/run.mjs core/db --test-name-pattern=idempotent   options go to node (use --opt=value)
//
// DATABASE_URL (e.g. in CI) is the admin connection test/support/db.ts creates a
// database per test file with. REDIS_URL is passed through untouched. Tests get
// TMPDIR pointing into the runner's own temporary directory, so whatever they
// leave behind (say, after Ctrl-C) goes when the run ends.
// CHASELINE_DEBUG_PG=1 prints the embedded server's own log.
//
// Nothing can hang the run. Each test file gets FILE_TIMEOUT_MS: on Node 20, `--test-timeout`
// bounds a test *file* as a whole (its subprocess), and the tests inside are timed only by
// their own `timeout` options. The longest file (test/chases/crash.test.ts) takes about
// 75 s on an idle 2-core machine; 5 minutes leaves room for a loaded one. Pass
// `--test-timeout=<ms>` to change it. The whole run is stopped after RUN_TIMEOUT_MS
// (CHASELINE_TEST_RUN_TIMEOUT_MS; default 20 minutes, four times the full suite).
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const FILE_TIMEOUT_MS = 300_000;
const RUN_TIMEOUT_MS = Number(process.env.CHASELINE_TEST_RUN_TIMEOUT_MS) || 20 * 60_000;
/** After asking the tests to stop, how long they get before they are killed. */
const KILL_GRACE_MS = 10_000;
const TEST_DIRS = ['core', 'connectors', 'api', 'webhooks', 'openapi', 'sim', 'test', 'demo', 'console', 'plugins'];
const SKIP_DIRS = new Set(['node_modules', '.data']);

const args = process.argv.slice(2);
const nodeOptions = args.filter((a) => a.startsWith('-'));
const filters = args.filter((a) => !a.startsWith('-')).map((f) => f.replace(/^\.\//, '').replaceAll('\\', '/'));

let embedded; // { url, port, stop() } when we started a server
let tmpDir;
let child;
let interrupted; // the signal that asked us to stop
let timedOut = false; // the run passed RUN_TIMEOUT_MS

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    interrupted ??= signal;
    stopTests(signal); // their exit then runs the normal cleanup
  });
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (err) {
  console.error(`test/run.mjs: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
} finally {
  await cleanup();
}
process.exit(interrupted ? 128 + os.constants.signals[interrupted] : exitCode);

async function main() {
  const all = (await Promise.all(TEST_DIRS.map((d) => findTests(d)))).flat().sort();
  const files = filters.length ? all.filter((f) => filters.some((filter) => f.includes(filter))) : all;
  if (!files.length) {
    console.error(filters.length ? `test/run.mjs: no test file matches ${filters.join(', ')}` : 'test/run.mjs: no test files found');
    return filters.length ? 1 : 0;
  }

  // 0755 all the way down: as root, PostgreSQL runs as `postgres` and must get through.
  tmpDir = await mkdtemp(path.join(os.tmpdir(), 'chaseline-test-'));
  await chmod(tmpDir, 0o755);
  await mkdir(path.join(tmpDir, 'tmp'), { mode: 0o755 });
  const env = { ...process.env, TMPDIR: path.join(tmpDir, 'tmp') };
  if (!env.DATABASE_URL) {
    env.DATABASE_URL = await startEmbedded();
    if (interrupted) return 1;
  }

  // The console's build, once, before any test can start a server that would build it too: the
  // browser tests need it, and every `npm start` a test makes would otherwise start its own.
  if (!filters.length || files.some((f) => f.includes('console'))) await buildConsole();
  if (interrupted) return 1;

  // A later --test-timeout among nodeOptions wins over the default.
  const nodeArgs = ['--import', 'tsx', '--test', '--test-concurrency=2', `--test-timeout=${FILE_TIMEOUT_MS}`, ...nodeOptions, ...files];
  // Its own process group, so a stop reaches every test file's process and what they started.
  child = spawn(process.execPath, nodeArgs, { cwd: root, env, stdio: 'inherit', detached: true });
  const guard = setTimeout(() => {
    console.error(`test/run.mjs: the run took longer than ${RUN_TIMEOUT_MS / 1000} s (CHASELINE_TEST_RUN_TIMEOUT_MS): stopping it`);
    timedOut = true;
    stopTests('SIGTERM');
  }, RUN_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      resolve(timedOut ? 1 : (code ?? 128 + (os.constants.signals[signal] ?? 0)));
    });
  });
}

/** Signals the tests' process group; whatever is still there after the grace period is killed. */
function stopTests(signal) {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const group = (sig) => {
    try {
      process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  group(signal);
  setTimeout(() => group('SIGKILL'), KILL_GRACE_MS).unref();
}

async function findTests(dir) {
  const entries = await readdir(path.join(root, dir), { withFileTypes: true }).catch(() => []);
  const found = [];
  for (const entry of entries) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory() && !SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) found.push(...(await findTests(rel)));
    else if (entry.isFile() && entry.name.endsWith('.test.ts')) found.push(rel);
  }
  return found;
}

/** Builds console/dist unless it is fresh (api/runtime/web-build.ts). */
async function buildConsole() {
  const { tsImport } = await import('tsx/esm/api');
  const { buildFresh, ensureBuilt } = await tsImport('../api/runtime/web-build.ts', import.meta.url);
  if (await buildFresh()) return;
  const started = Date.now();
  console.error('test/run.mjs: building the console (console/dist is missing or older than its sources)');
  await ensureBuilt().done;
  console.error(`test/run.mjs: console built in ${Date.now() - started} ms`);
}

/** Starts PostgreSQL in the run's temporary directory; returns the admin URL (database `postgres`). */
async function startEmbedded() {
  const { tsImport } = await import('tsx/esm/api');
  const { startEmbeddedPostgres, findFreePort } = await tsImport('../api/runtime/embedded-postgres.ts', import.meta.url);
  const logger = process.env.CHASELINE_DEBUG_PG ? { debug: (m) => console.error(`[pg] ${m}`) } : undefined;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    try {
      embedded = await startEmbeddedPostgres({ dataDir: path.join(tmpDir, 'pg'), port, logger, ephemeral: true });
      break;
    } catch (err) {
      // Someone may have taken the port between findFreePort() and the bind.
      if (attempt >= 3 || interrupted) throw err;
    }
  }
  console.error(
    `test/run.mjs: embedded PostgreSQL on 127.0.0.1:${embedded.port}, ready in ${Date.now() - started} ms (set DATABASE_URL to use another server)`,
  );
  const admin = new URL(embedded.url);
  admin.pathname = '/postgres';
  return admin.toString();
}

async function cleanup() {
  try {
    await embedded?.stop();
  } catch (err) {
    console.error(`test/run.mjs: stopping embedded PostgreSQL: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (tmpDir) await rm(tmpDir, { recursive: true, force: true }).catch(() => {});
}
