// The HubSpot connector through @hubspot/api-client against sim/hubspot over HTTP: a first
// sync in the fewest searches the page size allows and under the search limit, incremental
// pulls, search's 10,000-result cap passed by moving the window; write-backs (calls as
// engagements associated to their contacts with type 194, texts as SMS communications with
// type 81, opt-outs and tags as contact properties) in the fewest batches, a contact HubSpot
// does not have rejecting only its own items; 429s named by their policy, and the daily
// limit kept by a shared bucket.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHubspotSim, type HubspotSim } from '../../sim/hubspot/index.ts';
import { AppError } from '../../core/errors.ts';
import { memoryTokenBucket } from '../../core/common/token-bucket.ts';
import type { CallActivity, CrmContact, CrmCursor, WriteBack } from '../../core/ports.ts';
import { createHubspotConnector } from './index.ts';
import { DISPOSITIONS } from './mapping.ts';

let sim: HubspotSim;
const PROPS = ['chaseline_tags', 'chaseline_do_not_call', 'chaseline_sms_opt_out', 'mobilephone', 'country'];

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
    sim.seedContacts(5000, (i) => ({
      firstname: `F${i}`,
      lastname: 'L',
      phone: `+1415555${String(i).padStart(4, '0')}`,
      chaseline_tags: i % 2 ? 'vip;cart' : '',
    }));
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

const requestsTo = (path: string) => sim.requests().filter((r) => r.path.endsWith(path)).length;
const activity = (contactId: string, over: Partial<CallActivity> = {}): CallActivity => ({
  externalContactId: contactId,
  at: new Date('2026-11-25T10:00:00Z'),
  title: 'Cart reminder',
  body: 'Asked for the link',
  outcome: 'answered',
  durationSeconds: 42,
  from: '+14155550100',
  to: '+14155550101',
  callSid: null,
  ...over,
});

describe('writing back', () => {
  test('calls become engagements associated to their contacts, 100 a request, with HubSpot outcome GUIDs', async () => {
    const contacts = sim.contacts().slice(0, 150);
    const before = requestsTo('/calls/batch/create');
    const results = await connector().writeBack(
      contacts.map((c, i) => ({
        kind: 'call',
        call: activity(c.id, { outcome: i % 2 ? 'answered' : 'no-answer', durationSeconds: i % 2 ? 42 : 0, body: `call ${i}` }),
      })),
    );
    assert.equal(requestsTo('/calls/batch/create') - before, 2);
    assert.ok(results.every((r) => r.status === 'done' && r.vendorId));
    const ids = results.map((r) => (r.status === 'done' ? r.vendorId! : ''));
    const answered = sim.calls().find((c) => c.id === ids[1])!;
    assert.deepEqual(
      [
        answered.properties.hs_call_status,
        answered.properties.hs_call_disposition,
        answered.properties.hs_call_duration,
        answered.properties.hs_call_direction,
        answered.properties.hs_call_body,
      ],
      ['COMPLETED', DISPOSITIONS.connected, '42000', 'OUTBOUND', 'call 1'],
    );
    const links = sim.associations().filter((a) => ids.includes(a.objectId));
    assert.equal(links.length, 150);
    assert.ok(
      links.every((a) => a.typeId === 194 && a.contactId === contacts[ids.indexOf(a.objectId)]!.id),
      'each call on its own contact',
    );
  });

  test('texts become SMS communications on the contact (type 81)', async () => {
    const [a, b] = sim.contacts();
    const at = new Date('2026-11-25T11:00:00Z');
    const results = await connector().writeBack(
      [a!, b!].map((c) => ({
        kind: 'sms',
        message: { externalContactId: c.id, at, body: `Hi ${c.id}`, from: '+14155550100', to: '+14155550101', messageSid: null },
      })),
    );
    assert.ok(results.every((r) => r.status === 'done'));
    const logged = sim.communications().find((m) => m.id === (results[1] as { vendorId: string }).vendorId)!;
    assert.deepEqual(
      [
        logged.properties.hs_communication_channel_type,
        logged.properties.hs_communication_logged_from,
        logged.properties.hs_communication_body,
        logged.properties.hs_timestamp,
      ],
      ['SMS', 'CRM', `Hi ${b!.id}`, at.toISOString()],
    );
    assert.deepEqual(
      sim
        .associations()
        .filter((l) => l.objectId === logged.id)
        .map((l) => [l.objectType, l.contactId, l.typeId]),
      [['communications', b!.id, 81]],
    );
  });

  test('opt-outs and tags are contact properties: tags joined to what HubSpot has, one update per contact, 100 a request', async () => {
    const contacts = sim.contacts().slice(200, 350);
    sim.upsertContact({ chaseline_tags: 'vip;cart', chaseline_do_not_call: '' }, contacts[0]!.id);
    sim.upsertContact({ chaseline_tags: '' }, contacts[1]!.id);
    const [reads, updates] = [requestsTo('/contacts/batch/read'), requestsTo('/contacts/batch/update')];
    const items: WriteBack[] = [
      ...contacts.map((c): WriteBack => ({ kind: 'tags', externalId: c.id, add: ['chased'] })),
      { kind: 'opt-out', externalId: contacts[0]!.id, channel: 'voice' },
      { kind: 'tags', externalId: contacts[0]!.id, add: ['vip', 'called'] },
    ];
    const results = await connector().writeBack(items);
    assert.ok(
      results.every((r) => r.status === 'done'),
      JSON.stringify(results.find((r) => r.status !== 'done')),
    );
    assert.equal(requestsTo('/contacts/batch/read') - reads, 2, '150 contacts: two reads');
    assert.equal(requestsTo('/contacts/batch/update') - updates, 2, 'and two updates, the opt-out riding with the tags');
    const first = sim.contacts().find((c) => c.id === contacts[0]!.id)!;
    assert.deepEqual([first.properties.chaseline_tags, first.properties.chaseline_do_not_call], ['vip;cart;chased;called', 'true']);
    assert.equal(sim.contacts().find((c) => c.id === contacts[1]!.id)!.properties.chaseline_tags, 'chased');

    const again = await connector().writeBack([{ kind: 'tags', externalId: contacts[1]!.id, add: ['chased'] }]);
    assert.deepEqual(again, [{ status: 'done' }], 'nothing new: no update');
  });

  test("SMS opt-outs need the configured property; order notes are not HubSpot's", async () => {
    const [c] = sim.contacts();
    const items: WriteBack[] = [
      { kind: 'opt-out', externalId: c!.id, channel: 'sms' },
      { kind: 'order-note', orderId: '1', note: 'called' },
    ];
    assert.deepEqual(await connector().writeBack(items), [{ status: 'skipped' }, { status: 'skipped' }]);
    const withProperty = createHubspotConnector({ accessToken: sim.accessToken, apiBaseUrl: sim.url, smsOptOutProperty: 'chaseline_sms_opt_out' });
    assert.equal((await withProperty.writeBack([{ kind: 'opt-out', externalId: c!.id, channel: 'all' }]))[0]!.status, 'done');
    const after = sim.contacts().find((x) => x.id === c!.id)!;
    assert.deepEqual([after.properties.chaseline_sms_opt_out, after.properties.chaseline_do_not_call], ['true', 'true']);
  });

  test('a contact HubSpot does not have rejects only its own items; the rest are written', async () => {
    const [a, b] = sim.contacts();
    const gone = '999999999';
    const items: WriteBack[] = [
      { kind: 'call', call: activity(a!.id) },
      { kind: 'call', call: activity(gone) },
      { kind: 'sms', message: { externalContactId: gone, at: new Date(), body: 'x', from: '+14155550100', to: '+14155550101', messageSid: null } },
      { kind: 'tags', externalId: gone, add: ['x'] },
      { kind: 'opt-out', externalId: '999999998', channel: 'voice' },
      { kind: 'opt-out', externalId: b!.id, channel: 'voice' },
      { kind: 'call', call: activity(b!.id) },
    ];
    const results = await connector().writeBack(items);
    assert.deepEqual(
      results.map((r) => r.status),
      ['done', 'rejected', 'rejected', 'rejected', 'rejected', 'done', 'done'],
    );
    assert.match((results[1] as { error: string }).error, /999999999/);
    assert.equal(sim.associations().filter((l) => l.contactId === gone).length, 0);
    assert.equal(sim.contacts().find((x) => x.id === b!.id)!.properties.chaseline_do_not_call, 'true');
  });

  test('a HubSpot outage fails the whole request, retryable', async () => {
    sim.failFor(300, 503);
    const err = await connector()
      .writeBack([{ kind: 'call', call: activity(sim.contacts()[0]!.id) }])
      .then(
        () => null,
        (e: unknown) => e,
      );
    assert.ok(err instanceof AppError && err.code === 'UPSTREAM' && err.retryable, String(err));
    await new Promise((r) => setTimeout(r, 300));
  });
});

test('a rate limit is an error naming its policy, for the job to back off', async () => {
  const limited = await startHubspotSim({ rateLimits: { perTenSeconds: 1, daily: 1000, searchPerSecond: 100 } });
  try {
    const hub = createHubspotConnector({ accessToken: limited.accessToken, apiBaseUrl: limited.url });
    assert.deepEqual(await hub.writeBack([]), [], 'nothing to write: no request');
    limited.seedContacts(1);
    const item: WriteBack = { kind: 'call', call: activity(limited.contacts()[0]!.id, { outcome: 'busy', durationSeconds: null }) };
    await hub.writeBack([item]);
    const err = await hub.writeBack([item]).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof AppError && err.code === 'RATE_LIMITED', String(err));
    assert.equal((err as AppError).details?.policyName, 'TEN_SECONDLY_ROLLING');
  } finally {
    await limited.close();
  }
});

test('a request failing after others went through says which items are already written', async () => {
  const limited = await startHubspotSim({ contactProperties: PROPS, rateLimits: { perTenSeconds: 2, daily: 1000, searchPerSecond: 100 } });
  try {
    limited.seedContacts(150);
    const ids = limited.contacts().map((c) => c.id);
    const hub = createHubspotConnector({ accessToken: limited.accessToken, apiBaseUrl: limited.url });
    const items: WriteBack[] = [
      { kind: 'opt-out', externalId: ids[0]!, channel: 'voice' },
      ...ids.map((id): WriteBack => ({ kind: 'call', call: activity(id) })),
    ];
    const err = await hub.writeBack(items).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof AppError && err.code === 'RATE_LIMITED', String(err));
    const partial = err.details?.partial as ({ status: string } | null)[];
    assert.equal(partial.length, 151);
    assert.deepEqual(
      [partial[0]?.status, partial[100]?.status, partial[101], partial[150]],
      ['done', 'done', null, null],
      'the update and the first 100 calls went through',
    );
    assert.equal(limited.calls().length, 100);
  } finally {
    await limited.close();
  }
});

test('the daily limit is a bucket shared by every connector of the account: spent, requests stop with RATE_LIMITED DAILY', async () => {
  const limiter = memoryTokenBucket();
  const credentials = { accessToken: sim.accessToken, apiBaseUrl: sim.url, dailyLimit: 100 };
  // Two workers' connectors for one account; 100 a day allows a burst of 5 (5%), then about one every 15 minutes.
  const workers = [
    createHubspotConnector(credentials, { limiter, account: 'portal-1' }),
    createHubspotConnector(credentials, { limiter, account: 'portal-1' }),
  ];
  const item: WriteBack = { kind: 'opt-out', externalId: sim.contacts()[0]!.id, channel: 'voice' };
  const before = requestsTo('/contacts/batch/update');
  for (let i = 0; i < 5; i++) assert.equal((await workers[i % 2]!.writeBack([item]))[0]!.status, 'done');
  const err = await workers[1]!.writeBack([item]).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(err instanceof AppError && err.code === 'RATE_LIMITED' && err.retryable, String(err));
  assert.equal(err.details?.policyName, 'DAILY');
  assert.ok(Number(err.details?.retryAfterMs) > 10 * 60_000, 'come back in about 15 minutes');
  assert.equal(requestsTo('/contacts/batch/update') - before, 5, 'the refused request never reached HubSpot');
  // Another account's bucket is its own.
  const other = createHubspotConnector(credentials, { limiter, account: 'portal-2' });
  assert.equal((await other.writeBack([item]))[0]!.status, 'done');
});
