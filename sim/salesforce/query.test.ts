// REST SOQL through the official client: cursors of 2,000 (nextRecordsUrl), the
// incremental sync by SystemModstamp with ties broken by Id, typed literals, errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection } from '@salesforce/core';
import { startSalesforceSim, type SalesforceSim } from './index.ts';
import { simConnection } from './sdk.ts';

let sim: SalesforceSim;
let conn: Connection;
let clock = Date.parse('2026-03-02T09:00:00.400Z');

before(async () => {
  sim = await startSalesforceSim({ now: () => clock });
  conn = await simConnection(sim);
});
after(() => sim.close());

const contacts = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({
    FirstName: 'Ada',
    LastName: `Lovelace ${from + i}`,
    Phone: `+1415555${String(from + i).padStart(4, '0')}`,
    Email: `ada${from + i}@example.com`,
  }));
const queries = () => sim.requests().filter((r) => /\/query(All)?[/?]/.test(r.url));

test('4,500 contacts come back in 3 batches of at most 2,000 through nextRecordsUrl', async () => {
  sim.insert('Contact', contacts(4500));
  const before = queries().length;
  const soql =
    'SELECT Id, FirstName, LastName, Phone, MobilePhone, Email, DoNotCall, HasOptedOutOfEmail, SystemModstamp, LastModifiedDate, IsDeleted FROM Contact WHERE SystemModstamp > 2026-01-01T00:00:00Z ORDER BY SystemModstamp, Id LIMIT 10000';
  const first = await conn.query(soql);
  assert.equal(first.totalSize, 4500);
  assert.equal(first.done, false);
  assert.equal(first.records.length, 2000);
  // Salesforce sends a relative nextRecordsUrl; jsforce hands back an absolute one of its own making.
  assert.equal(first.nextRecordsUrl, `${sim.url}/services/data/v62.0/query/${/01g[0-9A-Za-z]{15}-2000$/.exec(first.nextRecordsUrl ?? '')?.[0]}`);
  const rec = first.records[0]!;
  assert.deepEqual(Object.keys(rec), [
    'attributes',
    'Id',
    'FirstName',
    'LastName',
    'Phone',
    'MobilePhone',
    'Email',
    'DoNotCall',
    'HasOptedOutOfEmail',
    'SystemModstamp',
    'LastModifiedDate',
    'IsDeleted',
  ]);
  assert.match(rec.Id!, /^003[0-9A-Za-z]{15}$/);
  assert.deepEqual(rec.attributes, { type: 'Contact', url: `/services/data/v62.0/sobjects/Contact/${rec.Id}` });
  assert.equal(rec.SystemModstamp, '2026-03-02T09:00:00.000+0000', 'stamped to the second, in +0000 form');
  assert.equal(rec.DoNotCall, false);
  assert.equal(rec.MobilePhone, null);

  const second = await conn.queryMore(first.nextRecordsUrl!);
  assert.equal(second.records.length, 2000);
  const third = await conn.queryMore(second.nextRecordsUrl!);
  assert.equal(third.records.length, 500);
  assert.equal(third.done, true);
  assert.equal(third.nextRecordsUrl, undefined);
  const ids = [...first.records, ...second.records, ...third.records].map((r) => r.Id);
  assert.equal(new Set(ids).size, 4500);
  assert.deepEqual(ids, [...ids].sort(), 'ORDER BY SystemModstamp, Id: all share one second, so Id decides');
  assert.equal(queries().length - before, 3);

  // jsforce's autoFetch walks the same cursor.
  const all = await conn.query(soql, { autoFetch: true, maxFetch: 10_000 });
  assert.equal(all.records.length, 4500);
});

test('incremental sync: SystemModstamp moves on every write, and a keyset cursor misses nothing', async () => {
  const cursorAt = clock;
  clock += 60_000;
  const [a, b, c] = sim.insert('Contact', contacts(3, 9000));
  clock += 1000;
  sim.update(b!, { MobilePhone: '+14155559999' });
  const since = new Date(cursorAt).toISOString().replace('.400Z', 'Z');
  const changed = await conn.query<{ Id: string; SystemModstamp: string; MobilePhone: string | null }>(
    `SELECT Id, MobilePhone, SystemModstamp FROM Contact WHERE SystemModstamp > ${since} ORDER BY SystemModstamp, Id`,
  );
  assert.deepEqual(
    changed.records.map((r) => r.Id),
    [a, c, b],
    'b was written last',
  );
  assert.equal(changed.records[2]!.MobilePhone, '+14155559999');
  const [first, second] = changed.records;
  assert.equal(first!.SystemModstamp, second!.SystemModstamp, 'two records in one second');

  // Resume after the first record: (SystemModstamp, Id) > (stamp, id).
  const stamp = first!.SystemModstamp.replace('+0000', 'Z');
  const rest = await conn.query<{ Id: string }>(
    `SELECT Id FROM Contact WHERE (SystemModstamp > ${stamp} OR (SystemModstamp = ${stamp} AND Id > '${first!.Id}')) AND IsDeleted = false ORDER BY SystemModstamp ASC, Id ASC LIMIT 200`,
  );
  assert.deepEqual(
    rest.records.map((r) => r.Id),
    [c, b],
  );

  // A 15-character id literal matches its 18-character record.
  const one = await conn.query<{ Id: string }>(`SELECT Id FROM Contact WHERE Id IN ('${a!.slice(0, 15)}')`);
  assert.deepEqual(
    one.records.map((r) => r.Id),
    [a],
  );
});

test('deleted records leave query and stay visible to queryAll', async () => {
  clock += 1000;
  const [gone] = sim.insert('Lead', [{ LastName: 'Gone', Company: 'Acme', Phone: '+14155550000' }]);
  sim.remove(gone!);
  const live = await conn.query('SELECT Id FROM Lead');
  assert.equal(live.totalSize, 0);
  const withDeleted = await conn.query<{ Id: string; IsDeleted: boolean }>('SELECT Id, IsDeleted FROM Lead WHERE IsDeleted = true', { scanAll: true });
  assert.deepEqual(
    withDeleted.records.map((r) => [r.Id, r.IsDeleted]),
    [[gone, true]],
  );
  assert.match(gone!, /^00Q/);
});

test('SOQL outside the subset, or mistyped, is refused as Salesforce refuses it', async () => {
  const refused = async (soql: string) => {
    try {
      await conn.query(soql);
    } catch (err) {
      return (err as { errorCode: string }).errorCode;
    }
    return 'accepted';
  };
  assert.equal(await refused('SELECT Id FRM Contact'), 'MALFORMED_QUERY');
  assert.equal(await refused('SELECT COUNT() FROM Contact'), 'MALFORMED_QUERY');
  assert.equal(await refused('SELECT Id FROM Contact GROUP BY Id'), 'MALFORMED_QUERY');
  assert.equal(await refused('SELECT Id FROM Contact WHERE SystemModstamp > LAST_N_DAYS:3'), 'MALFORMED_QUERY');
  assert.equal(await refused('SELECT Account.Name FROM Contact'), 'MALFORMED_QUERY');
  assert.equal(await refused("SELECT Id FROM Contact WHERE SystemModstamp > '2026-01-01T00:00:00Z'"), 'INVALID_FIELD');
  assert.equal(await refused('SELECT Id, Fax FROM Contact'), 'INVALID_FIELD');
  assert.equal(await refused('SELECT Id FROM Opportunity'), 'INVALID_TYPE');
  assert.equal(await refused('SELECT Id FROM Contact WHERE DoNotCall = true AND Email != null LIMIT 5'), 'accepted');
});
