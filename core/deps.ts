import type pg from 'pg';
import type { Pii } from './pii.ts';
import type { JobQueue } from './jobs/queue.ts';
import type { Clock } from './ports.ts';
import type { LineStores } from './lines.select.ts';

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
  /** Draws experiment arms (core/random.ts): crypto randomness when absent; tests hand in a seeded one. */
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
