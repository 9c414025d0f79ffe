/**
 * Number checks end to end: the tenant turns them on through the real HTTP API, a file import
 * queues the `number-checks` job in its own transaction, and a worker looks the numbers up
 * through the Twilio connector (the real twilio SDK) against the carrier simulator.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { csvBytes, eventually, importCsv } from '../support/data.ts';
import { startWorker } from '../../core/jobs/worker.ts';
import { queues } from '../../core/jobs/queue.ts';
import { checkImportedNumbers, INVALID_NUMBER_REASON } from '../../core/contacts/number-quality.ts';
import type { TwilioSim } from '../../sim/twilio/index.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import type PgBoss from 'pg-boss';

let app: TestApp & { sim: TwilioSim; boss: PgBoss; worker: WorkerDeps };
let worker: { stop(): Promise<void> } | null = null;

before(async () => {
  // No worker yet: the tests look at the queued job before one runs it.
  app = await testEngineApp({ worker: false });
});
after(async () => {
  await worker?.stop();
  await app.close();
});

const MOBILE = '+8613800138000';
const LANDLINE = '+861065529988';
const OTHER = '+8615912345678';
/** Accepted by our numbering plan copy at import, refused by the carrier (see below). */
const CARRIER_INVALID = '+861380013800099';

const contactByPhone = async (phone: string) => {
  const res = await app.request('GET', `/v1/contacts?phone=${encodeURIComponent(phone)}`);
  assert.equal(res.status, 200, res.text);
  return res.body.items[0] as { id: string; phoneInvalidReason: string | null } | undefined;
};
const jobs = async () =>
  (
    await app.db.pool.query<{ data: Record<string, unknown>; state: string; retry_count: number }>(
      `select data, state, retry_count from pgboss.job where name = $1 order by created_on`,
      [queues.numberChecks],
    )
  ).rows;
const lookups = (phone: string) => app.sim.lookups().filter((l) => l.phoneNumber === phone).length;

describe('chase rules: numberChecks', () => {
  test('PUT then GET /v1/chase-rules round-trips the setting; unset means off; a wrong value names the field', async () => {
    const initial = await app.request('GET', '/v1/chase-rules');
    assert.equal(initial.status, 200, initial.text);
    assert.equal(initial.body.numberChecks, undefined, 'off until set');

    const put = await app.request('PUT', '/v1/chase-rules', { body: { numberChecks: 'before-first-dial', caps: { callsPerDay: 2 } } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.numberChecks, 'before-first-dial');
    const got = await app.request('GET', '/v1/chase-rules');
    assert.equal(got.body.numberChecks, 'before-first-dial');
    assert.equal(got.body.caps.callsPerDay, 2, 'the other rules are kept alongside');

    const bad = await app.request('PUT', '/v1/chase-rules', { body: { numberChecks: 'sometimes' } });
    assert.equal(bad.status, 400, bad.text);
    assert.match(bad.text, /numberChecks/);
    assert.equal((await app.request('GET', '/v1/chase-rules')).body.numberChecks, 'before-first-dial', 'a refused PUT changes nothing');
  });
});

describe('checks at import', () => {
  test('with checks off or before the first dial, an import queues no lookups', async () => {
    const res = await importCsv(app, csvBytes(['phone', OTHER]));
    assert.equal(res.status, 201, res.text);
    assert.equal((await jobs()).length, 0);
  });

  test("with 'at-import', the import queues one job of ids; the worker checks every number, marks the invalid one and leaves the landline callable", async () => {
    const put = await app.request('PUT', '/v1/chase-rules', { body: { numberChecks: 'at-import' } });
    assert.equal(put.status, 200, put.text);
    const res = await importCsv(app, csvBytes(['姓名,手机号', `张伟,${MOBILE}`, `黄磊,${LANDLINE}`, `李娜,${OTHER}`, '王芳,abc']));
    assert.equal(res.status, 201, res.text);
    assert.deepEqual({ created: res.body.created, updated: res.body.updated, rejected: res.body.rejected.length }, { created: 2, updated: 1, rejected: 1 });

    const queued = await jobs();
    assert.equal(queued.length, 1);
    assert.deepEqual(queued[0]!.data, { tenantId: app.tenantId, importId: res.body.id }, 'ids only: no number, no name');

    // Our import validates with the same numbering-plan metadata as the simulator's Lookup,
    // so no file can land a number the carrier refuses. Stand in for a plan change between
    // the two by re-pointing one imported contact at a number the carrier calls invalid.
    const other = await contactByPhone(OTHER);
    await app.db.pool.query(`update contacts set phone_enc = $3, phone_hash = $4 where tenant_id = $1 and id = $2`, [
      app.tenantId,
      other!.id,
      app.deps.pii.encrypt(CARRIER_INVALID),
      app.deps.pii.phoneIndex(CARRIER_INVALID),
    ]);

    worker = await startWorker(app.worker, app.boss, { schedule: false, idleMs: 20 });
    await eventually(async () => (await jobs())[0]?.state === 'completed', 'the number-checks job to complete');

    const marked = await app.request('GET', `/v1/contacts/${other!.id}`);
    assert.equal(marked.body.phoneInvalidReason, INVALID_NUMBER_REASON, 'the invalid number is marked');
    assert.equal(marked.body.dialable, false, 'parsed, but the carrier refused it');
    assert.equal((await contactByPhone(MOBILE))?.phoneInvalidReason, null);
    assert.equal((await contactByPhone(LANDLINE))?.phoneInvalidReason, null, 'a landline is still called');
    for (const phone of [MOBILE, LANDLINE, CARRIER_INVALID]) assert.equal(lookups(phone), 1, phone);
    const cached = await app.db.pool.query<{ valid: boolean; line_type: string | null }>(
      `select valid, line_type from number_checks where tenant_id = $1 and phone_hash = $2`,
      [app.tenantId, app.deps.pii.phoneIndex(LANDLINE)],
    );
    assert.deepEqual(cached.rows, [{ valid: true, line_type: 'landline' }]);
    assert.ok(!app.logs.some((l) => l.includes('13800138000') || l.includes('65529988')), 'no number in the logs');
  });

  test('importing the same numbers again asks the carrier nothing: the checks are cached', async () => {
    const res = await importCsv(app, csvBytes(['phone', MOBILE, LANDLINE]));
    assert.equal(res.status, 201, res.text);
    await eventually(async () => (await jobs()).length === 2 && (await jobs())[1]!.state === 'completed', 'the second job to complete');
    assert.equal(lookups(MOBILE), 1);
    assert.equal(lookups(LANDLINE), 1);
  });

  test('a lookup that fails fails the job, which pg-boss retries; the retry finishes the checks', async () => {
    const fresh = '+8618612345678';
    app.sim.failNext({ status: 503 });
    const res = await importCsv(app, csvBytes(['phone', fresh]));
    assert.equal(res.status, 201, res.text);
    await eventually(async () => (await jobs())[2]?.state === 'completed', 'the third job to complete after its retry', 20_000);
    assert.equal((await jobs())[2]!.retry_count, 1, 'the first run failed and was retried');
    assert.equal(lookups(fresh), 1, 'the simulator records only the lookup it answered');
    const failure = app.logs.filter((l) => l.includes(queues.numberChecks));
    assert.ok(failure.length > 0, 'the failure is logged with its queue');
    assert.ok(!failure.some((l) => l.includes('12345678')), 'without the number');
    const { rows } = await app.db.pool.query(`select valid from number_checks where tenant_id = $1 and phone_hash = $2`, [
      app.tenantId,
      app.deps.pii.phoneIndex(fresh),
    ]);
    assert.deepEqual(rows, [{ valid: true }]);
  });
});

describe('checkImportedNumbers in pieces', () => {
  test('a big import is checked a slice per job; a number the carrier refused before is marked again without a lookup', async () => {
    await app.request('PUT', '/v1/chase-rules', { body: { numberChecks: 'before-first-dial' } }); // no job: the test drives it
    const phones = ['+8613700137001', '+8613700137002', '+8613700137003'];
    // The contact marked in the test above loses its mark, as if an upsert had re-written it.
    await app.db.pool.query(`update contacts set phone_invalid_reason = null where tenant_id = $1 and phone_hash = $2`, [
      app.tenantId,
      app.deps.pii.phoneIndex(CARRIER_INVALID),
    ]);
    const res = await importCsv(app, csvBytes(['phone', ...phones]));
    assert.equal(res.status, 201, res.text);
    await app.db.pool.query(`update contacts set updated_at = now() where tenant_id = $1 and phone_hash = $2`, [
      app.tenantId,
      app.deps.pii.phoneIndex(CARRIER_INVALID),
    ]);
    const run = () => checkImportedNumbers(app.worker, app.worker.carrier, app.tenantId, res.body.id, { limit: 2 });
    assert.deepEqual(await run(), { looked: 2, invalid: 1, more: true });
    assert.deepEqual(await run(), { looked: 1, invalid: 0, more: false });
    assert.deepEqual(await run(), { looked: 0, invalid: 0, more: false });
    for (const phone of phones) assert.equal(lookups(phone), 1, phone);
    assert.equal(lookups(CARRIER_INVALID), 1, 'marked again from the cache');
    const { rows } = await app.db.pool.query(`select phone_invalid_reason from contacts where tenant_id = $1 and phone_hash = $2`, [
      app.tenantId,
      app.deps.pii.phoneIndex(CARRIER_INVALID),
    ]);
    assert.deepEqual(rows, [{ phone_invalid_reason: INVALID_NUMBER_REASON }]);
  });
});
