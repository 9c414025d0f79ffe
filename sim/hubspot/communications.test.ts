// Communications (logged SMS, WhatsApp, LinkedIn messages) through the official client, and
// the batch update rules the product's write-backs meet: how an SMS lands on a contact's
// timeline and how HubSpot answers ids it does not have.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AssociationTypes, type Client } from '@hubspot/api-client';
import type { AssociationSpecAssociationCategoryEnum as Category } from '@hubspot/api-client/lib/codegen/crm/objects/communications/index.js';
import { startHubspotSim, type HubspotSim } from './index.ts';
import { raw, simClient } from './testing.ts';

let sim: HubspotSim;
let client: Client;
let contactId: string;
const HUBSPOT_DEFINED = 'HUBSPOT_DEFINED' as Category;
const sms = {
  hs_communication_channel_type: 'SMS',
  hs_communication_logged_from: 'CRM',
  hs_communication_body: 'Your cart is waiting: https://example.com/c/1',
  hs_timestamp: '2026-11-25T10:00:00.000Z',
};
const toContact = (id: string) => [
  { to: { id }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: AssociationTypes.communicationToContact }] },
];

before(async () => {
  sim = await startHubspotSim({ rateLimits: false, contactProperties: ['chaseline_tags'] });
  client = simClient(sim);
  contactId = sim.upsertContact({ firstname: 'Ada', phone: '+14155550100' }).id;
});
after(() => sim.close());

test('an SMS logged by batch create with association 81 lands on the contact (82 seen from the contact)', async () => {
  assert.equal(AssociationTypes.communicationToContact, 81);
  const res = await client.crm.objects.communications.batchApi.create({ inputs: [{ properties: sms, associations: toContact(contactId) }] });
  const id = res.results[0]!.id;
  assert.equal(sim.communications().find((c) => c.id === id)?.properties.hs_communication_channel_type, 'SMS');
  assert.deepEqual(
    sim.associations().filter((a) => a.objectId === id),
    [{ objectType: 'communications', objectId: id, contactId, typeId: 81 }],
  );
  const fromContact = await client.crm.associations.v4.basicApi.getPage('contacts', contactId, 'communications');
  assert.deepEqual(
    fromContact.results.map((r) => [r.toObjectId, r.associationTypes[0]?.typeId]),
    [[id, 82]],
  );
  const withAssoc = await client.crm.objects.communications.basicApi.getById(id, ['hs_communication_body'], undefined, ['contacts']);
  assert.equal(withAssoc.properties.hs_communication_body, sms.hs_communication_body);
  assert.deepEqual(
    withAssoc.associations?.contacts?.results.map((r) => r.id),
    [contactId],
  );
});

test("a communication needs its channel (one of HubSpot's), logged_from CRM and a time; a wrong association type is refused", async () => {
  const before = sim.communications().length;
  const { hs_communication_logged_from: _f, ...noOrigin } = sms;
  await assert.rejects(client.crm.objects.communications.basicApi.create({ properties: noOrigin }), { code: 400 });
  await assert.rejects(client.crm.objects.communications.basicApi.create({ properties: { ...sms, hs_communication_channel_type: 'TEXT' } }), { code: 400 });
  await assert.rejects(
    client.crm.objects.communications.basicApi.create({
      properties: sms,
      associations: [{ to: { id: contactId }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: 194 }] }],
    }),
    { code: 400 },
  );
  const unknownField = await raw(sim, 'POST', '/crm/v3/objects/communications', { properties: sms, associations: [], channel: 'SMS' });
  assert.equal(unknownField.status, 400, 'bodies are checked against the CRM objects v3 contract');
  assert.equal(sim.communications().length, before);
});

test('a batch with an association to a contact HubSpot does not have fails whole, naming the id', async () => {
  const before = sim.communications().length;
  await assert.rejects(
    client.crm.objects.communications.batchApi.create({
      inputs: [
        { properties: sms, associations: toContact(contactId) },
        { properties: sms, associations: toContact('999999999') },
      ],
    }),
    (err: { code: number; body: { context?: { toObjectId?: string[] } } }) => {
      assert.equal(err.code, 400);
      assert.deepEqual(err.body.context?.toObjectId, ['999999999']);
      return true;
    },
  );
  assert.equal(sim.communications().length, before, 'nothing written');
});

test('batch update: ids HubSpot does not have come back as a 207 naming them; the same id twice is a 400', async () => {
  const res = await client.crm.contacts.batchApi.update({
    inputs: [
      { id: contactId, properties: { chaseline_tags: 'vip' } },
      { id: '999999998', properties: { chaseline_tags: 'vip' } },
    ],
  });
  assert.ok('numErrors' in res && res.numErrors === 1);
  assert.deepEqual(res.errors?.[0]?.context?.ids, ['999999998']);
  assert.deepEqual(
    res.results.map((r) => r.id),
    [contactId],
  );
  assert.equal(sim.contacts().find((c) => c.id === contactId)?.properties.chaseline_tags, 'vip');

  await assert.rejects(
    client.crm.contacts.batchApi.update({
      inputs: [
        { id: contactId, properties: { chaseline_tags: 'a' } },
        { id: contactId, properties: { chaseline_tags: 'b' } },
      ],
    }),
    { code: 400 },
  );
});
