/** Worker processes for the crash and concurrency tests: `npm run worker`'s startWorker, each in its own process. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestApp } from '../support/app.ts';
import type { TwilioSim } from '../../sim/twilio/index.ts';

const WORKER = fileURLToPath(new URL('./worker.process.ts', import.meta.url));

export interface WorkerProcesses {
  spawn(concurrency?: number): Promise<ChildProcess>;
  killAll(): void;
}

/** @param env extra settings for worker.process.ts (TEST_REDIS_URL, TEST_BUSY_RETRY_MS, TEST_SLOT_SPACING_MS…) */
export function workerProcesses(app: TestApp & { sim: TwilioSim }, env: Record<string, string> = {}): WorkerProcesses {
  const children = new Set<ChildProcess>();
  return {
    async spawn(concurrency = 10) {
      const child = fork(WORKER, [], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        env: {
          ...process.env,
          TEST_DATABASE_URL: app.db.url,
          TEST_MASTER_KEY: app.masterKey.toString('base64'),
          TEST_SIM_URL: app.sim.url,
          TEST_SIM_SID: app.sim.accountSid,
          TEST_SIM_TOKEN: app.sim.authToken,
          TEST_PUBLIC_URL: app.url,
          TEST_EXPIRE_SECONDS: '4',
          TEST_CONCURRENCY: String(concurrency),
          ...env,
        },
      });
      children.add(child);
      child.once('exit', () => children.delete(child));
      await new Promise<void>((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
      });
      return child;
    },
    killAll() {
      for (const child of children) child.kill('SIGKILL');
    },
  };
}
