import type pg from 'pg';
import type { Pii } from './privacy/pii.ts';
import type { JobQueue } from './jobs/queue.ts';
import { AppError } from './errors.ts';
import type { Clock, CrmConnectorFor, Messaging, NumberLookup, Speech, Telephony, WriteBackTargetFor } from './ports.ts';
import type { LineStores } from './lines/stores.ts';

/** An app Chaseline is registered as with a vendor (an OAuth client), for installs from the vendor's side. */
export interface VendorApp {
  clientId: string;
  clientSecret: string;
  /** Where the vendor sends the admin back after consent (PUBLIC_BASE_URL + the plugin's callback path). */
  redirectUri: string;
  /** The vendor's API base URL, when not its default (a simulator, a sandbox). */
  apiBaseUrl?: string;
}

/** What every use case needs from the outside world, handed in at boot. */
export interface Deps {
  db: pg.Pool;
  pii: Pii;
  /** The chase engine's queue: present where chases may start (API and worker processes). */
  jobs?: JobQueue;
  clock?: Clock;
  /** Draws experiment arms (core/common/random.ts): crypto randomness when absent; tests hand in a seeded one. */
  random?: () => number;
  /** The line pool's CPS buckets and health windows (Redis or memory); absent: a per-process memory store. */
  lines?: LineStores;
  /** Hosts besides the vendors' own that connector URLs may point at (CHASELINE_ALLOWED_VENDOR_HOSTS): simulators, sandboxes. */
  allowedVendorHosts?: readonly string[];
  /** Hosts outbound events may be sent to though not public https (CHASELINE_ALLOWED_EVENT_HOSTS): a local or internal receiver. */
  allowedEventHosts?: readonly string[];
  /** The vendor apps configured for this installation, by connector type; a plugin without its app is off. */
  apps?: Readonly<Partial<Record<string, VendorApp>>>;
}

/** A backoff: the first retry after `baseMs`, each next one doubling up to `maxMs`, `attempts` tries in all. */
export interface RetryPolicy {
  /** The first retry's delay; each next one doubles, up to maxMs. */
  baseMs: number;
  maxMs: number;
  /** Tries before giving up. */
  attempts: number;
}

/** What a worker needs to act: the carrier, and our public URL. */
export interface WorkerDeps extends Deps {
  jobs: JobQueue;
  clock: Clock;
  carrier: Telephony & Messaging & NumberLookup;
  /** Our public URL: tracked links are built on it (the carrier connector builds its own callback URLs). */
  publicBaseUrl: string;
  /** Attempts in dialing this long with no word from the carrier are reconciled by the reaper. */
  reapAfterMs?: number;
  /** Calls live this long are fetched from the carrier, in case their final callback was lost. */
  staleCallMs?: number;
  /** The tenant line pool's shared state (health windows, CPS buckets): Redis, or memory in one process. */
  lines?: LineStores;
  /** Builds a tenant's CRM connector (the registry's business, handed in at boot). */
  crm?: CrmConnectorFor;
  /** Builds a tenant's connector as a write-back target (the registry's business, handed in at boot). */
  writeBack?: WriteBackTargetFor;
  /** The outbox's backoff (default 30 s doubling to 10 min, 20 tries). */
  outboxRetry?: RetryPolicy;
  /** Outbound events' delivery backoff (default 5 s doubling to an hour, 16 tries). */
  eventRetry?: RetryPolicy;
  /** Text-to-speech: prompts are synthesised before each call; without it calls speak with the carrier's own voices. */
  speech?: Speech;
  /** How long a chase waits when another call to its number is on the line (default 5 minutes). */
  busyRetryMs?: number;
  /** How far apart the planned calls of one number's queue are at least (default 1 minute, a call's length). */
  slotSpacingMs?: number;
  log?: { info(o: object, msg: string): void; warn(o: object, msg: string): void; error(o: object, msg: string): void };
}

export const systemClock: Clock = { now: () => new Date() };

export function chaseEngine(deps: Deps): { jobs: JobQueue; clock: Clock } {
  if (!deps.jobs) throw new AppError('INTERNAL', 'the chase engine is not running in this process (no job queue)');
  return { jobs: deps.jobs, clock: deps.clock ?? systemClock };
}

/**
 * What a key may do. viewer < operator < admin is a ladder for changing things; an analyst
 * reads what a viewer reads, changes nothing, and may also export reports as CSV.
 */
export const roles = ['admin', 'operator', 'analyst', 'viewer'] as const;
export type Role = (typeof roles)[number];

/** Who is calling: resolved from the API key, then passed to every use case. */
export interface Actor {
  tenantId: string;
  keyId: string;
  role: Role;
  canManageTenants: boolean;
}
