// A CRM sync end to end: the HubSpot connector configured through the API (pointed at
// sim/hubspot), POST /v1/connectors/hubspot/sync queues a job, the worker pulls the contacts
// through @hubspot/api-client, do-not-call becomes a sticky voice opt-out, and the next sync
// resumes from the saved cursor.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { assertProblem } from '../support/api.ts';
import { eventually } from '../support/data.ts';
import { startHubspotSim, type HubspotSim } from '../../sim/hubspot/index.ts';

let app: TestApp;
let hub: HubspotSim;

before(async () => {
  hub = await startHubspotSim({ contactProperties: ['chaseline_tags', 'chaseline_do_not_call', 'mobilephone', 'country'] });
  app = await testEngineApp({ defaultRegion: 'US' });
  const put = await app.request('PUT', '/v1/connectors/hubspot', { body: { credentials: { accessToken: hub.accessToken, apiBaseUrl: hub.url } } });
  assert.equal(put.status, 200, put.text);
});
after(async () => {
  await app.close();
  await hub.close();
});

const state = async () => (await app.request('GET', '/v1/connectors')).body.items.find((c: { type: string }) => c.type === 'hubspot');
const syncedOk = (since?: string) =>
  eventually(
    async () => {
      const s = await state();
      return s.syncStatus === 'ok' && s.lastSyncAt !== since && s;
    },
    'the sync to finish',
    30_000,
  );

test('a sync pulls the contacts with their CRM reference; do-not-call becomes a voice opt-out; the next sync resumes', async () => {
  hub.seedContacts(300, (i) => ({
    firstname: `Ann${i}`,
    lastname: 'Lee',
    phone: `+1415555${String(1000 + i).padStart(4, '0')}`,
    chaseline_tags: 'vip',
    ...(i === 7 ? { chaseline_do_not_call: 'true' } : {}),
  }));
  const res = await app.request('POST', '/v1/connectors/hubspot/sync');
  assert.equal(res.status, 202, res.text);
  const first = await syncedOk();
  const contacts = await app.request('GET', '/v1/contacts?limit=500');
  const fromHubspot = (contacts.body.items as { crm: { system: string }[]; tags: string[] }[]).filter((c) => c.crm.some((r) => r.system === 'hubspot'));
  assert.equal(fromHubspot.length, 300);
  assert.ok(fromHubspot.every((c) => c.tags.includes('vip')));
  const optOuts = (await app.request('GET', '/v1/opt-outs')).body.items as { phone: string; channel: string; source: string }[];
  assert.deepEqual(
    optOuts.map((o) => [o.phone, o.channel, o.source]),
    [['+14155551007', 'voice', 'crm']],
  );
  assert.ok(first.cursor?.since, 'the cursor is saved');

  // Only what changed is read again; a do-not-call cleared in the CRM does not reopen calls.
  const searchesBefore = hub.requests().filter((r) => r.path.endsWith('/contacts/search')).length;
  const seventh = hub.contacts().find((c) => c.properties.firstname === 'Ann7')!;
  hub.upsertContact({ chaseline_do_not_call: 'false', lastname: 'Lee-Smith' }, seventh.id);
  assert.equal((await app.request('POST', '/v1/connectors/hubspot/sync')).status, 202);
  await syncedOk(first.lastSyncAt);
  assert.equal(hub.requests().filter((r) => r.path.endsWith('/contacts/search')).length - searchesBefore, 1);
  const again = (await app.request('GET', '/v1/opt-outs')).body.items as { channel: string }[];
  assert.equal(again.length, 1, 'opt-out is sticky');
});

test('a connector that pulls nothing cannot be synced', async () => {
  assertProblem(await app.request('POST', '/v1/connectors/twilio/sync'), 409, 'CONFLICT', 'type');
});
