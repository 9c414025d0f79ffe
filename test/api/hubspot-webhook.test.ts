// HubSpot's webhooks at the real HTTP server, delivered and signed (v3) by sim/hubspot as
// HubSpot does: the tenant is found by the events' portal and verified by its client secret;
// do-not-call set in HubSpot opts the linked contact out of calls at once; a forged or stale
// delivery changes nothing; a redelivery is processed once; a new contact queues a sync that
// pulls it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { eventually } from '../support/data.ts';
import { signV3, startHubspotSim, type HubspotSim, type SimObject } from '../../sim/hubspot/index.ts';

let app: TestApp;
let hub: HubspotSim;
let target: string;
let linked: SimObject[];

const state = async () => (await app.request('GET', '/v1/connectors')).body.items.find((c: { type: string }) => c.type === 'hubspot');
const optOuts = async () => (await app.request('GET', '/v1/opt-outs')).body.items as { phone: string; channel: string; source: string }[];
const seen = async () => Number((await app.db.pool.query<{ n: string }>(`select count(*) as n from inbound_deliveries where source = 'hubspot'`)).rows[0]!.n);
const phoneOf = (c: SimObject) => c.properties.phone!;

before(async () => {
  hub = await startHubspotSim({ contactProperties: ['chaseline_tags', 'chaseline_do_not_call'] });
  app = await testEngineApp({ defaultRegion: 'US' });
  target = `${app.url}/webhooks/hubspot`;
  const put = await app.request('PUT', '/v1/connectors/hubspot', {
    body: { credentials: { accessToken: hub.accessToken, apiBaseUrl: hub.url, clientSecret: hub.clientSecret, portalId: String(hub.portalId) } },
  });
  assert.equal(put.status, 200, put.text);
  hub.seedContacts(3, (i) => ({ firstname: `Ann${i}`, phone: `+1415555${String(2000 + i)}` }));
  linked = hub.contacts();
  assert.equal((await app.request('POST', '/v1/connectors/hubspot/sync')).status, 202);
  await eventually(async () => (await state()).syncStatus === 'ok', 'the first sync', 30_000);
});
after(async () => {
  await app?.close();
  await hub?.close();
});

test('do-not-call set in HubSpot opts the linked contact out of calls at once, with no sync', async () => {
  const c = linked[0]!;
  hub.upsertContact({ chaseline_do_not_call: 'true' }, c.id);
  const before = await state();
  const delivery = await hub.sendWebhook(
    [{ subscriptionType: 'contact.propertyChange', objectId: Number(c.id), propertyName: 'chaseline_do_not_call', propertyValue: 'true' }],
    { targetUrl: target },
  );
  assert.equal(delivery.status, 200, delivery.body);
  assert.deepEqual(
    (await optOuts()).map((o) => [o.phone, o.channel, o.source]),
    [[phoneOf(c), 'voice', 'crm']],
  );
  assert.equal((await state()).syncStatus, before.syncStatus, 'nothing to pull');
  assert.ok(!app.logs.join('').includes(phoneOf(c)), 'no number in the logs');
});

test('a forged signature is a 401 and changes nothing', async () => {
  const c = linked[1]!;
  const [outs, events] = [await optOuts(), await seen()];
  const event = { subscriptionType: 'contact.propertyChange', objectId: Number(c.id), propertyName: 'chaseline_do_not_call', propertyValue: 'true' };
  const forged = await hub.sendWebhook([event], { targetUrl: target, clientSecret: 'not-the-app-secret' });
  assert.equal(forged.status, 401);
  // The right secret over another URL (signed for elsewhere, replayed here) does not verify either.
  const timestamp = String(Date.now());
  const body = JSON.stringify([
    { ...event, eventId: 77, subscriptionId: 1, portalId: hub.portalId, appId: hub.appId, occurredAt: Date.now(), attemptNumber: 0 },
  ]);
  const elsewhere = await fetch(target, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hubspot-request-timestamp': timestamp,
      'x-hubspot-signature-v3': signV3(hub.clientSecret, 'POST', 'https://other.example.com/webhooks/hubspot', body, timestamp),
    },
    body,
  });
  assert.equal(elsewhere.status, 401);
  assert.deepEqual(await optOuts(), outs);
  assert.equal(await seen(), events);
});

test('a timestamp older than five minutes is a 401, even signed with the right secret', async () => {
  const c = linked[1]!;
  const events = await seen();
  const stale = await hub.sendWebhook(
    [{ subscriptionType: 'contact.propertyChange', objectId: Number(c.id), propertyName: 'chaseline_do_not_call', propertyValue: 'true' }],
    {
      targetUrl: target,
      timestamp: Date.now() - 6 * 60_000,
    },
  );
  assert.equal(stale.status, 401);
  assert.equal(await seen(), events);
  assert.equal((await optOuts()).length, 1);
});

test('a signed body that is not a JSON array of events is a 400', async () => {
  const timestamp = String(Date.now());
  const body = JSON.stringify({ portalId: hub.portalId, eventId: 1 });
  const res = await fetch(target, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hubspot-request-timestamp': timestamp,
      'x-hubspot-signature-v3': signV3(hub.clientSecret, 'POST', target, body, timestamp),
    },
    body,
  });
  assert.equal(res.status, 400);
});

test('a new contact queues a sync that pulls it; the same delivery again is processed once', async () => {
  const created = hub.upsertContact({ firstname: 'Newcomer', phone: '+14155552100' });
  const before = await state();
  const delivery = await hub.sendWebhook([{ subscriptionType: 'contact.creation', objectId: Number(created.id) }], { targetUrl: target });
  assert.equal(delivery.status, 200, delivery.body);
  const queued = await state();
  assert.ok(['queued', 'running'].includes(queued.syncStatus) || queued.lastSyncAt !== before.lastSyncAt, 'a sync was queued before the answer');
  const pulled = await eventually(
    async () => {
      const s = await state();
      const contacts = (await app.request('GET', '/v1/contacts?limit=50')).body.items as { phone: string }[];
      return s.syncStatus === 'ok' && contacts.some((c) => c.phone === '+14155552100') && s;
    },
    'the sync to pull the new contact',
    30_000,
  );

  // HubSpot retries what it thinks failed: the very same request, byte for byte.
  const again = await fetch(target, { method: 'POST', headers: delivery.headers, body: JSON.stringify(delivery.events) });
  assert.equal(again.status, 200);
  const after = await state();
  assert.equal(after.syncStatus, 'ok', 'no second sync queued');
  assert.equal(after.lastSyncAt, pulled.lastSyncAt);
  const { rows } = await app.db.pool.query(`select 1 from inbound_deliveries where source = 'hubspot' and delivery_id like $1`, [
    `${delivery.events[0]!.eventId}:%`,
  ]);
  assert.equal(rows.length, 1);
});

test('do-not-call on a contact not linked yet queues a sync, which records the opt-out', async () => {
  const stranger = hub.upsertContact({ firstname: 'Stranger', phone: '+14155552200', chaseline_do_not_call: 'true' });
  const delivery = await hub.sendWebhook(
    [{ subscriptionType: 'contact.propertyChange', objectId: Number(stranger.id), propertyName: 'chaseline_do_not_call', propertyValue: 'true' }],
    { targetUrl: target },
  );
  assert.equal(delivery.status, 200);
  await eventually(async () => (await optOuts()).some((o) => o.phone === '+14155552200' && o.channel === 'voice'), 'the synced opt-out', 30_000);
});
