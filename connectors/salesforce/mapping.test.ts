// The pure parts: records from REST and from Bulk CSV read alike, the keyset SOQL, positions,
// and save errors as dead-letter lines without phone numbers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callTask, chaseEndedEvent, contactFromSalesforce, isoStamp, personType, resultFields, saveError } from './mapping.ts';
import { ACTIVITY_FIELDS, CHASE_ENDED_FIELDS, PERSON_FIELDS } from './package.ts';
import { advance, changesSoql, readCursor, unseen } from './soql.ts';

test('a REST record and the same record from Bulk CSV map to the same contact', () => {
  const rest = {
    attributes: { type: 'Lead' },
    Id: '00Q5g000000Abc1EAC',
    FirstName: null,
    LastName: 'Hopper',
    Phone: '+1 415 555 0101',
    MobilePhone: ' ',
    DoNotCall: true,
    SystemModstamp: '2026-03-02T09:00:05.000+0000',
  };
  const csv = {
    Id: '00Q5g000000Abc1EAC',
    FirstName: '',
    LastName: 'Hopper',
    Phone: '+1 415 555 0101',
    MobilePhone: '',
    DoNotCall: 'true',
    SystemModstamp: '2026-03-02T09:00:05.000Z',
  };
  const expected = {
    externalId: '00Q5g000000Abc1EAC',
    phone: { raw: '+1 415 555 0101', country: null },
    name: 'Hopper',
    tags: [],
    doNotCall: true,
    updatedAt: '2026-03-02T09:00:05.000Z',
  };
  assert.deepEqual(contactFromSalesforce(rest), expected);
  assert.deepEqual(contactFromSalesforce(csv), expected);
  assert.equal(isoStamp('2026-03-02T10:00:05.000+0100'), '2026-03-02T09:00:05.000Z');
  assert.throws(() => isoStamp(''), /not a Salesforce datetime/);
});

test('the SOQL from a position, and positions: the newest stamp with every id read at it', () => {
  const from = { since: '2026-03-02T09:00:05.000Z', ids: ['0035g000000Abc1AAC'] };
  assert.equal(
    changesSoql('Contact', null),
    'SELECT Id, FirstName, LastName, Phone, MobilePhone, DoNotCall, SystemModstamp FROM Contact ORDER BY SystemModstamp, Id',
  );
  assert.equal(
    changesSoql('Lead', from, false),
    'SELECT Id, FirstName, LastName, Phone, MobilePhone, DoNotCall, SystemModstamp FROM Lead WHERE IsConverted = false AND SystemModstamp >= 2026-03-02T09:00:05.000Z',
  );
  const row = (id: string, stamp: string) => ({ Id: id, SystemModstamp: stamp });
  // Read out of order (a bulk job): the newest stamp wins, with all its ids; an older one adds nothing.
  assert.deepEqual(advance(from, [row('0035g000000Abc0AAC', '2026-03-02T09:00:05.000+0000'), row('0035g000000Abc9AAC', '2026-03-02T09:00:04.000+0000')]), {
    since: '2026-03-02T09:00:05.000Z',
    ids: ['0035g000000Abc1AAC', '0035g000000Abc0AAC'],
  });
  assert.deepEqual(advance(from, [row('0035g000000Abc7AAC', '2026-03-02T09:00:06.000Z')]), { since: '2026-03-02T09:00:06.000Z', ids: ['0035g000000Abc7AAC'] });
  assert.equal(advance(null, []), null);
  // A record stamped in the position's second after it was taken is new, whatever its id; one already read is not.
  assert.deepEqual(
    unseen(from, [row('0035g000000Abc1AAC', '2026-03-02T09:00:05.000Z'), row('0035g000000Aba0AAC', '2026-03-02T09:00:05.000Z')]).map((r) => r.Id),
    ['0035g000000Aba0AAC'],
  );
  assert.deepEqual(unseen(from, [row('0035g000000Abc1AAC', '2026-03-02T09:00:06.000Z')]).length, 1, 'changed again later: new');
  // What goes into SOQL is checked: a cursor that is not the connector's is refused.
  assert.throws(() => readCursor({ Contact: { since: "2026-03-02T09:00:05Z' OR Id != '", ids: [] } }), /cursor/);
  assert.deepEqual(readCursor(null), { Contact: null, Lead: null });
});

test('ids by key prefix; save errors without phone numbers', () => {
  assert.deepEqual(['0035g000000Abc1AAC', '00Q5g000000Abc1', '001000000000001AAA', '003nope'].map(personType), ['Contact', 'Lead', null, null]);
  assert.equal(
    saveError([{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Phone +1 (415) 555-0101 is blocked for 0035g000000Abc1AAC', fields: [] }]),
    'FIELD_CUSTOM_VALIDATION_EXCEPTION: Phone … is blocked for 0035g000000Abc1AAC',
  );
  assert.equal(saveError(undefined), 'UNKNOWN_ERROR');
});

test("the package's fields fit theirs: text clipped to the field's length, the duration in whole seconds", () => {
  const campaign = 'C'.repeat(300);
  const result = { outcome: 'o'.repeat(100), endedAt: '2026-03-02T10:00:05+01:00', attempts: 3, campaign, chaseId: 'chase-1' };
  const fields = resultFields(result);
  assert.equal(String(fields[PERSON_FIELDS.outcome]).length, 80);
  assert.equal(String(fields[PERSON_FIELDS.campaign]).length, 255);
  assert.equal(fields[PERSON_FIELDS.endedAt], '2026-03-02T09:00:05.000Z');
  assert.equal(chaseEndedEvent('0035g000000Abc1AAC', result)[CHASE_ENDED_FIELDS.recordId], '0035g000000Abc1AAC');
  const call = {
    externalContactId: '0035g000000Abc1AAC',
    at: new Date('2026-03-02T09:00:00Z'),
    title: 't',
    body: 'b',
    outcome: 'machine' as const,
    durationSeconds: 12.5,
    from: '+14155550100',
    to: '+14155550199',
    callSid: null,
  };
  const plain = callTask(call);
  assert.equal(
    Object.keys(plain).some((k) => k.startsWith('Chaseline_')),
    false,
    'no package field unless the package is there',
  );
  const withPackage = callTask({ ...call, chaseId: 'chase-1' }, true);
  assert.equal(withPackage[ACTIVITY_FIELDS.outcome], 'machine', 'without a finer result, the call outcome');
  assert.equal(withPackage[ACTIVITY_FIELDS.duration], 13);
  assert.equal(withPackage[ACTIVITY_FIELDS.intent], null);
  assert.equal(withPackage[ACTIVITY_FIELDS.chaseId], 'chase-1');
});
