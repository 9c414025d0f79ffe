/**
 * Salesforce both ways, at the real HTTP server with sim/salesforce and @salesforce/core: a
 * sync links Contacts and Leads; a chase's call lands as a Task on the record; an opt-out
 * made in Chaseline sets DoNotCall, one made in Salesforce reaches Chaseline, and neither
 * echoes back; Salesforce down for a while loses no Task and creates none twice.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { eventually } from '../support/data.ts';
import { connectorState, outboxDrained, syncConnector } from '../support/connectors.ts';
import { startSalesforceSim, type SalesforceSim } from '../../sim/salesforce/index.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import type { TwilioSim } from '../../sim/twilio/index.ts';
import { campaign, waitForChase } from '../chases/support.ts';

let app: TestApp & { sim: TwilioSim; worker: WorkerDeps };
let sf: SalesforceSim;
let campaignId: string;
let contactIds: string[];
let leadIds: string[];
const phone = (i: number) => `+1415555${String(3000 + i).padStart(4, '0')}`;

before(async () => {
  sf = await startSalesforceSim();
  app = await testEngineApp({ defaultRegion: 'US', sim: { clockSpeed: 50, callsPerSecond: 100 }, outboxRetry: { baseMs: 200, maxMs: 500, attempts: 40 } });
  const put = await app.request('PUT', '/v1/connectors/salesforce', {
    body: { credentials: { auth: { accessToken: sf.accessToken, instanceUrl: sf.url }, orgId: sf.orgId } },
  });
  assert.equal(put.status, 200, put.text);
  contactIds = sf.insert(
    'Contact',
    Array.from({ length: 8 }, (_, i) => ({ FirstName: `Ada${i}`, LastName: 'Lovelace', MobilePhone: phone(i) })),
  );
  leadIds = sf.insert('Lead', [{ FirstName: 'Grace', LastName: 'Hopper', Company: 'Navy', Phone: phone(20) }]);
  await sync();
  campaignId = (
    await campaign(app.worker, app.tenantId, { scripts: [{ name: 'cart', say: 'Hi {{name}}, your order is waiting.' }], channel: { policy: 'voice' } })
  ).id;
});
after(async () => {
  await app?.close();
  await sf?.close();
});

const connector = () => connectorState(app, 'salesforce');
const sync = () => syncConnector(app, 'salesforce');

const startChase = async (externalId: string) => {
  const res = await app.request('POST', '/v1/chases', { body: { campaignId, contact: { crm: { system: 'salesforce', externalId } } } });
  assert.equal(res.status, 201, res.text);
  return res.body.id as string;
};
const drained = () => outboxDrained(app, 'salesforce');
const patches = () => sf.requests().filter((r) => r.method === 'PATCH' && r.url.includes('/composite/sobjects')).length;
const tasksOf = (whoId: string) => sf.records('Task').filter((t) => t.WhoId === whoId);

test('the sync links Contacts and Leads; a chase’s call lands as a completed call Task on the record', async () => {
  const contacts = (await app.request('GET', '/v1/contacts?crmSystem=salesforce')).body.items as { name: string }[];
  assert.deepEqual(contacts.length, 9);
  app.sim.setPersona(phone(0), { script: ['yes please send me the link'] });
  await waitForChase(app.worker, app.tenantId, await startChase(contactIds[0]!));
  await waitForChase(app.worker, app.tenantId, await startChase(leadIds[0]!));
  const task = await eventually(() => tasksOf(contactIds[0]!).find((t) => t.TaskSubtype === 'Call'), 'the call Task on the Contact');
  assert.equal(task.TaskSubtype, 'Call');
  assert.equal(task.CallType, 'Outbound');
  assert.equal(task.Status, 'Completed');
  assert.equal(task.CallDisposition, 'Connected');
  assert.match(String(task.CallObject), /^CA[0-9a-f]{32}$/, 'the CallSid');
  assert.ok(Number(task.CallDurationInSeconds) > 0);
  assert.match(String(task.ActivityDate), /^\d{4}-\d\d-\d\d$/);
  await eventually(() => tasksOf(leadIds[0]!).length === 1, 'the Task on the Lead');
  // The link the person asked for went by SMS: a Task too (Salesforce has no SMS activity of its own).
  await eventually(() => tasksOf(contactIds[0]!).some((t) => t.Subject === 'SMS sent'), 'the SMS Task');
});

test('an opt-out made in Chaseline sets DoNotCall once; the next sync brings it back without an echo', async () => {
  const before = patches();
  assert.equal((await app.request('POST', '/v1/opt-outs', { body: { phone: phone(3), channel: 'voice' } })).status, 201);
  await eventually(() => sf.records('Contact').find((c) => c.Id === contactIds[3])!.DoNotCall === true, 'DoNotCall set in Salesforce');
  await drained();
  await sync();
  await new Promise((r) => setTimeout(r, 800));
  await drained();
  assert.equal(patches() - before, 1, 'no echo');
});

test('DoNotCall set in Salesforce reaches Chaseline and is not written back', async () => {
  const before = patches();
  sf.update(contactIds[4]!, { DoNotCall: true });
  await sync();
  const optOuts = (await app.request('GET', '/v1/opt-outs')).body.items as { phone: string; channel: string }[];
  assert.ok(optOuts.some((o) => o.phone === phone(4) && o.channel === 'voice'));
  assert.equal(
    (await app.request('POST', '/v1/chases', { body: { campaignId, contact: { crm: { system: 'salesforce', externalId: contactIds[4] } } } })).status,
    409,
  );
  await drained();
  assert.equal(patches(), before);
});

test('Salesforce down while calls end: every Task lands once it is back, none twice', async () => {
  sf.failFor(2500, 503);
  const ids = await Promise.all([5, 6, 7].map((i) => startChase(contactIds[i]!)));
  for (const id of ids) await waitForChase(app.worker, app.tenantId, id);
  await eventually(() => [5, 6, 7].every((i) => tasksOf(contactIds[i]!).length === 1), 'the Tasks after the outage', 20_000);
  await drained();
  await new Promise((r) => setTimeout(r, 800));
  assert.deepEqual(
    [5, 6, 7].map((i) => tasksOf(contactIds[i]!).length),
    [1, 1, 1],
    'none twice',
  );
  assert.equal((await connector()).outbox.dead, 0);
});
