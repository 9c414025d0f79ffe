// Pure pieces: the case-safe id suffix (Salesforce's own documented examples) and the
// SOQL subset's parsing and evaluation, without HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseId, to18 } from './ids.ts';
import { parseSoql, runQuery } from './soql.ts';
import type { SfRecord } from './store.ts';

test('ids: 15 → 18 characters, and an 18-character id in any case back to its canonical form', () => {
  assert.equal(to18('a0D30000001n7Pi'), 'a0D30000001n7PiEAI');
  assert.equal(to18('001D000000IRt53'), '001D000000IRt53IAD');
  assert.equal(normaliseId('A0D30000001N7PIEAI'), 'a0D30000001n7PiEAI');
  assert.equal(normaliseId('a0D30000001n7Pi'), 'a0D30000001n7PiEAI');
  assert.equal(normaliseId('not-an-id'), undefined);
});

const rows: SfRecord[] = [
  { Id: '003000000000001AAA', LastName: 'b', SystemModstamp: '2026-01-01T00:00:01.000Z', DoNotCall: false, Email: null },
  { Id: '003000000000002AAA', LastName: 'A', SystemModstamp: '2026-01-01T00:00:00.000Z', DoNotCall: true, Email: 'a@x.io' },
  { Id: '003000000000003AAA', LastName: 'c', SystemModstamp: '2026-01-01T00:00:01.000Z', DoNotCall: false, Email: 'c@x.io' },
];
const ids = (soql: string) => runQuery(parseSoql(soql), rows).map((r) => String(r.Id).slice(14, 15));

test('SOQL: datetime literals in every accepted form, ORDER BY with ties, LIMIT and OFFSET', () => {
  assert.deepEqual(ids('SELECT Id FROM Contact WHERE SystemModstamp > 2026-01-01T00:00:00Z ORDER BY SystemModstamp, Id'), ['1', '3']);
  assert.deepEqual(ids('select id from contact where systemmodstamp >= 2026-01-01T01:00:00.000+01:00 order by SystemModstamp desc, Id desc'), ['3', '1', '2']);
  assert.deepEqual(ids('SELECT Id FROM Contact WHERE SystemModstamp = 2026-01-01T00:00:01.000+0000 LIMIT 1 OFFSET 1'), ['3']);
  assert.deepEqual(ids('SELECT Id FROM Contact ORDER BY Email NULLS LAST'), ['2', '3', '1']);
  assert.deepEqual(ids('SELECT Id FROM Contact ORDER BY LastName'), ['2', '1', '3'], 'text orders case-insensitively');
});

test('SOQL: AND binds tighter than OR, NOT, IN, NOT IN, null, case-insensitive text', () => {
  assert.deepEqual(ids("SELECT Id FROM Contact WHERE DoNotCall = true OR LastName = 'B' AND Email = null"), ['1', '2']);
  assert.deepEqual(ids("SELECT Id FROM Contact WHERE NOT (DoNotCall = true OR LastName IN ('c'))"), ['1']);
  assert.deepEqual(ids("SELECT Id FROM Contact WHERE LastName NOT IN ('a', 'b')"), ['3']);
  assert.deepEqual(ids("SELECT Id FROM Contact WHERE Email != null AND Email < 'b'"), ['2']);
  assert.throws(() => parseSoql('SELECT Id FROM Contact WHERE'), /unexpected end of query/);
  assert.throws(() => parseSoql('SELECT Id FROM Contact LIMIT 5 extra'), /unexpected token: 'extra'/);
  assert.throws(() => parseSoql('SELECT Id FROM Contact WHERE DoNotCall = 1'), /must be of type boolean/);
});
