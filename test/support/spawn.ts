/**
 * Chaseline's own entry points as a person runs them: `node --import tsx api/main.ts` (what
 * `npm start` runs) and `api/cli.ts` (`npm run chaseline`), spawned with an environment of the
 * test's choosing, their output kept for assertions. Every wait has a time limit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { root } from './process.ts';

export interface Spawned {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or 128 + signal number) once the process has exited. */
  exited: Promise<number>;
  /** Resolves when `pattern` appears in stdout or stderr; rejects on exit or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** SIGTERM, then SIGKILL after 15 s; resolves with the exit code. */
  stop(): Promise<number>;
}

export function spawnNode(args: string[], env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((l) => l());
  child.stdout!.on('data', (c: Buffer) => ((out += c), changed()));
  child.stderr!.on('data', (c: Buffer) => ((err += c), changed()));
  let done = false;
  const exited = new Promise<number>((resolve) => {
    child.once('close', (code, signal) => {
      done = true;
      changed();
      resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0));
    });
  });
  const waitFor = (pattern: RegExp, timeoutMs = 60_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(out) ?? pattern.exec(err);
        if (match) return finish(() => resolve(match));
        if (done) finish(() => reject(new Error(`exited before ${pattern} appeared:\n${out}\n${err}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`${pattern} did not appear within ${timeoutMs / 1000} s:\n${out}\n${err}`))), timeoutMs);
      const finish = (then: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        then();
      };
      listeners.add(check);
      check();
    });
  const stop = async () => {
    if (!done) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  return { child, stdout: () => out, stderr: () => err, exited, waitFor, stop };
}

/** `npm run chaseline -- …args`: resolves once it exits. */
export async function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = spawnNode(['api/cli.ts', ...args], env);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  try {
    const code = await run.exited;
    return { code, stdout: run.stdout(), stderr: run.stderr() };
  } finally {
    clearTimeout(timer);
  }
}

/** The indented `chl_…` line Chaseline prints a new admin key on. */
export const printedAdminKey = (text: string): string | undefined => /^\s+(chl_\S+)\s*$/m.exec(text)?.[1];
