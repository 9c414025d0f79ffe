// Tags written to a HubSpot tags property of each kind, through @hubspot/api-client against
// sim/hubspot: a multiple-checkbox property gets the options it lacks (read once per
// connector, changed only when needed) and the tags land; a text property is left alone; a
// property that cannot hold several tags, or no property at all, rejects only the tags with
// the reason; options replaced by another writer meanwhile are added again.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHubspotSim, type HubspotSim } from '../../sim/hubspot/index.ts';
import type { WriteBack } from '../../core/ports.ts';
import { createHubspotConnector } from './index.ts';

let sim: HubspotSim;

before(async () => {
  sim = await startHubspotSim({
    rateLimits: false,
    contactProperties: [
      { name: 'chaseline_tags', type: 'enumeration', fieldType: 'checkbox', options: [{ value: 'vip', label: 'VIP' }] },
      { name: 'text_tags' },
      { name: 'dropdown_tags', type: 'enumeration', fieldType: 'select', options: ['a', 'b'] },
      'chaseline_do_not_call',
    ],
  });
  sim.seedContacts(6);
});
after(() => sim.close());

const connector = (tagsProperty = 'chaseline_tags') => createHubspotConnector({ accessToken: sim.accessToken, apiBaseUrl: sim.url, tagsProperty });
const requests = (method: string, path: string) => sim.requests().filter((r) => r.method === method && r.path === path).length;
const propertyPath = (name: string) => `/crm/v3/properties/contacts/${name}`;
const contact = (i: number) => sim.contacts()[i]!;
const stored = (id: string) => sim.contacts().find((c) => c.id === id)!.properties;
const tags = (i: number, ...add: string[]): WriteBack => ({ kind: 'tags', externalId: contact(i).id, add });

test('a multiple-checkbox tags property gets the options it lacks, once, and the tags land', async () => {
  const hub = connector();
  const [gets, patches] = [requests('GET', propertyPath('chaseline_tags')), requests('PATCH', propertyPath('chaseline_tags'))];
  sim.upsertContact({ chaseline_tags: 'vip' }, contact(0).id);
  const results = await hub.writeBack([tags(0, 'chase:answered'), tags(1, 'chase:answered', 'chase:interested')]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['done', 'done'],
    JSON.stringify(results),
  );
  assert.equal(stored(contact(0).id).chaseline_tags, 'vip;chase:answered');
  assert.equal(stored(contact(1).id).chaseline_tags, 'chase:answered;chase:interested');
  const options = sim.property('contacts', 'chaseline_tags')!.options;
  assert.deepEqual(
    options.map((o) => [o.value, o.label]),
    [
      ['vip', 'VIP'],
      ['chase:answered', 'chase:answered'],
      ['chase:interested', 'chase:interested'],
    ],
    'the options the portal had are kept',
  );
  assert.deepEqual([requests('GET', propertyPath('chaseline_tags')) - gets, requests('PATCH', propertyPath('chaseline_tags')) - patches], [1, 1]);

  // The same connector again, with tags the property now has: no read, no change.
  assert.equal((await hub.writeBack([tags(2, 'chase:answered')]))[0]!.status, 'done');
  assert.deepEqual([requests('GET', propertyPath('chaseline_tags')) - gets, requests('PATCH', propertyPath('chaseline_tags')) - patches], [1, 1]);
  // A new connector reads the definition again, and changes it only for a new tag.
  assert.equal((await connector().writeBack([tags(3, 'chase:no-answer')]))[0]!.status, 'done');
  assert.deepEqual([requests('GET', propertyPath('chaseline_tags')) - gets, requests('PATCH', propertyPath('chaseline_tags')) - patches], [2, 2]);
  assert.equal(stored(contact(3).id).chaseline_tags, 'chase:no-answer');
});

test('a text tags property is read and left alone', async () => {
  const before = requests('PATCH', propertyPath('text_tags'));
  const results = await connector('text_tags').writeBack([tags(4, 'chase:answered', 'anything goes')]);
  assert.equal(results[0]!.status, 'done');
  assert.equal(stored(contact(4).id).text_tags, 'chase:answered;anything goes');
  assert.equal(requests('PATCH', propertyPath('text_tags')), before);
});

test('a property that holds one value, or none at all, rejects only the tags, saying why; the opt-out beside them goes', async () => {
  for (const [property, reason] of [
    ['dropdown_tags', /single-choice \(select\).*multiple checkboxes or single-line text/],
    ['no_such_tags', /HubSpot has no contact property no_such_tags/],
  ] as const) {
    const id = contact(5).id;
    const results = await connector(property).writeBack([tags(5, 'chase:answered'), { kind: 'opt-out', externalId: id, channel: 'voice' }]);
    assert.equal(results[0]!.status, 'rejected', property);
    assert.match((results[0] as { error: string }).error, reason);
    assert.equal(results[1]!.status, 'done', `${property}: the opt-out is written`);
    assert.equal(stored(id).chaseline_do_not_call, 'true');
    assert.equal(stored(id)[property], undefined);
    sim.upsertContact({ chaseline_do_not_call: '' }, id);
  }
  assert.deepEqual(
    sim.property('contacts', 'dropdown_tags')!.options.map((o) => o.value),
    ['a', 'b'],
    'not changed',
  );
});

test('options another writer dropped after they were read are added again, and the tags land', async () => {
  const hub = connector();
  assert.equal((await hub.writeBack([tags(0, 'chase:callback')]))[0]!.status, 'done');
  // Another worker's PATCH replaced the list without the option this connector added.
  const kept = sim.property('contacts', 'chaseline_tags')!.options.filter((o) => o.value !== 'chase:callback');
  const res = await fetch(`${sim.url}${propertyPath('chaseline_tags')}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${sim.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ options: kept.map(({ label, value, hidden }) => ({ label, value, hidden })) }),
  });
  assert.equal(res.status, 200);
  const refused = () => sim.requests().filter((r) => r.path === '/crm/v3/objects/contacts/batch/update' && r.status === 400).length;
  const refusedBefore = refused();
  const results = await hub.writeBack([tags(2, 'chase:callback')]);
  assert.equal(results[0]!.status, 'done', JSON.stringify(results));
  assert.equal(refused() - refusedBefore, 1, 'HubSpot refused the first update (INVALID_OPTION); the second went through');
  assert.ok(stored(contact(2).id).chaseline_tags!.split(';').includes('chase:callback'));
  assert.ok(sim.property('contacts', 'chaseline_tags')!.options.some((o) => o.value === 'chase:callback'));
});
