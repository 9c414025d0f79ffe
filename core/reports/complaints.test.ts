/**
 * Complaints as reports and script flags count them: opting out within 48 hours of being chased
 * is a complaint about each chase that reached out (once per chase); later, or by an imported
 * list, it is not.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { optOut, recordOptOuts, storedPhone } from '../consent/consent.ts';
import { withTransaction } from '../db/pool.ts';
import { recordComplaint } from './complaints.ts';
import { tenantPerFile } from '../../test/support/tenant.ts';

const t = tenantPerFile();
const HOUR = 3_600_000;

/** A chase of `phone` in a campaign of its own, with one attempt `hoursAgo`. */
async function chased(phone: string, hoursAgo: number, status = 'completed'): Promise<string> {
  const campaignId = randomUUID();
  const chaseId = randomUUID();
  const hash = t.deps.pii.phoneIndex(phone);
  const at = new Date(Date.now() - hoursAgo * HOUR);
  await t.db.pool.query(
    `insert into campaigns (tenant_id, id, name, trigger, channel, rules, scripts, lines) values ($1, $2, 'c', '{"type":"manual"}', '{"policy":"voice"}', '{}', '[]', '[]')`,
    [t.tenantId, campaignId],
  );
  await t.db.pool.query(
    `insert into chases (tenant_id, id, campaign_id, contact_id, phone_hash, status, next_channel, due_at, deadline_at)
     values ($1, $2, $3, $4, $5, 'completed', 'voice', $6, $6)`,
    [t.tenantId, chaseId, campaignId, randomUUID(), hash, at],
  );
  await t.db.pool.query(
    `insert into attempts (tenant_id, id, chase_id, campaign_id, phone_hash, channel, status, from_number, created_at)
     values ($1, $2, $3, $4, $5, 'voice', $6, '+14155550100', $7)`,
    [t.tenantId, randomUUID(), chaseId, campaignId, hash, status, at],
  );
  return chaseId;
}

const complaints = async () =>
  new Map(
    (await t.db.pool.query<{ chase_id: string; source: string }>(`select chase_id, source from chase_complaints`)).rows.map((r) => [r.chase_id, r.source]),
  );

test('an opt-out within 48 hours of an attempt is a complaint about that chase, once', async () => {
  const recent = await chased('+14155550101', 3);
  const alsoRecent = await chased('+14155550101', 47);
  const old = await chased('+14155550101', 49);
  const refused = await chased('+14155550101', 1, 'not-placed');
  await optOut(t.deps, t.tenantId, { phone: '+14155550101', channel: 'sms', source: 'sms-stop' });
  await optOut(t.deps, t.tenantId, { phone: '+14155550101', channel: 'all', source: 'api' });
  const seen = await complaints();
  assert.equal(seen.get(recent), 'opt-out');
  assert.equal(seen.get(alsoRecent), 'opt-out');
  assert.equal(seen.has(old), false, 'an attempt more than 48 h before is not what the person reacted to');
  assert.equal(seen.has(refused), false, 'a call the carrier never placed reached nobody');
  assert.equal(seen.size, 2);
});

test('a do-not-call list imported after a chase is not a complaint', async () => {
  const chase = await chased('+14155550102', 2);
  const phone = storedPhone(t.deps.pii, '+14155550102');
  await recordOptOuts(t.deps, t.tenantId, [{ ...phone, channel: 'all', source: 'import' }]);
  assert.equal((await complaints()).has(chase), false);
});

test('a complaint heard on the call counts once, however often it is heard', async () => {
  const chase = await chased('+14155550103', 0);
  const first = await withTransaction(t.db.pool, (tx) => recordComplaint(tx, t.tenantId, chase, new Date(), 'intent'));
  const again = await withTransaction(t.db.pool, (tx) => recordComplaint(tx, t.tenantId, chase, new Date(), 'intent'));
  assert.deepEqual([first, again], [true, false]);
  assert.equal((await complaints()).get(chase), 'intent');
});
