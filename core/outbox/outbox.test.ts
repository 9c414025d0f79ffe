/**
 * The outbox's settling, with a vendor that answers as the connectors do: what a connector
 * reports written before a later request failed (details.partial) is done and never sent
 * again; only the rest is retried.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withTransaction } from '../db/pool.ts';
import { AppError } from '../errors.ts';
import { enqueueWriteBacks, sendWriteBacks } from './outbox.ts';
import type { WriteBack, WriteBackResult } from '../ports.ts';
import { tenantPerFile } from '../../test/support/tenant.ts';

const t = tenantPerFile();

const tags = (externalId: string): WriteBack => ({ kind: 'tags', externalId, add: ['chase:answered'] });

test('items a failing call already wrote are settled; the retry sends only the others', async () => {
  await withTransaction(t.db.pool, (tx) =>
    enqueueWriteBacks(
      tx,
      t.deps,
      t.tenantId,
      ['1', '2', '3'].map((id) => ({ connector: 'crm', item: tags(id) })),
    ),
  );
  const sent: string[][] = [];
  let fail = true;
  const target = {
    async writeBack(items: WriteBack[]): Promise<WriteBackResult[]> {
      sent.push(items.map((i) => (i.kind === 'tags' ? i.externalId : '?')));
      if (fail) {
        fail = false;
        // The first request (items 1 and 3) went through, the second (item 2) did not.
        throw new AppError('UPSTREAM', 'HTTP 503', {
          retryable: true,
          details: { partial: [{ status: 'done', vendorId: 'a' }, null, { status: 'done', vendorId: 'c' }] },
        });
      }
      return items.map(() => ({ status: 'done' }));
    },
  };
  // The queue only records the wake-up the failure schedules.
  const wakeUps: object[] = [];
  const jobs = { send: async (_db: unknown, _name: string, data: object) => void wakeUps.push(data), sendMany: async () => {} };
  const first = await sendWriteBacks(
    { ...t.deps, jobs, writeBack: async () => target, outboxRetry: { baseMs: 1, maxMs: 1, attempts: 5 } },
    { tenantId: t.tenantId, connector: 'crm' },
  );
  assert.deepEqual(first, { done: 2, dead: 0, retrying: 1 });
  assert.deepEqual(wakeUps, [{ tenantId: t.tenantId, connector: 'crm' }], 'a retry is scheduled for what is left');
  await new Promise((r) => setTimeout(r, 20));
  const second = await sendWriteBacks({ ...t.deps, jobs, writeBack: async () => target }, { tenantId: t.tenantId, connector: 'crm' });
  assert.deepEqual(second, { done: 1, dead: 0, retrying: 0 });
  assert.deepEqual(sent, [['1', '2', '3'], ['2']], 'item 1 and 3 were never sent twice');
  const { rows } = await t.db.pool.query<{ status: string; vendor_id: string | null; attempts: number }>(
    `select status, vendor_id, attempts from outbox order by id`,
  );
  assert.deepEqual(rows, [
    { status: 'done', vendor_id: 'a', attempts: 1 },
    { status: 'done', vendor_id: null, attempts: 2 },
    { status: 'done', vendor_id: 'c', attempts: 1 },
  ]);
});
