// A package's custom fields and platform event through the official client: unknown until
// deployed (INVALID_FIELD, NOT_FOUND), then written, queried and published as in an org.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection } from '@salesforce/core';
import { startSalesforceSim, type SalesforceSim } from './index.ts';
import { simConnection } from './sdk.ts';

let sim: SalesforceSim;
let conn: Connection;
let contactId: string;

before(async () => {
  sim = await startSalesforceSim();
  conn = await simConnection(sim);
  [contactId] = sim.insert('Contact', [{ LastName: 'Hopper', Phone: '+14155550100' }]) as [string];
});
after(() => sim.close());

const errorOf = async (p: PromiseLike<unknown>) =>
  Promise.resolve(p).then(
    () => assert.fail('Salesforce accepted it'),
    (err: { errorCode?: string; message: string }) => err,
  );

test('a custom field the org does not have is refused with INVALID_FIELD, and nothing changes', async () => {
  const err = await errorOf(conn.requestPatch(`/sobjects/Contact/${contactId}`, { Chaseline_Attempts__c: 2 }));
  assert.equal(err.errorCode, 'INVALID_FIELD');
  assert.match(err.message, /No such column 'Chaseline_Attempts__c' on sobject of type Contact/);
  assert.equal('Chaseline_Attempts__c' in sim.records('Contact')[0]!, false);
  const query = await errorOf(conn.query('SELECT Id, Chaseline_Attempts__c FROM Contact'));
  assert.equal(query.errorCode, 'INVALID_FIELD');
});

test('deployed custom fields are written, typed, and queried', async () => {
  sim.addCustomFields('Contact', [
    { name: 'Chaseline_Attempts__c', kind: 'int' },
    { name: 'Chaseline_Last_Chase_At__c', kind: 'datetime' },
    { name: 'Chaseline_Last_Outcome__c', kind: 'string' },
  ]);
  await conn.requestPatch(`/sobjects/Contact/${contactId}`, {
    Chaseline_Attempts__c: 2,
    Chaseline_Last_Chase_At__c: '2026-03-02T09:00:05.120Z',
    Chaseline_Last_Outcome__c: 'interested',
  });
  const { records } = await conn.query<{ Chaseline_Attempts__c: number; Chaseline_Last_Chase_At__c: string; Chaseline_Last_Outcome__c: string }>(
    'SELECT Chaseline_Attempts__c, Chaseline_Last_Chase_At__c, Chaseline_Last_Outcome__c FROM Contact',
  );
  assert.equal(records[0]!.Chaseline_Attempts__c, 2);
  assert.equal(records[0]!.Chaseline_Last_Chase_At__c, '2026-03-02T09:00:05.120+0000');
  assert.equal(records[0]!.Chaseline_Last_Outcome__c, 'interested');
  const bad = await errorOf(conn.requestPatch(`/sobjects/Contact/${contactId}`, { Chaseline_Last_Chase_At__c: 'yesterday' }));
  assert.equal(bad.errorCode, 'INVALID_TYPE_ON_FIELD_IN_RECORD');
});

test('a platform event the org does not have is NOT_FOUND; a deployed one is published with its UUID', async () => {
  const missing = await errorOf(conn.requestPost('/sobjects/Chase_Ended__e', { Outcome__c: 'interested' }));
  assert.equal(missing.errorCode, 'NOT_FOUND');

  sim.addPlatformEvent('Chase_Ended__e', [
    { name: 'Outcome__c', kind: 'string' },
    { name: 'Attempts__c', kind: 'int' },
    { name: 'Record_Id__c', kind: 'string', required: true },
  ]);
  const saved = await conn.requestPost<{ id: string; success: boolean; errors: Array<{ statusCode: string; message: string }> }>('/sobjects/Chase_Ended__e', {
    Outcome__c: 'interested',
    Attempts__c: 1,
    Record_Id__c: contactId,
  });
  assert.equal(saved.success, true);
  assert.match(saved.id, /^e00/);
  assert.equal(saved.errors[0]!.statusCode, 'OPERATION_ENQUEUED');
  const [event] = sim.publishedEvents();
  assert.equal(event!.type, 'Chase_Ended__e');
  assert.equal(event!.uuid, saved.errors[0]!.message);
  assert.deepEqual(event!.fields, { Outcome__c: 'interested', Attempts__c: 1, Record_Id__c: contactId });

  const unknown = await errorOf(conn.requestPost('/sobjects/Chase_Ended__e', { Record_Id__c: contactId, Nope__c: 'x' }));
  assert.equal(unknown.errorCode, 'INVALID_FIELD');
  const required = await errorOf(conn.requestPost('/sobjects/Chase_Ended__e', { Outcome__c: 'refused' }));
  assert.equal(required.errorCode, 'REQUIRED_FIELD_MISSING');
  assert.equal(sim.publishedEvents().length, 1, 'refused events are not published');
});
