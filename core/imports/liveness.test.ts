// Which running imports are alive, as any process sees it: an import is alive while the
// connection holding its lock is; when that connection goes (its process died), the sweep a
// worker runs every minute marks the import interrupted, while the other processes run on.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { holdImportLease, interruptDeadImports } from './liveness.ts';
import { queues } from '../jobs/queue.ts';
import { testEngineApp, type TestApp } from '../../test/support/app.ts';
import { eventually } from '../../test/support/data.ts';
import type PgBoss from 'pg-boss';

let app: TestApp & { boss: PgBoss };
before(async () => {
  app = await testEngineApp();
});
after(() => app.close());

async function runningImport(counts = { total: 0, created: 0 }): Promise<string> {
  const id = randomUUID();
  await app.db.pool.query(`insert into imports (tenant_id, id, kind, status, total, created) values ($1, $2, 'contacts', 'running', $3, $4)`, [
    app.tenantId,
    id,
    counts.total,
    counts.created,
  ]);
  return id;
}
const status = async (id: string) =>
  (await app.db.pool.query<{ status: string; error: string | null }>(`select status, error from imports where id = $1`, [id])).rows[0]!;

test('an import whose lock is held elsewhere is alive; once that process is gone, the sweep interrupts it and keeps its counts', async () => {
  // "Another process": a pool of its own, under a name of its own.
  const other = new pg.Pool({ connectionString: app.db.url, application_name: 'chaseline-other-process' });
  const aliveId = randomUUID();
  const lease = await holdImportLease(other, aliveId);
  await app.db.pool.query(`insert into imports (tenant_id, id, kind, status, total, created) values ($1, $2, 'contacts', 'running', 4000, 3990)`, [
    app.tenantId,
    aliveId,
  ]);
  const deadId = await runningImport({ total: 2000, created: 1995 });

  const swept = await interruptDeadImports(app.db.pool);
  assert.deepEqual(swept, [{ tenantId: app.tenantId, id: deadId, total: 2000, committed: 1995 }]);
  assert.equal((await status(aliveId)).status, 'running');
  assert.equal((await status(deadId)).status, 'interrupted');
  assert.deepEqual(await interruptDeadImports(app.db.pool), [], 'each import is marked once');

  // The process's connection dies: PostgreSQL drops the session and with it the lock.
  await app.db.pool.query(
    `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'chaseline-other-process' and datname = current_database()`,
  );
  await eventually(async () => (await interruptDeadImports(app.db.pool)).some((i) => i.id === aliveId), 'the dead session to let its import go', 10_000);
  assert.match((await status(aliveId)).error ?? '', /stopped before the end of the file/);
  // Had that import's process lived on, it would learn it lost its lease before landing more rows.
  await eventually(
    () => {
      try {
        lease.check();
        return false;
      } catch (err) {
        return /lost its database session/.test((err as Error).message);
      }
    },
    'the lease to see its connection lost',
    10_000,
  );
  await lease.release();
  await other.end();
});

test("a worker's minute heals an import left running by a dead process", async () => {
  const id = await runningImport();
  await app.boss.send(queues.reap, {});
  await eventually(async () => (await status(id)).status === 'interrupted', 'the scheduled sweep to interrupt the import', 15_000);
});

test('a lease released at the end of an import leaves nothing held', async () => {
  const id = await runningImport();
  const lease = await holdImportLease(app.db.pool, id);
  assert.deepEqual(await interruptDeadImports(app.db.pool), []);
  await lease.release();
  await lease.release(); // twice is harmless
  assert.deepEqual(
    (await interruptDeadImports(app.db.pool)).map((i) => i.id),
    [id],
  );
});
