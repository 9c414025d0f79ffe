// Writes through the official client: a DoNotCall flag, a single Task, and call activities
// written back 200 at a time through sObject Collections (composite/sobjects).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection } from '@salesforce/core';
import { startSalesforceSim, type SalesforceSim } from './index.ts';
import { simConnection } from './sdk.ts';

let sim: SalesforceSim;
let conn: Connection;
let clock = Date.parse('2026-03-02T09:00:00Z');
let contactIds: string[];
let leadId: string;

before(async () => {
  sim = await startSalesforceSim({ now: () => clock });
  conn = await simConnection(sim);
  contactIds = sim.insert(
    'Contact',
    Array.from({ length: 200 }, (_, i) => ({ LastName: `Hopper ${i}`, Phone: `+1415555${String(i).padStart(4, '0')}` })),
  );
  [leadId] = sim.insert('Lead', [{ LastName: 'Turing', Company: 'Bletchley', MobilePhone: '+447700900123' }]) as [string];
});
after(() => sim.close());

const errorOf = async (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err: { errorCode?: string; message: string }) => err,
  );
const task = (whoId: string, i = 0) => ({
  WhoId: whoId,
  Subject: `Call: answered (${i})`,
  Status: 'Completed',
  TaskSubtype: 'Call',
  CallType: 'Outbound',
  CallDisposition: 'answered',
  CallDurationInSeconds: 42 + i,
  CallObject: `CA${String(i).padStart(32, '0')}`,
  ActivityDate: '2026-03-02',
});

test('DoNotCall = true by PATCH, read back by GET, with SystemModstamp moved', async () => {
  const id = contactIds[0]!;
  clock += 5000;
  const saved = await conn.sobject('Contact').update({ Id: id, DoNotCall: true });
  assert.deepEqual(saved, { id, success: true, errors: [] });
  const patch = sim.requests().at(-1)!;
  assert.equal(patch.method, 'PATCH');
  assert.equal(patch.url, `/services/data/v62.0/sobjects/Contact/${id}`);
  assert.equal(patch.status, 204);
  assert.deepEqual(patch.body, { DoNotCall: true });

  const rec = await conn.sobject('Contact').retrieve(id);
  assert.equal(rec.DoNotCall, true);
  assert.equal(rec.SystemModstamp, '2026-03-02T09:00:05.000+0000');
  assert.equal(rec.CreatedDate, '2026-03-02T09:00:00.000+0000');
  assert.equal(rec.LastModifiedDate, rec.SystemModstamp);

  const refused = await errorOf(conn.sobject('Contact').update({ Id: id, SystemModstamp: '2020-01-01T00:00:00Z' }));
  assert.equal(refused?.errorCode, 'INVALID_FIELD_FOR_INSERT_UPDATE');
  const missing = await errorOf(conn.sobject('Contact').retrieve('003000000000000AAA'));
  assert.equal(missing?.errorCode, 'NOT_FOUND');
});

test('one Task by POST /sobjects/Task; a WhoId that is no Contact or Lead is refused', async () => {
  const saved = await conn.sobject('Task').create(task(leadId));
  assert.equal(saved.success, true);
  assert.match(saved.id!, /^00T[0-9A-Za-z]{15}$/);
  assert.equal(sim.requests().at(-1)!.status, 201);
  const stored = sim.records('Task').find((t) => t.Id === saved.id)!;
  assert.equal(stored.WhoId, leadId);
  assert.equal(stored.Priority, 'Normal', 'picklist default');

  const bad = await errorOf(conn.sobject('Task').create(task(saved.id!)));
  assert.equal(bad?.errorCode, 'INVALID_CROSS_REFERENCE_KEY');
  const picklist = await errorOf(conn.sobject('Task').create({ ...task(leadId), CallType: 'Sideways' }));
  assert.equal(picklist?.errorCode, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
});

test('200 call Tasks in one composite/sobjects request; 201 are refused whole', async () => {
  const before = sim.records('Task').length;
  const tasks = contactIds.map((id, i) => task(id, i));
  const results = await conn.insert('Task', tasks);
  assert.equal(results.length, 200);
  assert.ok(results.every((r) => r.success && /^00T/.test(r.id ?? '') && r.errors.length === 0));
  const sent = sim.requests().at(-1)!;
  assert.equal(sent.url, '/services/data/v62.0/composite/sobjects');
  const body = sent.body as { allOrNone: boolean; records: Array<Record<string, unknown>> };
  assert.equal(body.allOrNone, false);
  assert.deepEqual(body.records[0]!.attributes, { type: 'Task' });
  assert.equal(sim.records('Task').length, before + 200);
  const stored = sim.records('Task').find((t) => t.Id === results[7]!.id)!;
  assert.deepEqual(
    {
      WhoId: stored.WhoId,
      TaskSubtype: stored.TaskSubtype,
      CallType: stored.CallType,
      CallDurationInSeconds: stored.CallDurationInSeconds,
      Status: stored.Status,
      ActivityDate: stored.ActivityDate,
    },
    { WhoId: contactIds[7], TaskSubtype: 'Call', CallType: 'Outbound', CallDurationInSeconds: 49, Status: 'Completed', ActivityDate: '2026-03-02' },
  );

  const tooMany = await errorOf(conn.insert('Task', [...tasks, task(leadId)]));
  assert.equal(tooMany?.errorCode, 'EXCEEDED_ID_LIMIT');
  assert.equal(tooMany?.message, 'record limit reached. cannot submit more than 200 records into this call');
  assert.equal(sim.requests().at(-1)!.status, 400);
  assert.equal(sim.records('Task').length, before + 200, 'nothing written');
});

// jsforce types SaveResult errors as { errorCode }; Salesforce sends { statusCode }, as here.
test('per-record results: a bad WhoId fails alone, or rolls back everything with allOrNone', async () => {
  const before = sim.records('Task').length;
  const mixed = await conn.insert('Task', [task(contactIds[1]!), task('003000000000000AAA'), task(leadId)]);
  assert.deepEqual(
    mixed.map((r) => r.success),
    [true, false, true],
  );
  assert.deepEqual(mixed[1], {
    success: false,
    errors: [{ statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: ['WhoId'] }],
  });
  assert.equal(sim.records('Task').length, before + 2);

  const rolledBack = await conn.insert('Task', [task(contactIds[1]!), task('003000000000000AAA')], { allOrNone: true });
  assert.deepEqual(
    rolledBack.map((r) => (r.errors[0] as unknown as { statusCode?: string } | undefined)?.statusCode),
    ['ALL_OR_NONE_OPERATION_ROLLED_BACK', 'INVALID_CROSS_REFERENCE_KEY'],
  );
  assert.equal(sim.records('Task').length, before + 2, 'nothing written');

  // Collections update (jsforce sends lower-case `id`) flags several contacts at once.
  const flagged = await conn.update(
    'Contact',
    contactIds.slice(10, 13).map((Id) => ({ Id, DoNotCall: true })),
  );
  assert.ok(flagged.every((r) => r.success));
  assert.deepEqual(
    sim
      .records('Contact')
      .filter((c) => c.DoNotCall)
      .map((c) => c.Id),
    [contactIds[0], ...contactIds.slice(10, 13)],
  );

  // Collections delete (DELETE composite/sobjects?ids=) is soft: queryAll still sees them.
  const doomed = sim
    .records('Task')
    .slice(0, 2)
    .map((t) => String(t.Id));
  assert.deepEqual(
    (await conn.destroy('Task', doomed)).map((r) => r.success),
    [true, true],
  );
  const again = await conn.destroy('Task', [doomed[0]!, String(sim.records('Task')[2]!.Id)]);
  assert.deepEqual(
    again.map((r) => r.success),
    [false, true],
  );
  doomed.push(String(sim.records('Task')[2]!.Id));
  assert.deepEqual(
    sim
      .records('Task')
      .filter((t) => t.IsDeleted)
      .map((t) => t.Id),
    doomed,
  );
});
