// The properties API through the official @hubspot/api-client: a property's type, field
// type and options; a multiple-checkbox property refusing a value outside its options with
// HubSpot's INVALID_OPTION, on a single and a batch update; options replaced by a PATCH.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@hubspot/api-client';
import { startHubspotSim, type HubspotSim } from './index.ts';
import { raw, simClient } from './testing.ts';

let sim: HubspotSim;
let client: Client;

before(async () => {
  sim = await startHubspotSim({
    rateLimits: false,
    contactProperties: [
      'notes_text',
      { name: 'interests', label: 'Interests', type: 'enumeration', fieldType: 'checkbox', options: ['bikes', { value: 'boats', label: 'Boats' }] },
      { name: 'tier', type: 'enumeration', fieldType: 'select', options: ['gold', 'silver'] },
    ],
  });
  client = simClient(sim);
});
after(() => sim.close());

type ApiError = { code: number; body: { category: string; message: string } };
const invalidOption = (value: string, property: string) => (err: ApiError) => {
  assert.equal(err.code, 400);
  assert.equal(err.body.category, 'VALIDATION_ERROR');
  const [result] = JSON.parse(err.body.message.replace(/^Property values were not valid: /, '')) as {
    isValid: boolean;
    error: string;
    name: string;
    message: string;
  }[];
  assert.deepEqual([result!.isValid, result!.error, result!.name], [false, 'INVALID_OPTION', property]);
  assert.match(result!.message, new RegExp(`^${value} was not one of the allowed options: \\[`));
  return true;
};

test('a property reads back with its type, field type and options', async () => {
  const checkbox = await client.crm.properties.coreApi.getByName('contacts', 'interests');
  assert.deepEqual([checkbox.name, checkbox.label, checkbox.type, checkbox.fieldType], ['interests', 'Interests', 'enumeration', 'checkbox']);
  assert.deepEqual(
    checkbox.options.map((o) => [o.value, o.label, o.hidden]),
    [
      ['bikes', 'bikes', false],
      ['boats', 'Boats', false],
    ],
  );
  assert.ok(checkbox.updatedAt instanceof Date, 'the client parses the definition');
  const text = await client.crm.properties.coreApi.getByName('contacts', 'notes_text');
  assert.deepEqual([text.type, text.fieldType, text.options], ['string', 'text', []]);
  const status = await client.crm.properties.coreApi.getByName('calls', 'hs_call_status');
  assert.equal(status.type, 'enumeration');
  assert.ok(status.options.some((o) => o.value === 'NO_ANSWER'));
  assert.ok(status.hubspotDefined);
  const all = await client.crm.properties.coreApi.getAll('contact');
  assert.ok(all.results.some((p) => p.name === 'tier') && all.results.some((p) => p.name === 'firstname'), 'listed by the singular name too');
  await assert.rejects(
    client.crm.properties.coreApi.getByName('contacts', 'no_such_property'),
    (err: ApiError) => err.code === 404 && err.body.category === 'OBJECT_NOT_FOUND',
  );
});

test('an enumeration takes only its options: one for a dropdown, several joined with ";" for checkboxes', async () => {
  const c = await client.crm.contacts.basicApi.create({ properties: { firstname: 'Ann', interests: 'bikes;boats', tier: 'gold' } });
  await assert.rejects(
    client.crm.contacts.basicApi.update(c.id, { properties: { interests: 'bikes;chase:answered' } }),
    invalidOption('chase:answered', 'interests'),
  );
  await assert.rejects(client.crm.contacts.basicApi.update(c.id, { properties: { tier: 'gold;silver' } }), invalidOption('gold;silver', 'tier'));
  await assert.rejects(
    client.crm.contacts.batchApi.update({ inputs: [{ id: c.id, properties: { firstname: 'Anne', interests: 'kites' } }] }),
    invalidOption('kites', 'interests'),
  );
  const stored = sim.contacts().find((x) => x.id === c.id)!;
  assert.deepEqual([stored.properties.firstname, stored.properties.interests], ['Ann', 'bikes;boats'], 'a refused batch writes nothing');
  await client.crm.contacts.batchApi.update({ inputs: [{ id: c.id, properties: { interests: 'boats', notes_text: 'anything; at all' } }] });
  assert.equal(sim.contacts().find((x) => x.id === c.id)!.properties.interests, 'boats');
  await client.crm.contacts.basicApi.update(c.id, { properties: { interests: '' } });
  assert.equal(sim.contacts().find((x) => x.id === c.id)!.properties.interests, undefined, 'an empty string clears it');
});

test('a PATCH with options replaces the list; the new values are then accepted, a dropped one no longer', async () => {
  const before = sim.property('contacts', 'interests')!;
  const current = (await client.crm.properties.coreApi.getByName('contacts', 'interests')).options;
  const updated = await client.crm.properties.coreApi.update('contacts', 'interests', {
    options: [...current.filter((o) => o.value !== 'boats'), { label: 'chase:answered', value: 'chase:answered', hidden: false, displayOrder: 5 }],
  });
  assert.deepEqual(
    updated.options.map((o) => o.value),
    ['bikes', 'chase:answered'],
  );
  assert.equal(updated.type, 'enumeration', 'what the PATCH does not name stays');
  assert.ok(Date.parse(sim.property('contacts', 'interests')!.updatedAt) > Date.parse(before.updatedAt));
  const c = await client.crm.contacts.basicApi.create({ properties: { interests: 'bikes;chase:answered' } });
  assert.equal(sim.contacts().find((x) => x.id === c.id)!.properties.interests, 'bikes;chase:answered');
  await assert.rejects(client.crm.contacts.basicApi.update(c.id, { properties: { interests: 'boats' } }), invalidOption('boats', 'interests'));
});

test("PATCH bodies are checked: unknown fields, an option without its required parts, duplicates, HubSpot's own properties", async () => {
  const path = '/crm/v3/properties/contacts/interests';
  const unknown = await raw(sim, 'PATCH', path, { optionz: [] });
  assert.equal(unknown.status, 400);
  assert.match(String(unknown.json?.message), /Unrecognized field "optionz"/);
  const noHidden = await raw(sim, 'PATCH', path, { options: [{ label: 'x', value: 'x' }] });
  assert.match(String(noHidden.json?.message), /options\[0\]\.hidden is required/);
  const dupes = await raw(sim, 'PATCH', path, {
    options: [
      { label: 'a', value: 'a', hidden: false },
      { label: 'b', value: 'a', hidden: false },
    ],
  });
  assert.equal(dupes.status, 400);
  const badPair = await raw(sim, 'PATCH', path, { type: 'string', fieldType: 'checkbox' });
  assert.equal(badPair.status, 400, 'a string is not shown as checkboxes');
  const standard = await raw(sim, 'PATCH', '/crm/v3/properties/calls/hs_call_status', { label: 'Status' });
  assert.equal(standard.status, 400);
  assert.equal((await raw(sim, 'PATCH', '/crm/v3/properties/contacts/nope', { label: 'x' })).status, 404);
  assert.deepEqual(
    sim.property('contacts', 'interests')!.options.map((o) => o.value),
    ['bikes', 'chase:answered'],
    'nothing refused changed anything',
  );
});
