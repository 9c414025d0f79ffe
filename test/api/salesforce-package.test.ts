/**
 * The Salesforce package's whole path (issue 12): the "Start Chase" Apex action's callout, read
 * from the parsed Apex and sent exactly so to the real Chaseline server with the API key as the
 * Chaseline named credential adds it → the chase runs through the carrier simulator → the
 * Salesforce connector (package: true) writes back to sim/salesforce, which has the package's
 * fields and platform event deployed from its metadata → the Contact's Chaseline fields hold the
 * outcome and attempts, the call Task its outcome and chase, and Chaseline_Chase_Ended__e was
 * published. Also what a rep sees when Chaseline refuses: an unknown record without a phone, a
 * bad API key.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { eventually } from '../support/data.ts';
import { connectorState, outboxDrained } from '../support/connectors.ts';
import { startSalesforceSim, type SalesforceSim } from '../../sim/salesforce/index.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import type { TwilioSim } from '../../sim/twilio/index.ts';
import { campaign, waitForChase } from '../chases/support.ts';
import { ACTIVITY_FIELDS, CHASE_ENDED_EVENT, CHASE_ENDED_FIELDS, PERSON_FIELDS } from '../../connectors/salesforce/package.ts';
import { callsIn, constants, evaluate, parseApex, returned } from '../../plugins/salesforce/test/apex.ts';
import { authorizationFor, SOURCE, simFields } from '../../plugins/salesforce/test/metadata.ts';

let app: TestApp & { sim: TwilioSim; worker: WorkerDeps };
let sf: SalesforceSim;
let campaignId: string;
let campaignName: string;
/** The key an admin puts into the Chaseline external credential's principal. */
let salesforceKey: string;

const client = parseApex(readFileSync(path.join(SOURCE, 'classes/ChaselineClient.cls'), 'utf8'));
const CLIENT = constants(client.unit);

before(async () => {
  sf = await startSalesforceSim();
  // The package deployed to the org: its fields and platform event, straight from its metadata.
  sf.addCustomFields('Contact', simFields('Contact'));
  sf.addCustomFields('Lead', simFields('Lead'));
  sf.addCustomFields('Task', simFields('Activity'));
  sf.addPlatformEvent(CHASE_ENDED_EVENT, simFields(CHASE_ENDED_EVENT));

  app = await testEngineApp({ defaultRegion: 'US', sim: { clockSpeed: 50, callsPerSecond: 100 }, outboxRetry: { baseMs: 200, maxMs: 500, attempts: 40 } });
  const put = await app.request('PUT', '/v1/connectors/salesforce', {
    body: { credentials: { auth: { accessToken: sf.accessToken, instanceUrl: sf.url }, orgId: sf.orgId, package: true } },
  });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual(put.body.check, { ok: true }, 'the package is found in the org');
  const made = await campaign(app.worker, app.tenantId, {
    name: 'Renewals',
    scripts: [{ name: 'renewal', say: 'Hi {{name}}, your plan renews soon.' }],
    channel: { policy: 'voice' },
  });
  campaignId = made.id;
  campaignName = made.name;
  const key = await app.request('POST', '/v1/api-keys', { body: { role: 'operator', name: 'Salesforce org' } });
  assert.equal(key.status, 201, key.text);
  salesforceKey = key.body.key;
});
after(async () => {
  await app?.close();
  await sf?.close();
});

/**
 * POST /v1/chases as ChaselineClient.startChase makes it: its method and path from its call to
 * send(…), its body from startChaseBody(…) with the record's values, to the named credential's
 * URL (here the test server) with the header the external credential adds.
 */
async function apexStartChase(record: { recordId: string; phone: string | null; name: string | null; email: string | null }, key = salesforceKey) {
  const [args] = callsIn(client.unit, 'startChase', 'send');
  assert.ok(args, 'ChaselineClient.startChase calls send(method, path, body)');
  const method = evaluate(args[0]!, CLIENT) as string;
  const urlPath = evaluate(args[1]!, CLIENT) as string;
  const body = returned(client.unit, 'startChaseBody', { campaignId, ...record });
  assert.equal(CLIENT.ENDPOINT, 'callout:Chaseline');
  const res = await fetch(`${app.url}${urlPath}`, {
    method,
    headers: { Authorization: authorizationFor(key), 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, sent: body };
}

test('a chase started from the Apex action lands its outcome in the Contact, the Task and the platform event', async () => {
  const phone = '+14155557001';
  const [contactId] = sf.insert('Contact', [{ FirstName: 'Ada', LastName: 'Lovelace', MobilePhone: phone, Email: 'ada@example.com' }]) as [string];
  app.sim.setPersona(phone, { script: ['yes please send me the link'] });

  // The record Chaseline has not synced: the action sends its phone, name and email along.
  const started = await apexStartChase({ recordId: contactId, phone, name: 'Ada Lovelace', email: 'ada@example.com' });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  assert.deepEqual(Object.keys(started.sent as object).sort(), ['campaignId', 'contact']);
  const chaseId = String(started.body.id);
  assert.equal(started.body.status, 'scheduled');

  const ended = await waitForChase(app.worker, app.tenantId, chaseId);
  assert.equal(ended.status, 'completed');
  assert.ok(ended.outcome, 'the chase has an outcome');

  // The Contact's Chaseline fields: what RevOps reports on.
  const contact = await eventually(
    () => sf.records('Contact').find((c) => c.Id === contactId && c[PERSON_FIELDS.outcome] !== null),
    "the Contact's Chaseline fields",
  );
  assert.equal(contact[PERSON_FIELDS.outcome], ended.outcome);
  assert.equal(contact[PERSON_FIELDS.attempts], ended.attempts.filter((a) => a.status !== 'not-placed').length);
  assert.ok(Number(contact[PERSON_FIELDS.attempts]) >= 1);
  assert.equal(contact[PERSON_FIELDS.campaign], campaignName);
  assert.match(String(contact[PERSON_FIELDS.endedAt]), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);

  // The call Task carries the package's Activity fields.
  const task = await eventually(() => sf.records('Task').find((t) => t.WhoId === contactId && t.TaskSubtype === 'Call'), 'the call Task');
  assert.equal(task[ACTIVITY_FIELDS.chaseId], chaseId);
  assert.equal(task[ACTIVITY_FIELDS.outcome], ended.attempts.find((a) => a.channel === 'voice')!.outcome);
  assert.ok(Number(task[ACTIVITY_FIELDS.duration]) > 0, 'the call lasted');
  assert.equal(task.CallDisposition, 'Connected', 'the standard call fields are still written');

  // The platform event a Flow reacts to.
  const event = await eventually(() => sf.publishedEvents().find((e) => e.fields[CHASE_ENDED_FIELDS.chaseId] === chaseId), `${CHASE_ENDED_EVENT} published`);
  assert.equal(event.type, CHASE_ENDED_EVENT);
  assert.deepEqual(event.fields, {
    [CHASE_ENDED_FIELDS.recordId]: contactId,
    [CHASE_ENDED_FIELDS.chaseId]: chaseId,
    [CHASE_ENDED_FIELDS.outcome]: ended.outcome,
    [CHASE_ENDED_FIELDS.attempts]: contact[PERSON_FIELDS.attempts],
    [CHASE_ENDED_FIELDS.campaign]: campaignName,
  });

  // What the record page's component reads back (ChaselineClient.contactOf, then chasesOf).
  const linked = await app.request('GET', `${CLIENT.CONTACTS_PATH}?crmSystem=${CLIENT.CRM_SYSTEM}&externalId=${contactId}&limit=1`, { key: salesforceKey });
  assert.equal(linked.body.items.length, 1);
  const chases = await app.request('GET', `${CLIENT.CHASES_PATH}?contactId=${linked.body.items[0].id}&limit=100`, { key: salesforceKey });
  assert.deepEqual(
    chases.body.items.map((c: { id: string; outcome: string }) => [c.id, c.outcome]),
    [[chaseId, ended.outcome]],
  );

  await outboxDrained(app, 'salesforce');
  assert.equal((await connectorState(app, 'salesforce')).outbox.dead, 0, 'nothing was refused by the org');
  // Neither the person nor the org's key reaches the logs.
  const logs = app.logs.join('\n');
  for (const secret of [phone, '4155557001', 'Lovelace', 'ada@example.com', salesforceKey])
    assert.equal(logs.includes(secret), false, 'a log line holds PII or the key');
});

test('a Lead Chaseline does not know, without a phone, is refused with a 404 naming contact.crm; nothing is created', async () => {
  const [leadId] = sf.insert('Lead', [{ LastName: 'Hopper', Company: 'Navy' }]) as [string];
  const before = (await app.request('GET', '/v1/chases?limit=500')).body.items.length;
  const res = await apexStartChase({ recordId: leadId, phone: null, name: 'Hopper', email: null });
  assert.equal(res.status, 404);
  assert.equal(res.body.field, 'contact.crm');
  assert.equal(res.body.code, 'NOT_FOUND');
  assert.deepEqual(res.sent, { campaignId, contact: { crm: { system: 'salesforce', externalId: leadId }, name: 'Hopper' } }, 'blank fields are left out');
  assert.equal((await app.request('GET', '/v1/chases?limit=500')).body.items.length, before);
});

test('a wrong API key in the external credential is a 401 and starts nothing', async () => {
  const phone = '+14155557002';
  const [contactId] = sf.insert('Contact', [{ LastName: 'Turing', MobilePhone: phone }]) as [string];
  const before = (await app.request('GET', '/v1/chases?limit=500')).body.items.length;
  const res = await apexStartChase({ recordId: contactId, phone, name: 'Turing', email: null }, `${salesforceKey.slice(0, -4)}XXXX`);
  assert.equal(res.status, 401);
  assert.equal((await app.request('GET', '/v1/chases?limit=500')).body.items.length, before);
  const linked = await app.request('GET', `/v1/contacts?crmSystem=salesforce&externalId=${contactId}`);
  assert.deepEqual(linked.body.items, [], 'the record did not become a contact');
});
