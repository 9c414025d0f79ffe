// Calls engagements and their contact associations through the official client: how the
// product writes an outcome back to HubSpot.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AssociationTypes, type Client } from '@hubspot/api-client';
import type { AssociationSpecAssociationCategoryEnum as Category } from '@hubspot/api-client/lib/codegen/crm/objects/calls/index.js';
import type { AssociationSpecAssociationCategoryEnum as V4Category } from '@hubspot/api-client/lib/codegen/crm/associations/v4/index.js';
import { startHubspotSim, type HubspotSim } from './index.ts';
import { raw, simClient } from './testing.ts';

let sim: HubspotSim;
let client: Client;
let contactId: string;
const HUBSPOT_DEFINED = 'HUBSPOT_DEFINED' as Category;
const outcome = {
  hs_timestamp: '2026-11-25T10:00:00.000Z',
  hs_call_title: 'Chase: abandoned checkout',
  hs_call_body: 'Asked about the price; callback booked.',
  hs_call_direction: 'OUTBOUND',
  hs_call_status: 'COMPLETED',
  hs_call_disposition: 'f240bbac-87c9-4f6e-bf70-924b57d47db7', // "Connected"
  hs_call_duration: '42000',
  hs_call_from_number: '+14155550199',
  hs_call_to_number: '+14155550100',
  hs_call_recording_url: 'https://example.com/recordings/RE123.mp3',
};

before(async () => {
  sim = await startHubspotSim({ rateLimits: false });
  client = simClient(sim);
  contactId = sim.upsertContact({ firstname: 'Ada', phone: '+14155550100' }).id;
});
after(() => sim.close());

test('a call created with an inline association 194 lands on the contact', async () => {
  assert.equal(AssociationTypes.callToContact, 194);
  const call = await client.crm.objects.calls.basicApi.create({
    properties: outcome,
    associations: [{ to: { id: contactId }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: AssociationTypes.callToContact }] }],
  });
  assert.match(call.id, /^\d+$/);
  assert.equal(call.properties.hs_call_status, 'COMPLETED');
  assert.deepEqual(sim.calls().find((c) => c.id === call.id)?.properties.hs_call_duration, '42000');
  assert.deepEqual(
    sim.associations().filter((a) => a.objectId === call.id),
    [{ objectType: 'calls', objectId: call.id, contactId, typeId: 194 }],
  );

  const fromContact = await client.crm.associations.v4.basicApi.getPage('contacts', contactId, 'calls');
  assert.ok(fromContact.results.some((r) => r.toObjectId === call.id && r.associationTypes[0]?.typeId === 193));
  const withAssoc = await client.crm.objects.calls.basicApi.getById(call.id, ['hs_call_title'], undefined, ['contacts']);
  assert.deepEqual(
    withAssoc.associations?.contacts?.results.map((r) => r.id),
    [contactId],
  );
});

test('an association to an unknown contact, or with the wrong type, is a 400 and nothing is written', async () => {
  const before = sim.calls().length;
  await assert.rejects(
    client.crm.objects.calls.basicApi.create({
      properties: outcome,
      associations: [{ to: { id: '987654321' }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: 194 }] }],
    }),
    (err: { code: number; body: { category: string; message: string } }) => {
      assert.equal(err.code, 400);
      assert.equal(err.body.category, 'VALIDATION_ERROR');
      assert.match(err.body.message, /987654321/);
      return true;
    },
  );
  await assert.rejects(
    client.crm.objects.calls.basicApi.create({
      properties: outcome,
      associations: [{ to: { id: contactId }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: 202 }] }],
    }),
    { code: 400 },
  );
  assert.equal(sim.calls().length, before);
});

test("call properties are checked: hs_timestamp required, status and direction from HubSpot's options", async () => {
  const { hs_timestamp: _ts, ...noTimestamp } = outcome;
  await assert.rejects(client.crm.objects.calls.basicApi.create({ properties: noTimestamp }), { code: 400 });
  await assert.rejects(client.crm.objects.calls.basicApi.create({ properties: { ...outcome, hs_call_status: 'ANSWERED' } }), { code: 400 });
  const epochMs = await client.crm.objects.calls.basicApi.create({ properties: { ...outcome, hs_timestamp: String(Date.UTC(2026, 10, 25)) } });
  assert.ok(epochMs.id, 'hs_timestamp may be epoch milliseconds');
  // The category is an enum in the contract.
  const bad = await raw(sim, 'POST', '/crm/v3/objects/calls', {
    properties: outcome,
    associations: [{ to: { id: contactId }, types: [{ associationCategory: 'MADE_UP', associationTypeId: 194 }] }],
  });
  assert.equal(bad.status, 400);
  assert.match(String(bad.json?.message), /associationCategory/);
});

test('batch create of calls with associations', async () => {
  const other = sim.upsertContact({ firstname: 'Grace', phone: '+14155550102' }).id;
  const res = await client.crm.objects.calls.batchApi.create({
    inputs: [contactId, other].map((id) => ({
      properties: { ...outcome, hs_call_to_number: id === other ? '+14155550102' : '+14155550100' },
      associations: [{ to: { id }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: 194 }] }],
    })),
  });
  assert.equal(res.results.length, 2);
  assert.ok(res.results.every((r) => sim.associations().some((a) => a.objectId === r.id)));
});

test('associations v4: labelled create, default create and batch create', async () => {
  const call = await client.crm.objects.calls.basicApi.create({ properties: outcome });
  const v4 = 'HUBSPOT_DEFINED' as V4Category;
  const pair = await client.crm.associations.v4.basicApi.create('calls', call.id, 'contacts', contactId, [{ associationCategory: v4, associationTypeId: 194 }]);
  assert.deepEqual({ ...pair }, { fromObjectTypeId: '0-48', fromObjectId: call.id, toObjectTypeId: '0-1', toObjectId: contactId, labels: [] });

  const second = await client.crm.objects.calls.basicApi.create({ properties: outcome });
  const def = await client.crm.associations.v4.basicApi.createDefault('calls', second.id, 'contacts', contactId);
  assert.equal(def.results[0]?.associationSpec.associationTypeId, 194);

  const third = await client.crm.objects.calls.basicApi.create({ properties: outcome });
  const batch = await client.crm.associations.v4.batchApi.create('calls', 'contacts', {
    inputs: [{ _from: { id: third.id }, to: { id: contactId }, types: [{ associationCategory: v4, associationTypeId: 194 }] }],
  });
  assert.equal(batch.results.length, 1);
  assert.ok(sim.associations().some((a) => a.objectId === third.id && a.contactId === contactId));

  await assert.rejects(
    client.crm.associations.v4.basicApi.create('calls', third.id, 'contacts', '555', [{ associationCategory: v4, associationTypeId: 194 }]),
    { code: 400 },
  );
  const partial = await client.crm.associations.v4.batchApi.create('calls', 'contacts', {
    inputs: [{ _from: { id: third.id }, to: { id: '555' }, types: [{ associationCategory: v4, associationTypeId: 194 }] }],
  });
  assert.equal('numErrors' in partial ? partial.numErrors : 0, 1, 'a bad pair in a batch is a 207 with errors');
});
