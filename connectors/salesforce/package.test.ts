// The Chaseline package's fields through the connector, against sim/salesforce over HTTP: off,
// an org keeps plain Tasks and no chase result is sent; on, a chase result updates the record
// (one update per record, merged with an opt-out of it) and publishes Chaseline_Chase_Ended__e,
// and call Tasks carry the Activity fields; on in an org without the package, the org's
// INVALID_FIELD reaches the dead-letter instead of being retried forever, and saving the
// credentials says so at once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSalesforceSim, type SalesforceSim } from '../../sim/salesforce/index.ts';
import type { CallActivity, ChaseResult, WriteBack } from '../../core/ports.ts';
import { checkSalesforceCredentials } from './check.ts';
import { createSalesforceConnector } from './index.ts';
import { ACTIVITY_FIELDS, CHASE_ENDED_EVENT, CHASE_ENDED_FIELDS, PERSON_FIELDS } from './package.ts';

let withPackage: SalesforceSim;
let without: SalesforceSim;

before(async () => {
  [withPackage, without] = await Promise.all([startSalesforceSim(), startSalesforceSim()]);
  const person = [
    { name: PERSON_FIELDS.outcome, kind: 'string' as const },
    { name: PERSON_FIELDS.endedAt, kind: 'datetime' as const },
    { name: PERSON_FIELDS.attempts, kind: 'int' as const },
    { name: PERSON_FIELDS.campaign, kind: 'string' as const },
  ];
  withPackage.addCustomFields('Contact', person);
  withPackage.addCustomFields('Lead', person);
  withPackage.addCustomFields('Task', [
    { name: ACTIVITY_FIELDS.outcome, kind: 'string' },
    { name: ACTIVITY_FIELDS.intent, kind: 'string' },
    { name: ACTIVITY_FIELDS.duration, kind: 'int' },
    { name: ACTIVITY_FIELDS.chaseId, kind: 'string' },
  ]);
  withPackage.addPlatformEvent(CHASE_ENDED_EVENT, [
    { name: CHASE_ENDED_FIELDS.recordId, kind: 'string', required: true },
    { name: CHASE_ENDED_FIELDS.chaseId, kind: 'string', required: true },
    { name: CHASE_ENDED_FIELDS.outcome, kind: 'string' },
    { name: CHASE_ENDED_FIELDS.attempts, kind: 'int' },
    { name: CHASE_ENDED_FIELDS.campaign, kind: 'string' },
  ]);
});
after(() => Promise.all([withPackage, without].map((s) => s.close())));

const connect = (s: SalesforceSim, pkg: boolean) => createSalesforceConnector({ auth: { accessToken: s.accessToken, instanceUrl: s.url }, package: pkg });
const CHASE = '0190f5c2-0000-7000-8000-0000000000c1';
const result = (over: Partial<ChaseResult> = {}): ChaseResult => ({
  outcome: 'interested',
  endedAt: '2026-03-02T09:01:00.000Z',
  attempts: 2,
  campaign: 'Renewals',
  chaseId: CHASE,
  ...over,
});
const call = (whoId: string): CallActivity => ({
  externalContactId: whoId,
  at: new Date('2026-03-02T09:00:00Z'),
  title: 'Chaseline: Renewals',
  body: 'answered',
  outcome: 'answered',
  durationSeconds: 41.6,
  from: '+14155550100',
  to: '+14155550199',
  callSid: `CA${'0'.repeat(32)}`,
  chaseId: CHASE,
  result: 'interested',
  intent: 'yes',
});
const requestsTo = (s: SalesforceSim, from: number) =>
  s
    .requests()
    .slice(from)
    .map((r) => `${r.method} ${r.url.replace(/^\/services\/data\/v[\d.]+/, '')}`);

test('without the package: chase results are skipped and no Chaseline field is sent', async () => {
  const [contactId] = without.insert('Contact', [{ LastName: 'Lovelace' }]) as [string];
  const from = without.requests().length;
  const results = await connect(without, false).writeBack([
    { kind: 'chase-result', externalId: contactId, result: result() },
    { kind: 'call', call: call(contactId) },
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['skipped', 'done'],
  );
  assert.deepEqual(requestsTo(without, from), ['POST /composite/sobjects']);
  const task = without.records('Task').find((t) => t.WhoId === contactId)!;
  assert.equal(
    Object.keys(task).some((k) => k.startsWith('Chaseline_')),
    false,
  );
});

test('with the package: the record holds the result, the event is published, the Task carries the Activity fields', async () => {
  const [contactId] = withPackage.insert('Contact', [{ LastName: 'Lovelace' }]) as [string];
  const [leadId] = withPackage.insert('Lead', [{ LastName: 'Hopper', Company: 'Navy' }]) as [string];
  const from = withPackage.requests().length;
  const items: WriteBack[] = [
    { kind: 'opt-out', externalId: contactId, channel: 'voice' },
    { kind: 'chase-result', externalId: contactId, result: result({ outcome: 'opted-out' }) },
    { kind: 'chase-result', externalId: leadId, result: result({ chaseId: '0190f5c2-0000-7000-8000-0000000000c2', attempts: 1, outcome: 'unreached' }) },
    { kind: 'call', call: call(contactId) },
  ];
  const results = await connect(withPackage, true).writeBack(items);
  assert.deepEqual(
    results.map((r) => r.status),
    ['done', 'done', 'done', 'done'],
  );
  // One update for both changes to the Contact (Salesforce refuses an id twice in one request), one event per chase.
  assert.deepEqual(requestsTo(withPackage, from), [
    'PATCH /composite/sobjects',
    `POST /sobjects/${CHASE_ENDED_EVENT}`,
    `POST /sobjects/${CHASE_ENDED_EVENT}`,
    'POST /composite/sobjects',
  ]);

  const contact = withPackage.records('Contact').find((c) => c.Id === contactId)!;
  assert.equal(contact.DoNotCall, true);
  assert.equal(contact[PERSON_FIELDS.outcome], 'opted-out');
  assert.equal(contact[PERSON_FIELDS.attempts], 2);
  assert.equal(contact[PERSON_FIELDS.campaign], 'Renewals');
  assert.equal(contact[PERSON_FIELDS.endedAt], '2026-03-02T09:01:00.000+0000');
  assert.equal(withPackage.records('Lead').find((l) => l.Id === leadId)![PERSON_FIELDS.outcome], 'unreached');

  assert.deepEqual(
    withPackage
      .publishedEvents()
      .map((e) => [e.fields[CHASE_ENDED_FIELDS.recordId], e.fields[CHASE_ENDED_FIELDS.outcome], e.fields[CHASE_ENDED_FIELDS.attempts]]),
    [
      [contactId, 'opted-out', 2],
      [leadId, 'unreached', 1],
    ],
  );

  const task = withPackage.records('Task').find((t) => t.WhoId === contactId)!;
  assert.equal(task[ACTIVITY_FIELDS.outcome], 'interested');
  assert.equal(task[ACTIVITY_FIELDS.intent], 'yes');
  assert.equal(task[ACTIVITY_FIELDS.duration], 42);
  assert.equal(task[ACTIVITY_FIELDS.chaseId], CHASE);
});

test('package on in an org without it: INVALID_FIELD is a rejection (dead-letter), not a retry', async () => {
  const [contactId] = without.insert('Contact', [{ LastName: 'Turing' }]) as [string];
  const results = await connect(without, true).writeBack([
    { kind: 'chase-result', externalId: contactId, result: result() },
    { kind: 'call', call: call(contactId) },
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  assert.match((results[0] as { error: string }).error, /^INVALID_FIELD: No such column 'Chaseline_/);
  assert.match((results[1] as { error: string }).error, /^INVALID_FIELD/);
  assert.equal(without.publishedEvents().length, 0);
});

test('the record is updated but the event refused: the result says why, the update stays', async () => {
  const [contactId] = withPackage.insert('Contact', [{ LastName: 'Noether' }]) as [string];
  // A chase result without its chase id: the event's required Chase_Id__c is missing.
  const [r] = await connect(withPackage, true).writeBack([{ kind: 'chase-result', externalId: contactId, result: result({ chaseId: undefined }) }]);
  assert.equal(r!.status, 'rejected');
  assert.match((r as { error: string }).error, /Chaseline_Chase_Ended__e: .*REQUIRED_FIELD_MISSING/);
  assert.equal(withPackage.records('Contact').find((c) => c.Id === contactId)![PERSON_FIELDS.outcome], 'interested');
});

test('saving package: true says at once when the org lacks the package', async () => {
  const credentials = (s: SalesforceSim, pkg: boolean) => ({ auth: { accessToken: s.accessToken, instanceUrl: s.url }, package: pkg });
  assert.deepEqual(await checkSalesforceCredentials(credentials(withPackage, true)), { ok: true });
  assert.deepEqual(await checkSalesforceCredentials(credentials(without, false)), { ok: true });
  const missing = await checkSalesforceCredentials(credentials(without, true));
  assert.equal(missing.ok, false);
  assert.match(String(missing.reason), /Chaseline package \(package: true\).*INVALID_FIELD/);
});
