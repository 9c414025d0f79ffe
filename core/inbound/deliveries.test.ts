// The one record of deliveries seen, on a real PostgreSQL: a delivery is first once per tenant
// and source, however it is repeated (one after another, or at the same moment on separate
// connections); a delivery whose handling rolled back, or was forgotten, is first again; old
// deliveries go with the retention, and are then new; and what the old dedupe tables held
// moves over when the migration runs.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { testDatabase, type TestDatabase } from '../../test/support/db.ts';
import { defaultMigrationsDir, migrate } from '../db/migrate.ts';
import { withTransaction } from '../db/pool.ts';
import { DELIVERY_RETENTION_MS, firstDelivery, firstDeliverySql, forgetDelivery, freshDeliveries, NO_TENANT, pruneDeliveries } from './deliveries.ts';

let db: TestDatabase;
before(async () => {
  db = await testDatabase();
});
after(() => db?.drop());

const tenant = () => randomUUID();
const ageBy = (ms: number, source: string) =>
  db.pool.query(`update inbound_deliveries set received_at = now() - make_interval(secs => $1::float8 / 1000) where source = $2`, [ms, source]);

describe('firstDelivery', () => {
  test('the same delivery again is not first; another tenant, source or id is', async () => {
    const t = tenant();
    const d = { tenantId: t, source: 'crm-a', deliveryId: 'evt-1' };
    assert.equal(await firstDelivery(db.pool, d), true);
    assert.equal(await firstDelivery(db.pool, d), false);
    assert.equal(await firstDelivery(db.pool, { ...d, tenantId: tenant() }), true, 'another tenant');
    assert.equal(await firstDelivery(db.pool, { ...d, source: 'crm-b' }), true, 'another source');
    assert.equal(await firstDelivery(db.pool, { ...d, deliveryId: 'evt-2' }), true, 'another delivery');
  });

  test('a delivery without a known tenant is kept under the nil tenant, and deduplicated there', async () => {
    const d = { tenantId: null, source: 'carrier-sms', deliveryId: `SM${randomUUID()}` };
    assert.equal(await firstDelivery(db.pool, d), true);
    assert.equal(await firstDelivery(db.pool, d), false);
    const { rows } = await db.pool.query(`select tenant_id from inbound_deliveries where delivery_id = $1`, [d.deliveryId]);
    assert.deepEqual(rows, [{ tenant_id: NO_TENANT }]);
  });

  test('the same delivery at the same moment on many connections: exactly one is first', async () => {
    for (let round = 0; round < 5; round++) {
      const d = { tenantId: tenant(), source: 'store', deliveryId: `race-${round}` };
      // Each in its own transaction that does a little work after recording, as the handlers do.
      const firsts = await Promise.all(
        Array.from({ length: 8 }, () =>
          withTransaction(db.pool, async (tx) => {
            const first = await firstDelivery(tx, d);
            await tx.query('select pg_sleep(0.01)');
            return first;
          }),
        ),
      );
      assert.equal(firsts.filter(Boolean).length, 1, `round ${round}`);
    }
  });

  test('a delivery whose handling rolled back is first again: the retry is acted on', async () => {
    const d = { tenantId: tenant(), source: 'store', deliveryId: 'fails-once' };
    await assert.rejects(
      withTransaction(db.pool, async (tx) => {
        assert.equal(await firstDelivery(tx, d), true);
        throw new Error('the handling failed');
      }),
      /the handling failed/,
    );
    assert.equal(await firstDelivery(db.pool, d), true);
  });

  test('a forgotten delivery is first again', async () => {
    const d = { tenantId: tenant(), source: 'crm-a', deliveryId: 'forgotten' };
    assert.equal(await firstDelivery(db.pool, d), true);
    await forgetDelivery(db.pool, d);
    assert.equal(await firstDelivery(db.pool, d), true);
    assert.equal(await firstDelivery(db.pool, d), false);
  });
});

describe('freshDeliveries', () => {
  test('of a batch, the ids not seen before, each once', async () => {
    const t = tenant();
    assert.deepEqual(await freshDeliveries(db.pool, { tenantId: t, source: 'crm-a', deliveryIds: ['1', '2', '2'] }), new Set(['1', '2']));
    assert.deepEqual(await freshDeliveries(db.pool, { tenantId: t, source: 'crm-a', deliveryIds: ['2', '3'] }), new Set(['3']));
    assert.deepEqual(await freshDeliveries(db.pool, { tenantId: t, source: 'crm-a', deliveryIds: [] }), new Set());
  });
});

describe('firstDeliverySql', () => {
  test('conditions the rest of one statement on the delivery being first', async () => {
    const t = tenant();
    await db.pool.query('create table if not exists marks (tenant_id uuid, n int)');
    const statement = `with fresh as (${firstDeliverySql({ tenant: '$1::uuid', source: 'carrier-gather', deliveryId: '$2' })})
                       insert into marks (tenant_id, n) select $1, 1 where exists (select 1 from fresh)`;
    for (let i = 0; i < 3; i++) await db.pool.query(statement, [t, 'CA1:0']);
    await Promise.all(Array.from({ length: 5 }, () => db.pool.query(statement, [t, 'CA1:1'])));
    const { rows } = await db.pool.query<{ n: number }>(`select count(*)::int as n from marks where tenant_id = $1`, [t]);
    assert.equal(rows[0]!.n, 2, 'one mark per turn');
    // A tenant expression that finds nothing is the nil tenant.
    await db.pool.query(`with fresh as (${firstDeliverySql({ tenant: '(select null::uuid)', source: 'carrier-amd', deliveryId: '$1' })}) select 1`, [
      'CA2:amd',
    ]);
    assert.equal(await firstDelivery(db.pool, { tenantId: null, source: 'carrier-amd', deliveryId: 'CA2:amd' }), false);
  });

  test('refuses a source that is not a plain name', () => {
    assert.throws(() => firstDeliverySql({ tenant: '$1', source: "x'; drop table y; --", deliveryId: '$2' }), /plain name/);
  });
});

describe('pruneDeliveries', () => {
  test('deletes deliveries past the retention, in batches; one seen again after that is new', async () => {
    const t = tenant();
    const old = Array.from({ length: 25 }, (_, i) => `old-${i}`);
    await freshDeliveries(db.pool, { tenantId: t, source: 'prune-old', deliveryIds: old });
    await ageBy(DELIVERY_RETENTION_MS + 60_000, 'prune-old');
    assert.equal(await firstDelivery(db.pool, { tenantId: t, source: 'prune-recent', deliveryId: 'recent' }), true);
    await ageBy(DELIVERY_RETENTION_MS - 60 * 60_000, 'prune-recent');

    assert.equal(await firstDelivery(db.pool, { tenantId: t, source: 'prune-old', deliveryId: 'old-0' }), false, 'still remembered before the prune');
    assert.ok((await pruneDeliveries(db.pool, { batch: 10 })) >= 25);
    assert.equal(await firstDelivery(db.pool, { tenantId: t, source: 'prune-old', deliveryId: 'old-0' }), true, 'new after the retention');
    assert.equal(await firstDelivery(db.pool, { tenantId: t, source: 'prune-recent', deliveryId: 'recent' }), false, 'within the retention: still a duplicate');
  });
});

describe('migration 030', () => {
  test('moves what the old dedupe tables hold within the retention, with the tenant where it is known, and drops them', async () => {
    const fresh = await testDatabase({ migrations: false });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'chaseline-030-'));
    try {
      const files = (await readdir(defaultMigrationsDir)).filter((f) => /^\d+_.*\.sql$/.test(f) && Number(f.slice(0, 3)) < 30);
      await Promise.all(files.map((f) => copyFile(path.join(defaultMigrationsDir, f), path.join(dir, f))));
      await migrate(fresh.pool, dir);
      const t = tenant();
      const callSid = `CA${'a'.repeat(32)}`;
      await fresh.pool.query(
        `insert into attempts (tenant_id, id, chase_id, campaign_id, phone_hash, channel, status, from_number, sid)
         values ($1, gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), '\\x00', 'voice', 'completed', '+14155550100', $2)`,
        [t, callSid],
      );
      await fresh.pool.query(
        `insert into webhook_deliveries (vendor, delivery_id, received_at) values
           ('twilio-gather', $1 || ':0', now()), ('twilio', $1 || ':amd', now()), ('twilio-dial', $1, now()),
           ('twilio-sms', 'SM0001', now()), ('twilio-gather', 'CAold:0', now() - interval '8 days')`,
        [callSid],
      );
      await fresh.pool.query(
        `insert into hubspot_events (tenant_id, event_id, subscription_id, object_id, subscription_type) values ($1, 101, 7, 55, 'contact.creation')`,
        [t],
      );
      await fresh.pool.query(
        `insert into commerce_events (tenant_id, delivery_id, topic, closes_checkout) values ($1, 'shop-delivery-1', 'orders/create', 'tok')`,
        [t],
      );
      await fresh.pool.query(`insert into inbound_deliveries (tenant_id, source, delivery_id) values ($1, 'salesforce', '04l000000000001')`, [t]);

      assert.deepEqual(await migrate(fresh.pool, defaultMigrationsDir), ['030_inbound_deliveries']);
      const { rows } = await fresh.pool.query<{ tenant_id: string; source: string; delivery_id: string }>(
        `select tenant_id, source, delivery_id from inbound_deliveries order by source, delivery_id`,
      );
      assert.deepEqual(rows, [
        { tenant_id: t, source: 'dialog-answer', delivery_id: `${callSid}:0` },
        { tenant_id: t, source: 'dialog-transfer', delivery_id: callSid },
        { tenant_id: t, source: 'hubspot', delivery_id: '101:7:55' },
        { tenant_id: NO_TENANT, source: 'inbound-sms', delivery_id: 'SM0001' },
        { tenant_id: t, source: 'machine-verdict', delivery_id: `${callSid}:amd` },
        { tenant_id: t, source: 'salesforce', delivery_id: '04l000000000001' },
        { tenant_id: t, source: 'shopify', delivery_id: 'shop-delivery-1' },
      ]);
      const { rows: left } = await fresh.pool.query(
        `select table_name from information_schema.tables where table_name in ('webhook_deliveries', 'hubspot_events', 'commerce_events')`,
      );
      assert.deepEqual(
        left.map((r) => r.table_name),
        ['commerce_events'],
        'the store keeps its events and closed checkouts',
      );
    } finally {
      await fresh.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
