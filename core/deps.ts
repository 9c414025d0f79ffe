import type pg from 'pg';
import type { Pii } from './pii.ts';

/** What every use case needs from the outside world, handed in at boot. */
export interface Deps {
  db: pg.Pool;
  pii: Pii;
}

export const roles = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof roles)[number];

/** Who is calling: resolved from the API key, then passed to every use case. */
export interface Actor {
  tenantId: string;
  keyId: string;
  role: Role;
  canManageTenants: boolean;
}
