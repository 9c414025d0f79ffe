/**
 * Chaseline as a real process (`node --import tsx api/main.ts [mode]`), for the tests of what
 * a person starting it sees: start-up checks, signals, the data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { testDatabase, type TestDatabase } from './db.ts';

export const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Started {
  child: ChildProcess;
  /** The URL from its "listening on" line; '' for a worker, which does not listen. */
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/** Only what it needs, so nothing from the test's own environment (NODE_ENV, TWILIO_*…) leaks in. */
export const baseEnv = (): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  TMPDIR: os.tmpdir(),
});

/** The test file's empty database and data directory for the processes it starts: made before its tests, removed after. */
export function processFixture(name: string): { db: TestDatabase; dataDir: string } {
  const fixture = {} as { db: TestDatabase; dataDir: string };
  before(async () => {
    fixture.db = await testDatabase({ migrations: false });
    fixture.dataDir = await mkdtemp(path.join(os.tmpdir(), `chaseline-${name}-`));
  });
  after(async () => {
    await fixture.db?.drop();
    if (fixture.dataDir) await rm(fixture.dataDir, { recursive: true, force: true });
  });
  return fixture;
}

/** A TCP port nobody listens on right now (for a process that must know its port before it starts). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Spawns api/main.ts and waits until it listens (or, for `worker`, says it started);
 * rejects with its output if it exits first or takes longer than `timeoutMs`.
 */
export async function startProcess(env: Record<string, string>, mode: 'all' | 'api' | 'worker' = 'all', timeoutMs = 90_000): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts', mode], { cwd: root, env: { ...baseEnv(), ...env } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c));
  child.stderr!.on('data', (c: Buffer) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = mode === 'worker' ? /Chaseline worker started/ : /listening on (http:\/\/\S+?) /;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`not started in ${timeoutMs} ms:\n${out}\n${err}`));
    }, timeoutMs);
    const check = () => {
      const match = ready.exec(out);
      if (!match) return;
      clearTimeout(timer);
      resolve(match[1] ?? '');
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it started:\n${out}\n${err}`));
    });
  });
  return { child, url, stdout: () => out, stderr: () => err, exited };
}

/** `promise`, or a rejection naming `what` after `ms` (the timer does not outlive it). */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** SIGTERM, then the exit code (SIGKILL and null after `timeoutMs`). */
export async function stopProcess(s: Started, timeoutMs = 30_000): Promise<number | null> {
  s.child.kill('SIGTERM');
  const timer = setTimeout(() => s.child.kill('SIGKILL'), timeoutMs);
  try {
    return await s.exited;
  } finally {
    clearTimeout(timer);
  }
}
