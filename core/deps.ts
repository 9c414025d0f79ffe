import type pg from 'pg';
import type { Pii } from './pii.ts';
import type { JobQueue } from './jobs/queue.ts';
import type { Clock } from './ports.ts';
import type { LineStores } from './lines.select.ts';

/** What every use case needs from the outside world, handed in at boot. */
export interface Deps {
  db: pg.Pool;
  pii: Pii;
  /** The chase engine's queue: present where chases may start (API and worker processes). */
  jobs?: JobQueue;
  clock?: Clock;
  /** Draws experiment arms (core/random.ts): crypto randomness when absent; tests hand in a seeded one. */
  random?: () => number;
  /** The line pool's CPS buckets and health windows (Redis or memory); absent: a per-process memory store. */
  lines?: LineStores;
  /** Hosts besides the vendors' own that connector URLs may point at (CHASELINE_ALLOWED_VENDOR_HOSTS): simulators, sandboxes. */
  allowedVendorHosts?: readonly string[];
  /** Hosts outbound events may be sent to though not public https (CHASELINE_ALLOWED_EVENT_HOSTS): a local or internal receiver. */
  allowedEventHosts?: readonly string[];
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
