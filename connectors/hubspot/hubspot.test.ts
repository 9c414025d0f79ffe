// The HubSpot connector through @hubspot/api-client against sim/hubspot over HTTP: a first
// sync in the fewest searches the page size allows and under the search limit, incremental
// pulls, search's 10,000-result cap passed by moving the window, calls logged as engagements
// associated to their contacts (type 194), and 429s named by their policy.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHubspotSim, type HubspotSim } from '../../sim/hubspot/index.ts';
import { AppError } from '../../core/errors.ts';
import type { CrmContact, CrmCursor } from '../../core/ports.ts';
import { createHubspotConnector } from './index.ts';
import { DISPOSITIONS } from './mapping.ts';

let sim: HubspotSim;
const PROPS = ['chaseline_tags', 'chaseline_do_not_call', 'mobilephone', 'country'];

before(async () => {
  sim = await startHubspotSim({ contactProperties: PROPS, rateLimits: { perTenSeconds: 100, daily: 250_000, searchPerSecond: 5 } });
});
after(() => sim.close());

const connector = () => createHubspotConnector({ accessToken: sim.accessToken, apiBaseUrl: sim.url });
const searches = () => sim.requests().filter((r) => r.path.endsWith('/contacts/search')).length;

async function pull(cursor: CrmCursor): Promise<{ contacts: CrmContact[]; cursor: CrmCursor }> {
  const contacts: CrmContact[] = [];
  let last = cursor;
  for await (const page of connector().pullContacts(cursor)) {
    contacts.push(...page.contacts);
    last = page.cursor;
  }
  return { contacts, cursor: last };
}

describe('pulling contacts', () => {
  let cursor: CrmCursor;

  test('a first sync of 5,000 contacts takes the fewest searches (200 a page) and stays under the search limit', async () => {
    sim.seedContacts(5000, (i) => ({ firstname: `F${i}`, lastname: 'L', phone: `+1415555${String(i).padStart(4, '0')}`, chaseline_tags: i % 2 ? 'vip;cart' : '' }));
    const before = searches();
    const first = await pull({ since: null, seenAtSince: [] });
    assert.equal(new Set(first.contacts.map((c) => c.externalId)).size, 5000);
    assert.equal(first.contacts.length, 5000, 'no contact twice');
    assert.equal(searches() - before, 25);
    assert.equal(sim.requests().filter((r) => r.status === 429).length, 0, 'never rate limited');
    const one = first.contacts.find((c) => c.name === 'F1 L')!;
    assert.deepEqual([one.phone?.raw, one.tags], ['+14155550001', ['vip', 'cart']]);
    cursor = first.cursor;
  });

  test('an incremental pull returns only what changed since the cursor', async () => {
    const changed = sim.contacts().slice(10, 13);
    for (const c of changed) sim.upsertContact({ chaseline_do_not_call: 'true' }, c.id);
    const next = await pull(cursor);
    assert.deepEqual(next.contacts.map((c) => c.externalId).sort(), changed.map((c) => c.id).sort());
    assert.ok(next.contacts.every((c) => c.doNotCall));
    assert.equal((await pull(next.cursor)).contacts.length, 0, 'nothing new: nothing returned');
  });

  test('more contacts than search can page through (10,000) are all read, by moving the window', async () => {
    sim.seedContacts(6000);
    const all = await pull({ since: null, seenAtSince: [] });
    assert.equal(all.contacts.length, 11_000);
    assert.equal(new Set(all.contacts.map((c) => c.externalId)).size, 11_000);
  });
});

test('calls are logged as engagements associated to their contacts, 100 a request, with HubSpot outcome GUIDs', async () => {
  const contacts = sim.contacts().slice(0, 150);
  const before = sim.requests().filter((r) => r.path.includes('/calls/batch/create')).length;
  const ids = await connector().logCalls(contacts.map((c, i) => ({
    externalContactId: c.id, at: new Date('2026-11-25T10:00:00Z'), title: 'Cart reminder', body: 'Asked for the link',
    outcome: i % 2 ? 'answered' : 'no-answer', durationSeconds: i % 2 ? 42 : 0, from: '+14155550100', to: '+14155550101', callSid: null,
  })));
  assert.equal(ids.length, 150);
  assert.equal(sim.requests().filter((r) => r.path.includes('/calls/batch/create')).length - before, 2);
  const answered = sim.calls().find((c) => c.id === ids.find((id) => sim.calls().find((x) => x.id === id)?.properties.hs_call_status === 'COMPLETED'));
  assert.equal(answered?.properties.hs_call_disposition, DISPOSITIONS.connected);
  assert.equal(answered?.properties.hs_call_duration, '42000');
  assert.equal(answered?.properties.hs_call_direction, 'OUTBOUND');
  const links = sim.associations().filter((a) => ids.includes(a.callId));
  assert.equal(links.length, 150);
  assert.ok(links.every((a) => a.typeId === 194));
});

test('a rate limit is an error naming its policy, for the job to back off', async () => {
  const limited = await startHubspotSim({ rateLimits: { perTenSeconds: 1, daily: 1000, searchPerSecond: 100 } });
  try {
    const hub = createHubspotConnector({ accessToken: limited.accessToken, apiBaseUrl: limited.url });
    await hub.logCalls([]);
    limited.seedContacts(1);
    const id = limited.contacts()[0]!.id;
    const activity = { externalContactId: id, at: new Date(), title: 't', body: 'b', outcome: 'busy' as const, durationSeconds: null, from: '+14155550100', to: '+14155550101', callSid: null };
    await hub.logCalls([activity]);
    const err = await hub.logCalls([activity]).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof AppError && err.code === 'RATE_LIMITED', String(err));
    assert.equal((err as AppError).details?.policyName, 'TEN_SECONDLY_ROLLING');
  } finally {
    await limited.close();
  }
});
