/**
 * A HubSpot portal whose tags property is a multiple-checkbox property (as the README
 * suggests), at the real HTTP server with sim/hubspot: a chase's outcome is written back as
 * a `chase:…` tag, the property gains the option it lacked, the tag lands beside the ones
 * the contact had, and nothing dies in the outbox.
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

let app: TestApp & { sim: TwilioSim; worker: WorkerDeps };
let hub: HubspotSim;
const phone = '+14155553100';

before(async () => {
  hub = await startHubspotSim({
    contactProperties: [
      { name: 'chaseline_tags', label: 'Chaseline tags', type: 'enumeration', fieldType: 'checkbox', options: [{ value: 'vip', label: 'VIP' }] },
      'chaseline_do_not_call',
    ],
  });
  app = await testEngineApp({ defaultRegion: 'US', sim: { clockSpeed: 50, callsPerSecond: 100 }, outboxRetry: { baseMs: 200, maxMs: 500, attempts: 40 } });
  const put = await app.request('PUT', '/v1/connectors/hubspot', { body: { credentials: { accessToken: hub.accessToken, apiBaseUrl: hub.url } } });
  assert.equal(put.status, 200, put.text);
});
after(async () => {
  await app?.close();
  await hub?.close();
});

test('a chase outcome lands as a tag in a multiple-checkbox tags property, which gains the option; nothing dead in the outbox', async () => {
  const [ann] = hub.setContacts([{ properties: { firstname: 'Ann', lastname: 'Lee', phone, chaseline_tags: 'vip' } }]);
  await syncConnector(app, 'hubspot');
  const { id: campaignId } = await campaign(app.worker, app.tenantId, {
    scripts: [{ name: 'cart', say: 'Hi {{name}}, your cart is waiting.', sms: 'Your cart: https://shop.example/cart' }],
    channel: { policy: 'voice' },
  });
  app.sim.setPersona(phone, { script: ['yes please send me the link'] });
  const res = await app.request('POST', '/v1/chases', { body: { campaignId, contact: { crm: { system: 'hubspot', externalId: ann!.id } } } });
  assert.equal(res.status, 201, res.text);
  assert.equal((await waitForChase(app.worker, app.tenantId, res.body.id)).outcome, 'interested');

  const tagsOf = () => hub.contacts().find((c) => c.id === ann!.id)!.properties.chaseline_tags ?? '';
  const tags = await eventually(() => tagsOf().split(';').includes('chase:interested') && tagsOf(), 'the outcome tag in HubSpot');
  assert.ok(tags.split(';').includes('vip'), `the tags the contact had stay (${tags})`);
  const options = hub.property('contacts', 'chaseline_tags')!.options.map((o) => o.value);
  assert.ok(options.includes('vip') && options.includes('chase:interested'), `the option was added beside the portal's own (${options.join(', ')})`);
  await outboxDrained(app, 'hubspot');
  assert.equal((await connectorState(app, 'hubspot')).outbox.dead, 0);
  const invalid = hub.requests().filter((r) => r.status === 400);
  assert.deepEqual(invalid, [], 'HubSpot refused nothing');
});
