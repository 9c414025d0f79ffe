/**
 * The worker half of Chaseline: runs the chase queues in this process. Any number of
 * processes may run it against one database; pg-boss hands each job to one of them.
 */
import type PgBoss from 'pg-boss';
import type { WorkerDeps } from '../deps.ts';
import { loggable } from '../errors.ts';
import { failDeadLetteredStep, runChaseStep } from '../chases/step.ts';
import { applyCallReport, type CallReport } from '../chases/outcomes.ts';
import { reapAttempts } from '../chases/reaper.ts';
import { pruneDeliveries } from '../inbound/deliveries.ts';
import { eraseDueShops } from '../commerce/uninstall.ts';
import { interruptDeadImports } from '../imports/liveness.ts';
import { runCallMachine, runDialogAction, type CallMachineJob, type DialogActionJob } from '../dialog/actions.ts';
import { runCommerceEvent, type CommerceEventJob } from '../commerce/chases.ts';
import { runSync, type SyncJob } from '../crm/sync.ts';
import { sendWriteBacks, wakeOverdueWriteBacks, type WriteBackJob } from '../outbox/outbox.ts';
import { refreshWatchedSegments } from '../segments/entries.ts';
import { judgeRunningExperiments } from '../experiments/decide.ts';
import { foldDeltas } from '../reports/rollups.ts';
import { runNumberChecks, type NumberChecksJob } from '../contacts/number-quality.ts';
import type { StepJob } from '../chases/transitions.ts';
import { dispatchEvents, sendDeliveries, type EventDeliveryJob } from '../events/deliver.ts';
import { queues } from './queue.ts';
import { runQueue, type Runner } from './runner.ts';

export interface WorkerOptions {
  /** Chase steps run concurrently per process (each holds a connection while it reserves). */
  concurrency?: number;
  idleMs?: number;
  /** Run the reaper and the segment refresh on a schedule (every minute). */
  schedule?: boolean;
  /** How often new outbound events are looked for when none was found (default 1 s). */
  eventsPollMs?: number;
}

/**
 * The events table is the dispatcher's queue: events are written by whatever transaction
 * caused them (with no job queue at hand), so each worker looks for undispatched ones every
 * poll — a cheap query on a partial index — and fans them out at once when it finds some.
 */
function pollEvents(deps: WorkerDeps, everyMs: number, onError: (err: unknown) => void): Runner {
  let stopping = false;
  let timer: NodeJS.Timeout | null = null;
  let wake: (() => void) | null = null;
  const loop = (async () => {
    while (!stopping) {
      let found = 0;
      try {
        found = await dispatchEvents(deps);
      } catch (err) {
        onError(err);
      }
      if (found || stopping) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, everyMs);
      });
    }
  })();
  return {
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}

export async function startWorker(deps: WorkerDeps, boss: PgBoss, options: WorkerOptions = {}): Promise<{ stop(): Promise<void> }> {
  const onError = (err: unknown, job: PgBoss.Job<object> | null) =>
    deps.log?.warn({ error: loggable(err), queue: job?.name, jobId: job?.id }, 'job failed; pg-boss retries it with backoff');
  const common = { idleMs: options.idleMs ?? 100, onError };
  const runners: Runner[] = [
    runQueue<StepJob>(boss, queues.chaseStep, (job) => runChaseStep(deps, job), { ...common, batchSize: options.concurrency ?? 20 }),
    runQueue<StepJob>(boss, queues.chaseDead, (job) => failDeadLetteredStep(deps, job), { ...common, idleMs: 1000 }),
    runQueue<CallReport>(boss, queues.callStatus, (report) => applyCallReport(deps, report), { ...common, batchSize: options.concurrency ?? 20 }),
    runQueue<DialogActionJob>(boss, queues.dialogAction, (job) => runDialogAction(deps, job), { ...common, batchSize: 10 }),
    runQueue<SyncJob>(boss, queues.connectorSync, async (job) => void (await runSync(deps, job)), { ...common, idleMs: 500, batchSize: 1 }),
    runQueue<WriteBackJob>(boss, queues.connectorWriteBack, async (job) => void (await sendWriteBacks(deps, job)), { ...common, idleMs: 500, batchSize: 2 }),
    runQueue<CommerceEventJob>(boss, queues.commerceEvent, (job) => runCommerceEvent(deps, job, deps.log), { ...common, batchSize: 10 }),
    runQueue<CallMachineJob>(boss, queues.callMachine, (job) => runCallMachine(deps, job), { ...common, batchSize: 10 }),
    // Every minute: attempts and write-backs left behind, imports whose process died while others run on, report counts to fold,
    // and webhook deliveries past the vendors' retry windows.
    runQueue<object>(
      boss,
      queues.reap,
      async () =>
        void (
          await reapAttempts(deps),
          await wakeOverdueWriteBacks(deps),
          await interruptDeadImports(deps.db, deps.log),
          await foldDeltas(deps.db),
          await eraseDueShops(deps),
          await pruneDeliveries(deps.db)
        ),
      { ...common, idleMs: 1000, batchSize: 1 },
    ),
    runQueue<object>(boss, queues.segmentsTick, async () => void (await refreshWatchedSegments(deps)), { ...common, idleMs: 1000, batchSize: 1 }),
    runQueue<object>(boss, queues.experimentsTick, async () => void (await judgeRunningExperiments(deps)), { ...common, idleMs: 1000, batchSize: 1 }),
    runQueue<EventDeliveryJob>(boss, queues.eventDelivery, async (job) => void (await sendDeliveries(deps, job)), { ...common, idleMs: 250, batchSize: 5 }),
    pollEvents(deps, options.eventsPollMs ?? 1000, (err) => onError(err, null)),
    runQueue<NumberChecksJob>(boss, queues.numberChecks, async (job) => void (await runNumberChecks(deps, deps.carrier, job)), {
      ...common,
      idleMs: 1000,
      batchSize: 2,
    }),
  ];
  if (options.schedule ?? true) {
    await boss.schedule(queues.reap, '* * * * *', {});
    await boss.schedule(queues.segmentsTick, '* * * * *', {});
    await boss.schedule(queues.experimentsTick, '* * * * *', {});
  }
  return {
    async stop() {
      await Promise.all(runners.map((r) => r.stop()));
    },
  };
}
