/** A throwaway database with the default tenant in it, for core tests that need one tenant and nothing else. */
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { createPii } from '../../core/privacy/pii.ts';
import { bootstrapDefaultTenant } from '../../core/tenants/tenants.ts';
import type { Deps } from '../../core/deps.ts';
import { testDatabase, type TestDatabase } from './db.ts';

export async function testTenant(defaultRegion = 'US'): Promise<{ db: TestDatabase; deps: Deps; tenantId: string }> {
  const db = await testDatabase();
  const deps: Deps = { db: db.pool, pii: createPii(randomBytes(32)) };
  const boot = await bootstrapDefaultTenant(deps, { adminKey: `chl_test_${randomBytes(24).toString('base64url')}`, defaultRegion });
  return { db, deps, tenantId: boot.tenant.id };
}

/** The test file's tenant: made before its tests run, its database dropped after them. */
export function tenantPerFile(defaultRegion = 'US'): { db: TestDatabase; deps: Deps; tenantId: string } {
  const t = {} as Awaited<ReturnType<typeof testTenant>>;
  before(async () => void Object.assign(t, await testTenant(defaultRegion)));
  after(() => t.db.drop());
  return t;
}
