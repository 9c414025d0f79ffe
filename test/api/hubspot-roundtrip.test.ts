/**
 * HubSpot both ways, at the real HTTP server with sim/hubspot and @hubspot/api-client: the
 * calls of a chase land as call engagements on the contact (and the link SMS as a logged
 * message, the outcome as a tag); an opt-out made in Chaseline reaches HubSpot and one made
 * in HubSpot reaches Chaseline, and neither comes back as an echo; HubSpot down for a while
 * loses no activity and logs none twice.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { eventually } from '../support/data.ts';
import { connectorState, outboxDrained, syncConnector } from '../support/connectors.ts';
import { startHubspotSim, type HubspotSim } from '../../sim/hubspot/index.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import type { TwilioSim } from '../../sim/twilio/index.ts';
import { campaign, waitForChase } from '../chases/support.ts';
import { DISPOSITIONS } from '../../connectors/hubspot/mapping.ts';

let app: TestApp & { sim: TwilioSim; worker: WorkerDeps };
let hub: HubspotSim;
let campaignId: string;
const phone = (i: number) => `+1415555${String(2000 + i).padStart(4, '0')}`;

before(async () => {
  hub = await startHubspotSim({ contactProperties: ['chaseline_tags', 'chaseline_do_not_call', 'mobilephone', 'country'] });
  app = await testEngineApp({ defaultRegion: 'US', sim: { clockSpeed: 50, callsPerSecond: 100 }, outboxRetry: { baseMs: 200, maxMs: 500, attempts: 40 } });
  const put = await app.request('PUT', '/v1/connectors/hubspot', { body: { credentials: { accessToken: hub.accessToken, apiBaseUrl: hub.url } } });
  assert.equal(put.status, 200, put.text);
  hub.seedContacts(12, (i) => ({ firstname: `Ann${i}`, lastname: 'Lee', phone: phone(i) }));
  await sync();
  campaignId = (
    await campaign(app.worker, app.tenantId, {
      scripts: [{ name: 'cart', say: 'Hi {{name}}, your cart is waiting.', sms: 'Your cart: https://shop.example/cart' }],
      channel: { policy: 'voice' },
    })
  ).id;
});
after(async () => {
  await app?.close();
  await hub?.close();
});

const connector = () => connectorState(app, 'hubspot');
const sync = () => syncConnector(app, 'hubspot');

const hubspotId = (i: number) => hub.contacts().find((c) => c.properties.firstname === `Ann${i}`)!.id;
const startChase = async (i: number) => {
  const res = await app.request('POST', '/v1/chases', { body: { campaignId, contact: { crm: { system: 'hubspot', externalId: hubspotId(i) } } } });
  assert.equal(res.status, 201, res.text);
  return res.body.id as string;
};
const drained = () => outboxDrained(app, 'hubspot');
const contactUpdates = () => hub.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/crm/v3/objects/contacts/batch/update')).length;

test('a chase’s call lands in HubSpot as a call engagement on the contact, its link SMS as a message, its outcome as a tag', async () => {
  app.sim.setPersona(phone(0), { script: ['yes please send me the link'] });
  const done = await waitForChase(app.worker, app.tenantId, await startChase(0));
  assert.equal(done.outcome, 'interested');
  const call = await eventually(() => hub.calls().find((c) => c.properties.hs_call_to_number === phone(0)), 'the call engagement');
  assert.equal(call.properties.hs_call_direction, 'OUTBOUND');
  assert.equal(call.properties.hs_call_status, 'COMPLETED');
  assert.equal(call.properties.hs_call_disposition, DISPOSITIONS.connected);
  assert.ok(Number(call.properties.hs_call_duration) > 0, 'the duration is there, in milliseconds');
  assert.match(call.properties.hs_call_body!, /interested/);
  assert.ok(
    hub.associations().some((a) => a.objectId === call.id && a.contactId === hubspotId(0) && a.typeId === 194),
    'associated to its contact (194)',
  );
  const sms = await eventually(() => hub.communications().find((m) => m.properties.hs_communication_body?.startsWith('Your cart:')), 'the SMS logged');
  assert.equal(sms.properties.hs_communication_channel_type, 'SMS');
  await eventually(
    () =>
      hub
        .contacts()
        .find((c) => c.id === hubspotId(0))!
        .properties.chaseline_tags?.includes('chase:interested'),
    'the outcome tag',
  );
});

test('a finished chase is kept on the HubSpot contact as properties of the chaseline group, made when the connector was set up', async () => {
  for (const name of ['chaseline_last_outcome', 'chaseline_last_chase_at', 'chaseline_attempts', 'chaseline_last_campaign']) {
    assert.equal(hub.property('contacts', name)?.groupName, 'chaseline', `${name} created on setup`);
  }
  assert.equal(hub.property('contacts', 'chaseline_attempts')?.type, 'number');
  assert.equal(hub.property('contacts', 'chaseline_last_chase_at')?.type, 'datetime');
  app.sim.setPersona(phone(1), { script: ['no thanks I am not interested'] });
  const done = await waitForChase(app.worker, app.tenantId, await startChase(1));
  const props = await eventually(() => {
    const p = hub.contacts().find((c) => c.id === hubspotId(1))!.properties;
    return p.chaseline_last_outcome ? p : false;
  }, 'the chase result on the contact');
  assert.equal(props.chaseline_last_outcome, done.outcome);
  assert.equal(props.chaseline_attempts, '1');
  const { rows } = await app.db.pool.query<{ name: string }>(`select name from campaigns where id = $1`, [campaignId]);
  assert.equal(props.chaseline_last_campaign, rows[0]!.name);
  assert.ok(Math.abs(Date.parse(props.chaseline_last_chase_at!) - Date.now()) < 60_000);
});

test('an opt-out made in Chaseline reaches HubSpot once; the next sync brings it back without an echo', async () => {
  const updatesBefore = contactUpdates();
  const res = await app.request('POST', '/v1/opt-outs', { body: { phone: phone(3), channel: 'all' } });
  assert.equal(res.status, 201, res.text);
  await eventually(() => hub.contacts().find((c) => c.id === hubspotId(3))!.properties.chaseline_do_not_call === 'true', 'do-not-call set in HubSpot');
  await drained();
  assert.equal(contactUpdates() - updatesBefore, 1);

  // HubSpot now shows the contact modified; pulling it again changes nothing and writes nothing back.
  await sync();
  await new Promise((r) => setTimeout(r, 1000));
  await drained();
  assert.equal(contactUpdates() - updatesBefore, 1, 'no echo');
  const { rows } = await app.db.pool.query<{ n: number }>(`select count(*)::int as n from outbox where kind = 'opt-out'`);
  assert.equal(rows[0]!.n, 1);
});

test('an opt-out made in HubSpot reaches Chaseline, ends the chase, and is not written back to HubSpot', async () => {
  const updatesBefore = contactUpdates();
  hub.upsertContact({ chaseline_do_not_call: 'true' }, hubspotId(4));
  await sync();
  const optOuts = (await app.request('GET', '/v1/opt-outs')).body.items as { phone: string; channel: string; source: string }[];
  assert.ok(optOuts.some((o) => o.phone === phone(4) && o.channel === 'voice' && o.source === 'crm'));
  const refused = await app.request('POST', '/v1/chases', { body: { campaignId, contact: { crm: { system: 'hubspot', externalId: hubspotId(4) } } } });
  assert.equal(refused.status, 409, 'no call to a number HubSpot says not to call');
  await drained();
  assert.equal(contactUpdates(), updatesBefore, 'nothing written back to where it came from');
});

test('HubSpot down while calls end: every call is logged once it is back, none twice', async () => {
  const callsBefore = hub.calls().length;
  hub.failFor(2500, 503);
  const ids = await Promise.all([5, 6, 7, 8, 9].map((i) => startChase(i)));
  for (const id of ids) await waitForChase(app.worker, app.tenantId, id);
  const pending = await connector();
  assert.ok(pending.outbox.pending > 0 || hub.calls().length === callsBefore + 5, 'the write-backs waited (or HubSpot was back already)');
  await eventually(() => hub.calls().length === callsBefore + 5, 'the 5 calls to be logged after the outage', 20_000);
  await drained();
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(hub.calls().length, callsBefore + 5, 'none twice');
  assert.equal((await connector()).outbox.dead, 0);
});
