/** A throwaway database with the default tenant in it, for core tests that need one tenant and nothing else. */
import { randomBytes } from 'node:crypto';
import { createPii } from '../../core/pii.ts';
import { bootstrapDefaultTenant } from '../../core/tenants.ts';
import type { Deps } from '../../core/deps.ts';
import { testDatabase, type TestDatabase } from './db.ts';

export async function testTenant(defaultRegion = 'US'): Promise<{ db: TestDatabase; deps: Deps; tenantId: string }> {
  const db = await testDatabase();
  const deps: Deps = { db: db.pool, pii: createPii(randomBytes(32)) };
  const boot = await bootstrapDefaultTenant(deps, { adminKey: `chl_test_${randomBytes(24).toString('base64url')}`, defaultRegion });
  return { db, deps, tenantId: boot.tenant.id };
}
