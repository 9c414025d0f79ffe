/**
 * The job queue: pg-boss on our PostgreSQL. Jobs are sent inside the caller's transaction
 * (pg-boss's `db` option), so a chase and its next job commit together or not at all: a
 * crash between the two cannot lose a chase. Payloads carry ids only, never PII.
 */
import PgBoss from 'pg-boss';
import type pg from 'pg';
import { v5 as uuidv5 } from 'uuid';

export const queues = {
  /** Take one chase one step: check, reserve, call or text. */
  chaseStep: 'chase-step',
  /** Where chase-step jobs go when their retries are spent; the chase is marked failed. */
  chaseDead: 'chase-dead',
  /** A carrier status callback, after the webhook verified and deduplicated it. */
  callStatus: 'call-status',
  /** What the person asked for during the call that needs the carrier (sending the link by SMS). */
  dialogAction: 'dialog-action',
  /** Pulls a tenant's CRM contacts from the connector's cursor. */
  connectorSync: 'connector-sync',
  /** Sends a connector's pending write-backs (the outbox): activities, opt-outs, tags, notes. */
  connectorWriteBack: 'connector-writeback',
  /** A store's webhook (an abandoned checkout, an order), verified and stored: start, move or end chases. */
  commerceEvent: 'commerce-event',
  /** An answering machine picked up: leave the voicemail or hang up. */
  callMachine: 'call-machine',
  /** Resolves attempts left in dialing (a worker died) and calls whose callbacks were lost. */
  reap: 'attempts-reap',
  /** Refreshes segments watched by segment-entry campaigns and starts chases for entries. */
  segmentsTick: 'segments-tick',
  /** Sends a subscription's pending outbound events (core/events/deliver.ts); its retries are the delivery's own. */
  eventDelivery: 'event-delivery',
  /** Carrier lookups of an import's numbers (tenants with numberChecks 'at-import'). */
  numberChecks: 'number-checks',
  /** Judges running experiments with the outcomes that came in (core/experiments/decide.ts). */
  experimentsTick: 'experiments-tick',
} as const;

/** Namespace of the job ids derived from vendors' delivery keys (a fixed random UUID). */
const DELIVERY_NAMESPACE = '5b0d6f4e-8a57-4c1e-9d2a-3f6c1b7e0a94';

/** A job id that is the same for every delivery of one event (e.g. a CallSid and its status). */
export const jobIdFor = (deliveryKey: string): string => uuidv5(deliveryKey, DELIVERY_NAMESPACE);

export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export interface JobOptions {
  /**
   * The job's own id. pg-boss ignores a second send of an id its queue already holds, so an id
   * derived from a delivery (`jobIdFor`) deduplicates it in the same statement as the enqueue.
   */
  id?: string;
  startAfter?: Date;
  priority?: number;
  singletonKey?: string;
  /** With singletonKey: at most one job per key in each slot of this many seconds (a burst of sends wakes one job). */
  singletonSeconds?: number;
  /** With singletonSeconds: a send in a taken slot goes into the next slot instead of being dropped. */
  singletonNextSlot?: boolean;
}

export interface JobQueue {
  send(db: Queryable, name: string, data: object, options?: JobOptions): Promise<void>;
  sendMany(db: Queryable, name: string, jobs: { data: object; options?: JobOptions }[]): Promise<void>;
}

const wrap = (db: Queryable): PgBoss.Db => ({ executeSql: (text, values) => db.query(text, values) });

/** Queue settings: retries back off exponentially from `retryDelay` seconds. */
export interface QueueSettings {
  /** Seconds an active job may run before pg-boss takes it back for another worker (a worker died). */
  expireInSeconds: number;
  retryLimit: number;
  retryDelay: number;
}

export const DEFAULT_QUEUE_SETTINGS: QueueSettings = { expireInSeconds: 60, retryLimit: 5, retryDelay: 15 };

export function createJobQueue(boss: PgBoss): JobQueue {
  return {
    async send(db, name, data, options = {}) {
      await boss.send(name, data, { ...options, db: wrap(db) });
    },
    async sendMany(db, name, jobs) {
      for (let i = 0; i < jobs.length; i += 1000) {
        const chunk = jobs.slice(i, i + 1000).map((j) => ({ name, data: j.data, ...j.options }));
        await boss.insert(chunk, { db: wrap(db) });
      }
    },
  };
}

/** Starts pg-boss on the pool's database (its own schema) and creates our queues. */
export async function startBoss(
  pool: pg.Pool,
  settings: QueueSettings = DEFAULT_QUEUE_SETTINGS,
  options: { supervise?: boolean; maintenanceIntervalSeconds?: number } = {},
): Promise<PgBoss> {
  const boss = new PgBoss({
    db: wrap(pool),
    supervise: options.supervise ?? true,
    schedule: options.supervise ?? true,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 30,
  });
  await boss.start();
  const common = { expireInSeconds: settings.expireInSeconds, retryLimit: settings.retryLimit, retryDelay: settings.retryDelay, retryBackoff: true };
  await ensureQueue(boss, queues.chaseDead, { ...common, retryLimit: 10 });
  await ensureQueue(boss, queues.chaseStep, { ...common, deadLetter: queues.chaseDead });
  await ensureQueue(boss, queues.callStatus, { ...common, retryLimit: 10 });
  await ensureQueue(boss, queues.dialogAction, { ...common, retryLimit: 5 });
  await ensureQueue(boss, queues.callMachine, { ...common, retryLimit: 3 });
  await ensureQueue(boss, queues.commerceEvent, { ...common, retryLimit: 10 });
  // A sync of thousands of contacts paces itself under the CRM's limits: give it time.
  await ensureQueue(boss, queues.connectorSync, { ...common, retryLimit: 5, expireInSeconds: Math.max(settings.expireInSeconds, 3600) });
  // Write-backs pace themselves under the vendor's limits; their retries are the outbox's own.
  await ensureQueue(boss, queues.connectorWriteBack, { ...common, retryLimit: 5, expireInSeconds: Math.max(settings.expireInSeconds, 900) });
  await ensureQueue(boss, queues.reap, { ...common, retryLimit: 0, policy: 'singleton' });
  await ensureQueue(boss, queues.segmentsTick, { ...common, retryLimit: 0, policy: 'singleton' });
  await ensureQueue(boss, queues.experimentsTick, { ...common, retryLimit: 0, policy: 'singleton' });
  // One job looks up to 500 numbers, 5 at a time: give it minutes, not the default seconds.
  await ensureQueue(boss, queues.numberChecks, { ...common, expireInSeconds: Math.max(settings.expireInSeconds, 600) });
  // Deliveries time out at 10 s each and a run sends up to a few hundred: give it minutes.
  await ensureQueue(boss, queues.eventDelivery, { ...common, retryLimit: 5, expireInSeconds: Math.max(settings.expireInSeconds, 900) });
  return boss;
}

async function ensureQueue(boss: PgBoss, name: string, options: Omit<PgBoss.Queue, 'name'>): Promise<void> {
  if (!(await boss.getQueue(name))) {
    // Workers starting together race to create it: losing that race is fine.
    await boss.createQueue(name, { name, ...options }).catch(async (err: unknown) => {
      if (!(await boss.getQueue(name))) throw err;
    });
  }
  await boss.updateQueue(name, { name, ...options });
}
