/**
 * The console's build (console/dist, gitignored), made when it is missing or older than the
 * console's sources, so a fresh clone needs nothing beyond `npm install && npm start`.
 *
 * Vite runs in a child process: a build is seconds of CPU that the API's event loop should not
 * wait behind, and a stop can end it at once. Processes sharing a checkout (tests, an api and a
 * worker) take turns through a lock file and build into a directory of their own that is then
 * swapped in, so /app never serves half a build.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const consoleDir = fileURLToPath(new URL('../../console/', import.meta.url));
export const consoleDist = path.join(consoleDir, 'dist');
const LOCK = path.join(consoleDir, '.build.lock');
/** What the build is made from; a change to any of them makes the build stale. */
const SOURCES = ['src', 'index.html', 'vite.config.ts', 'public'];
const BUILD_TIMEOUT_MS = 180_000;

async function newestSource(p: string): Promise<number> {
  const s = await stat(p).catch(() => null);
  if (!s) return 0;
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of await readdir(p)) newest = Math.max(newest, await newestSource(path.join(p, entry)));
  return newest;
}

/** True when console/dist exists and is newer than every source file. */
export async function consoleBuildFresh(): Promise<boolean> {
  const built = await stat(path.join(consoleDist, 'index.html')).catch(() => null);
  if (!built) return false;
  const sources = await Promise.all(SOURCES.map((s) => newestSource(path.join(consoleDir, s))));
  return built.mtimeMs >= Math.max(...sources);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Takes the build lock, waiting while another live process holds it; false if the build got fresh meanwhile. */
async function takeLock(): Promise<boolean> {
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  for (;;) {
    try {
      const handle = await open(LOCK, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number(await readFile(LOCK, 'utf8').catch(() => ''));
    if (holder && !alive(holder)) await rm(LOCK, { force: true }); // left by a process that died
    else await sleep(500);
    if (await consoleBuildFresh()) return false;
    if (Date.now() > deadline) throw new Error('waited too long for another process building the console');
  }
}

export interface ConsoleBuild {
  /** Settles when the build is fresh (built here or by another process). */
  done: Promise<void>;
  /** Ends a build under way (at shutdown). */
  stop(): void;
}

function runVite(outDir: string, onChild: (child: ChildProcess) => void): Promise<void> {
  const vite = path.join(path.dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const args = [vite, 'build', '--config', path.join(consoleDir, 'vite.config.ts'), '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: consoleDir, stdio: ['ignore', 'pipe', 'pipe'] });
    // Background work: at the lowest priority, so a server starting beside it answers (and
    // places calls) as fast as without it.
    try {
      if (child.pid) os.setPriority(child.pid, 19);
    } catch {
      // not permitted here: the build just runs at normal priority
    }
    onChild(child);
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`building the console failed (${signal ?? `exit ${code}`}):\n${output}`));
    });
  });
}

/** Builds the console unless its build is fresh; one build at a time per checkout. */
export function ensureConsoleBuilt(): ConsoleBuild {
  let child: ChildProcess | undefined;
  let stopped = false;
  const done = (async () => {
    if (await consoleBuildFresh()) return;
    if (!(await takeLock())) return;
    const outDir = path.join(consoleDir, `.dist-${process.pid}-${randomBytes(4).toString('hex')}`);
    const old = `${outDir}-old`;
    try {
      if (await consoleBuildFresh()) return;
      await runVite(outDir, (c) => {
        child = c;
        if (stopped) c.kill('SIGTERM');
      });
      await rename(consoleDist, old).catch(() => undefined);
      await rename(outDir, consoleDist);
    } finally {
      await rm(outDir, { recursive: true, force: true });
      await rm(old, { recursive: true, force: true });
      await rm(LOCK, { force: true });
    }
  })();
  return {
    done,
    stop() {
      stopped = true;
      child?.kill('SIGTERM');
    },
  };
}
