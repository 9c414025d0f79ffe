// Number quality against a real PostgreSQL, with the Twilio connector (the real twilio SDK)
// asking the carrier simulator over HTTP: the cache, stale checks, failures, invalid marking.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { startTwilioSim, type TwilioSim } from '../sim/twilio/index.ts';
import { createTwilioConnector, type TwilioConnector } from '../connectors/twilio/index.ts';
import { createPii } from '../core/privacy/pii.ts';
import { bootstrapDefaultTenant } from '../core/tenants/tenants.ts';
import { upsertContact } from '../core/contacts/contacts.ts';
import { selectContact } from '../core/contacts/store.ts';
import type { Deps } from '../core/deps.ts';
import { AppError } from '../core/errors.ts';
import { checkNumber, INVALID_NUMBER_REASON, markInvalid, numberVerdict, screenNumber } from '../core/contacts/number-quality.ts';

describe('checkNumber and markInvalid against the carrier simulator', () => {
  let db: TestDatabase;
  let sim: TwilioSim;
  let twilio: TwilioConnector;
  let deps: Deps;
  let tenantId: string;
  const now = new Date('2026-03-02T10:00:00Z');
  const lookups = (e164: string) => sim.lookups().filter((l) => l.phoneNumber === e164).length;

  before(async () => {
    db = await testDatabase();
    sim = await startTwilioSim();
    twilio = createTwilioConnector({ accountSid: sim.accountSid, authToken: sim.authToken, apiBaseUrl: sim.url });
    deps = { db: db.pool, pii: createPii(randomBytes(32)) };
    tenantId = (await bootstrapDefaultTenant(deps, { adminKey: `chl_test_${randomBytes(24).toString('base64url')}`, defaultRegion: 'CN' })).tenant.id;
  });
  after(async () => {
    await sim.close();
    await db.drop();
  });

  test('a second check within the cache period answers from the cache: one lookup, one bill', async () => {
    const first = await checkNumber(deps, twilio, tenantId, '+8613800138001', now);
    assert.deepEqual(first, { valid: true, lineType: 'mobile', country: 'CN', cached: false });
    const again = await checkNumber(deps, twilio, tenantId, '+8613800138001', new Date(now.getTime() + 29 * 86_400_000));
    assert.deepEqual(again, { ...first, cached: true });
    assert.equal(lookups('+8613800138001'), 1, 'the carrier was asked once');
    const { rows } = await db.pool.query(`select * from number_checks where tenant_id = $1`, [tenantId]);
    assert.ok(
      rows.every((r) => Buffer.isBuffer(r.phone_hash) && !JSON.stringify(r).includes('13800138001')),
      'no plaintext number is stored',
    );
  });

  test('a check older than the cache period asks the carrier again and keeps the new answer', async () => {
    const phone = '+8613800138002';
    await checkNumber(deps, twilio, tenantId, phone, now);
    sim.setProfile(phone, { outcomes: { answered: 1 }, lineType: 'nonFixedVoip' }); // ported to an app number since
    const later = new Date(now.getTime() + 31 * 86_400_000);
    assert.deepEqual(await checkNumber(deps, twilio, tenantId, phone, later), { valid: true, lineType: 'voip', country: 'CN', cached: false });
    assert.equal(lookups(phone), 2);
    assert.equal((await checkNumber(deps, twilio, tenantId, phone, later, 30)).cached, true, 'the new answer is cached from its own date');
    assert.equal((await checkNumber(deps, twilio, tenantId, phone, later, 0)).cached, false, 'maxAgeDays 0 always asks');
  });

  test('the cache is per tenant', async () => {
    const other = randomUUID(); // another tenant's id: the cache keys on it, nothing else is needed
    const phone = '+8613800138003';
    await checkNumber(deps, twilio, tenantId, phone, now);
    assert.equal((await checkNumber(deps, twilio, other, phone, now)).cached, false);
    assert.equal(lookups(phone), 2);
  });

  test('a failed lookup throws a retryable error and caches nothing', async () => {
    const phone = '+8613800138004';
    sim.failNext({ status: 503 });
    await assert.rejects(checkNumber(deps, twilio, tenantId, phone, now), (e: unknown) => e instanceof AppError && e.retryable);
    const { rows } = await db.pool.query(`select 1 from number_checks where tenant_id = $1 and phone_hash = $2`, [tenantId, deps.pii.phoneIndex(phone)]);
    assert.equal(rows.length, 0);
    assert.equal((await checkNumber(deps, twilio, tenantId, phone, now)).cached, false, 'the retry asks the carrier');
  });

  test('a landline: the call may go ahead, the SMS may not', async () => {
    const beijing = '+861065529988'; // a Beijing fixed line: the simulator types it from the numbering plan
    const check = await checkNumber(deps, twilio, tenantId, beijing, now);
    assert.equal(check.lineType, 'landline');
    assert.equal(numberVerdict(check, 'voice'), null);
    assert.equal(numberVerdict(check, 'sms'), 'the number is a landline, which cannot receive texts');
  });

  test('a number the carrier calls invalid is marked on its contact, which is then not dialable', async () => {
    // Our import validates with the same numbering plan the simulator does, so no import lands
    // a number it would refuse; this row stands for one written before the plan changed.
    const bad = '+861380013800099';
    const id = (await upsertContact(deps, tenantId, { phone: '+8613800138005' }, 'api')).contact.id;
    await db.pool.query(`update contacts set phone_enc = $3, phone_hash = $4 where tenant_id = $1 and id = $2`, [
      tenantId,
      id,
      deps.pii.encrypt(bad),
      deps.pii.phoneIndex(bad),
    ]);
    const check = await checkNumber(deps, twilio, tenantId, bad, now);
    assert.deepEqual(check, { valid: false, lineType: null, country: null, cached: false });
    assert.equal(numberVerdict(check, 'voice'), INVALID_NUMBER_REASON);
    assert.equal(await markInvalid(db.pool, tenantId, deps.pii.phoneIndex(bad), INVALID_NUMBER_REASON), 1);
    assert.equal(await markInvalid(db.pool, tenantId, deps.pii.phoneIndex(bad), INVALID_NUMBER_REASON), 0, 'already marked');
    const contact = await selectContact(db.pool, deps.pii, tenantId, id);
    assert.equal(contact?.phoneInvalidReason, INVALID_NUMBER_REASON);
  });

  test('screenNumber: nothing is looked up while the tenant has checks off; once on, it checks, caches and marks', async () => {
    const bad = '+861390013900099';
    const id = (await upsertContact(deps, tenantId, { phone: '+8613800138006' }, 'api')).contact.id;
    await db.pool.query(`update contacts set phone_enc = $3, phone_hash = $4 where tenant_id = $1 and id = $2`, [
      tenantId,
      id,
      deps.pii.encrypt(bad),
      deps.pii.phoneIndex(bad),
    ]);
    assert.equal(await screenNumber(deps, twilio, tenantId, bad, 'voice', now), null, 'off by default');
    assert.equal(lookups(bad), 0);
    await db.pool.query(`update tenants set chase_rules = chase_rules || '{"numberChecks":"before-first-dial"}' where id = $1`, [tenantId]);
    assert.equal(await screenNumber(deps, twilio, tenantId, bad, 'voice', now), INVALID_NUMBER_REASON);
    assert.equal((await selectContact(db.pool, deps.pii, tenantId, id))?.phoneInvalidReason, INVALID_NUMBER_REASON);
    assert.equal(await screenNumber(deps, twilio, tenantId, '+861065529988', 'sms', now), 'the number is a landline, which cannot receive texts');
    assert.equal(await screenNumber(deps, twilio, tenantId, '+861065529988', 'voice', now, 'before-first-dial'), null);
    assert.equal(lookups(bad), 1);
    assert.equal(lookups('+861065529988'), 1, 'the landline was answered from the cache of the earlier test');
  });
});
