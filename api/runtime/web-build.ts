/**
 * The builds of the pages Chaseline serves — the console (console/dist) and the Shopify app's
 * embedded page (plugins/shopify/web/dist), both gitignored — made when missing or older than
 * their sources, so a fresh clone needs nothing beyond `npm install && npm start`.
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

/** A page built with Vite from `dir` (its vite.config.ts, index.html, src/, public/) into `dir/dist`. */
export interface WebPage {
  name: string;
  dir: string;
  dist: string;
}

const page = (name: string, dir: string): WebPage => ({ name, dir, dist: path.join(dir, 'dist') });
export const consolePage = page('the console', fileURLToPath(new URL('../../console/', import.meta.url)));
export const shopifyPage = page("the Shopify app's page", fileURLToPath(new URL('../../plugins/shopify/web/', import.meta.url)));
export const consoleDist = consolePage.dist;

/** What a build is made from; a change to any of them makes the build stale. */
const SOURCES = ['src', 'index.html', 'vite.config.ts', 'public'];
const lockOf = (p: WebPage) => path.join(p.dir, '.build.lock');
const BUILD_TIMEOUT_MS = 180_000;

async function newestSource(p: string): Promise<number> {
  const s = await stat(p).catch(() => null);
  if (!s) return 0;
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of await readdir(p)) newest = Math.max(newest, await newestSource(path.join(p, entry)));
  return newest;
}

/** True when the page's dist exists and is newer than every source file. */
export async function buildFresh(p: WebPage = consolePage): Promise<boolean> {
  const built = await stat(path.join(p.dist, 'index.html')).catch(() => null);
  if (!built) return false;
  const sources = await Promise.all(SOURCES.map((s) => newestSource(path.join(p.dir, s))));
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
async function takeLock(p: WebPage): Promise<boolean> {
  const lock = lockOf(p);
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  for (;;) {
    try {
      const handle = await open(lock, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number(await readFile(lock, 'utf8').catch(() => ''));
    if (holder && !alive(holder))
      await rm(lock, { force: true }); // left by a process that died
    else await sleep(500);
    if (await buildFresh(p)) return false;
    if (Date.now() > deadline) throw new Error(`waited too long for another process building ${p.name}`);
  }
}

export interface WebBuild {
  /** Settles when the build is fresh (built here or by another process). */
  done: Promise<void>;
  /** Ends a build under way (at shutdown). */
  stop(): void;
}

/** Builds `p` into `outDir` (a Vite child process, killed after BUILD_TIMEOUT_MS). */
export function runVite(p: WebPage, outDir: string, onChild: (child: ChildProcess) => void = () => undefined): Promise<void> {
  const vite = path.join(path.dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const args = [vite, 'build', '--config', path.join(p.dir, 'vite.config.ts'), '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: p.dir, stdio: ['ignore', 'pipe', 'pipe'] });
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
      else reject(new Error(`building ${p.name} failed (${signal ?? `exit ${code}`}):\n${output}`));
    });
  });
}

/** Builds the page (default: the console) unless its build is fresh; one build at a time per checkout. */
export function ensureBuilt(p: WebPage = consolePage): WebBuild {
  let child: ChildProcess | undefined;
  let stopped = false;
  const done = (async () => {
    if (await buildFresh(p)) return;
    if (!(await takeLock(p))) return;
    const outDir = path.join(p.dir, `.dist-${process.pid}-${randomBytes(4).toString('hex')}`);
    const old = `${outDir}-old`;
    try {
      if (await buildFresh(p)) return;
      await runVite(p, outDir, (c) => {
        child = c;
        if (stopped) c.kill('SIGTERM');
      });
      await rename(p.dist, old).catch(() => undefined);
      await rename(outDir, p.dist);
    } finally {
      await rm(outDir, { recursive: true, force: true });
      await rm(old, { recursive: true, force: true });
      await rm(lockOf(p), { force: true });
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
