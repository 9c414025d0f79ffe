// Contacts v3 through the official @hubspot/api-client: what the product's sync sees.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@hubspot/api-client';
import type { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';
import { startHubspotSim, type HubspotSim } from './index.ts';
import { raw, simClient } from './testing.ts';

let sim: HubspotSim;
let client: Client;
const op = (o: string) => o as FilterOperatorEnum;

before(async () => {
  sim = await startHubspotSim({ rateLimits: false });
  client = simClient(sim);
});
after(() => sim.close());

test("a wrong or missing token is a 401 in HubSpot's shape", async () => {
  const wrong = simClient(sim, { accessToken: 'pat-na1-not-the-token' });
  await assert.rejects(wrong.crm.contacts.basicApi.getPage(), (err: { code: number; body: { category: string; message: string } }) => {
    assert.equal(err.code, 401);
    assert.equal(err.body.category, 'INVALID_AUTHENTICATION');
    assert.match(err.body.message, /Authentication credentials not found/);
    return true;
  });
  const none = await fetch(`${sim.url}/crm/v3/objects/contacts`);
  assert.equal(none.status, 401);
});

test('create, read with properties, update: lastmodifieddate moves, createdAt stays', async () => {
  const created = await client.crm.contacts.basicApi.create({
    properties: { firstname: 'Ada', lastname: 'Lovelace', phone: '+14155550100', email: 'ada@example.com' },
  });
  assert.match(created.id, /^\d+$/);
  assert.equal(created.properties.phone, '+14155550100');
  assert.ok(created.createdAt instanceof Date, 'the client parses createdAt');

  const got = await client.crm.contacts.basicApi.getById(created.id, ['phone', 'mobilephone', 'hs_lastmodifieddate']);
  assert.equal(got.properties.phone, '+14155550100');
  assert.equal(got.properties.mobilephone, null, 'a requested but unset property comes back null');
  assert.ok(got.properties.hs_object_id === created.id && got.properties.createdate, 'hs_object_id and createdate always come back');

  await new Promise((r) => setTimeout(r, 5));
  const updated = await client.crm.contacts.basicApi.update(created.id, { properties: { mobilephone: '+14155550101' } });
  assert.ok(updated.updatedAt > created.updatedAt);
  assert.equal(updated.createdAt.getTime(), created.createdAt.getTime());
  const stored = sim.contacts().find((c) => c.id === created.id)!;
  assert.equal(stored.properties.lastmodifieddate, stored.updatedAt.toISOString());
  assert.equal(stored.properties.hs_lastmodifieddate, stored.updatedAt.toISOString());
  assert.equal(stored.properties.mobilephone, '+14155550101');
});

test("HubSpot's refusals: unknown property, read-only property, duplicate email, unknown JSON field, unknown id", async () => {
  await assert.rejects(
    client.crm.contacts.basicApi.create({ properties: { favourite_colour: 'red' } }),
    (err: { code: number; body: { category: string; message: string } }) => {
      assert.equal(err.code, 400);
      assert.equal(err.body.category, 'VALIDATION_ERROR');
      assert.match(err.body.message, /PROPERTY_DOESNT_EXIST/);
      return true;
    },
  );
  await assert.rejects(client.crm.contacts.basicApi.create({ properties: { lastmodifieddate: '2020-01-01' } }), { code: 400 });
  await client.crm.contacts.basicApi.create({ properties: { email: 'dup@example.com' } });
  await assert.rejects(
    client.crm.contacts.basicApi.create({ properties: { email: 'DUP@example.com' } }),
    (err: { code: number; body: { message: string } }) => {
      assert.equal(err.code, 409);
      assert.match(err.body.message, /Contact already exists\. Existing ID: \d+/);
      return true;
    },
  );
  // The client drops fields its models do not know, so a raw request shows the contract check.
  const bad = await raw(sim, 'POST', '/crm/v3/objects/contacts', { properties: { firstname: 'x' }, propertys: {} });
  assert.equal(bad.status, 400);
  assert.match(String(bad.json?.message), /Unrecognized field "propertys"/);
  const notString = await raw(sim, 'POST', '/crm/v3/objects/contacts', { properties: { firstname: 7 } });
  assert.equal(notString.status, 400, 'property values are strings in the contract');
  await assert.rejects(client.crm.contacts.basicApi.getById('999999999'), { code: 404 });
});

test('batch read takes 100 ids, refuses 101, and reports missing ids as a 207', async () => {
  const made = sim.setContacts(Array.from({ length: 101 }, (_, i) => ({ properties: { firstname: `B${i}`, phone: `+1415555${String(i).padStart(4, '0')}` } })));
  const ids = made.map((c) => ({ id: c.id }));
  const read = await client.crm.contacts.batchApi.read({ inputs: ids.slice(0, 100), properties: ['phone'], propertiesWithHistory: [] });
  assert.equal(read.results.length, 100);
  assert.equal(read.status, 'COMPLETE');
  assert.ok(read.results.every((r) => r.properties.phone?.startsWith('+1415555')));
  await assert.rejects(client.crm.contacts.batchApi.read({ inputs: ids, properties: [], propertiesWithHistory: [] }), { code: 400 });

  const partial = await client.crm.contacts.batchApi.read({ inputs: [ids[0]!, { id: '424242' }], properties: [], propertiesWithHistory: [] });
  assert.equal(partial.results.length, 1);
  assert.ok('errors' in partial && partial.errors?.[0]?.category === 'OBJECT_NOT_FOUND');
  assert.deepEqual(partial.errors?.[0]?.context, { ids: ['424242'] });
});

test('batch create, update and upsert by email', async () => {
  sim.setContacts([]);
  const created = await client.crm.contacts.batchApi.create({
    inputs: [
      { properties: { email: 'a@example.com', phone: '+14155550111' }, associations: [] },
      { properties: { email: 'b@example.com' }, associations: [] },
    ],
  });
  assert.equal(created.results.length, 2);
  const [a] = created.results;
  const updated = await client.crm.contacts.batchApi.update({ inputs: [{ id: a!.id, properties: { firstname: 'Alpha' } }] });
  assert.equal(updated.results[0]?.properties.firstname, 'Alpha');
  const upserted = await client.crm.contacts.batchApi.upsert({
    inputs: [
      { id: 'B@example.com', idProperty: 'email', properties: { lastname: 'Beta' } },
      { id: 'c@example.com', idProperty: 'email', properties: { lastname: 'Gamma' } },
    ],
  });
  assert.deepEqual(
    upserted.results.map((r) => r._new),
    [false, true],
    'the client renames "new" to _new',
  );
  assert.equal(sim.contacts().length, 3);
  assert.equal(sim.contacts().find((c) => c.properties.email === 'c@example.com')?.properties.lastname, 'Gamma');
  // One bad input fails the whole create batch, before anything is written.
  await assert.rejects(
    client.crm.contacts.batchApi.create({
      inputs: [
        { properties: { email: 'd@example.com' }, associations: [] },
        { properties: { nope: '1' }, associations: [] },
      ],
    }),
    { code: 400 },
  );
  assert.equal(sim.contacts().length, 3);
});

test('search: filters on lastmodifieddate, EQ, BETWEEN, OR groups, one sort, properties, paging', async () => {
  const t0 = Date.UTC(2026, 0, 1);
  sim.setContacts(
    Array.from({ length: 30 }, (_, i) => ({
      properties: { firstname: `S${i}`, lastname: i % 2 ? 'Odd' : 'Even', phone: `+1415555${String(i).padStart(4, '0')}` },
      updatedAt: new Date(t0 + i * 60_000),
    })),
  );
  const since = String(t0 + 20 * 60_000); // ms epoch, as a sync's cursor
  const page1 = await client.crm.contacts.searchApi.doSearch({
    filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: op('GTE'), value: since }] }],
    sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' } as unknown as string],
    properties: ['phone', 'lastmodifieddate'],
    limit: 4,
    after: '0',
  });
  assert.equal(page1.total, 10);
  assert.deepEqual(
    page1.results.map((r) => r.properties.firstname),
    [undefined, undefined, undefined, undefined],
    'only the properties asked for (plus the fixed ones)',
  );
  assert.deepEqual(
    page1.results.map((r) => r.properties.phone),
    ['+14155550020', '+14155550021', '+14155550022', '+14155550023'],
  );
  assert.equal(page1.paging?.next?.after, '4');
  const last = await client.crm.contacts.searchApi.doSearch({
    filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: op('GTE'), value: new Date(Number(since)).toISOString() }] }],
    limit: 4,
    after: '8',
  });
  assert.equal(last.results.length, 2);
  assert.equal(last.paging, undefined, 'no next page after the last');

  const between = await client.crm.contacts.searchApi.doSearch({
    filterGroups: [
      { filters: [{ propertyName: 'lastmodifieddate', operator: op('BETWEEN'), value: String(t0 + 5 * 60_000), highValue: String(t0 + 7 * 60_000) }] },
    ],
  });
  assert.equal(between.total, 3);
  const eitherOr = await client.crm.contacts.searchApi.doSearch({
    filterGroups: [
      { filters: [{ propertyName: 'phone', operator: op('EQ'), value: '+14155550003' }] },
      {
        filters: [
          { propertyName: 'lastname', operator: op('EQ'), value: 'even' },
          { propertyName: 'lastmodifieddate', operator: op('LT'), value: String(t0 + 4 * 60_000) },
        ],
      },
    ],
    sorts: [{ propertyName: 'firstname', direction: 'DESCENDING' } as unknown as string],
  });
  assert.deepEqual(
    eitherOr.results.map((r) => r.properties.firstname),
    ['S3', 'S2', 'S0'],
  );
  const gt = await client.crm.contacts.searchApi.doSearch({
    filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: op('GT'), value: String(t0 + 28 * 60_000) }] }],
    limit: 200,
  });
  assert.equal(gt.total, 1);
  const lte = await client.crm.contacts.searchApi.doSearch({
    filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: op('LTE'), value: String(t0 + 60_000) }] }],
  });
  assert.equal(lte.total, 2);

  await assert.rejects(client.crm.contacts.searchApi.doSearch({ limit: 201 }), { code: 400 });
  await assert.rejects(
    client.crm.contacts.searchApi.doSearch({ filterGroups: [{ filters: [{ propertyName: 'phone', operator: op('BETWEEN'), value: '1' }] }] }),
    { code: 400 },
  );
});

test('search stops at 10,000 results: after "10000" is a 400 even though total counts more', async () => {
  sim.setContacts([]);
  sim.seedContacts(10_050);
  const nearEnd = await client.crm.contacts.searchApi.doSearch({ limit: 200, after: '9800', properties: ['phone'] });
  assert.equal(nearEnd.total, 10_050);
  assert.equal(nearEnd.results.length, 200);
  assert.equal(nearEnd.paging?.next?.after, '10000', 'HubSpot still offers the page it will refuse');
  await assert.rejects(client.crm.contacts.searchApi.doSearch({ limit: 200, after: '10000' }), (err: { code: number; body: { category: string } }) => {
    assert.equal(err.code, 400);
    assert.equal(err.body.category, 'VALIDATION_ERROR');
    return true;
  });
  // The way through: narrow by the cursor property and start again from 0.
  const lastSeen = (await client.crm.contacts.searchApi.doSearch({ limit: 1, after: '9999', sorts: ['hs_object_id'] })).results[0]!;
  const rest = await client.crm.contacts.searchApi.doSearch({
    filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: op('GT'), value: lastSeen.id }] }],
    limit: 200,
  });
  assert.equal(rest.total, 50);
});

test("list paging (the client's getAll) and archive", async () => {
  sim.setContacts([]);
  sim.seedContacts(250);
  const all = await client.crm.contacts.getAll(100, undefined, ['phone']);
  assert.equal(all.length, 250);
  assert.equal(new Set(all.map((c) => c.id)).size, 250);
  await client.crm.contacts.basicApi.archive(all[0]!.id);
  assert.equal(sim.contacts().length, 249);
  await assert.rejects(client.crm.contacts.basicApi.getById(all[0]!.id), { code: 404 });
  const search = await client.crm.contacts.searchApi.doSearch({ limit: 1 });
  assert.equal(search.total, 249, 'archived contacts leave search');
});
