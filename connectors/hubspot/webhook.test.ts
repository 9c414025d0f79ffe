// A HubSpot webhook delivery (a JSON array of events, as HubSpot's documentation records one)
// parsed into what each event means for a tenant's records: the do-not-call or SMS opt-out
// property turned 'true' is an opt-out, a clearing of one is nothing (opt-outs are sticky),
// other contact changes are for a sync to pull, a deletion is acknowledged only. Each event's
// delivery id is HubSpot's event, subscription and record together.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crmEventOf, deliveryIdOf, deliveryPortals, parseHubspotEvents, type HubspotEvent } from './webhook.ts';

// https://developers.hubspot.com/docs/api/webhooks (the example request body), plus the fields HubSpot adds.
const RECORDED = [
  {
    objectId: 1246965,
    propertyName: 'lifecyclestage',
    propertyValue: 'subscriber',
    changeSource: 'ACADEMY',
    eventId: 3816279340,
    subscriptionId: 25,
    portalId: 33,
    appId: 1160452,
    occurredAt: 1462216307945,
    subscriptionType: 'contact.propertyChange',
    attemptNumber: 0,
  },
  {
    objectId: 1246978,
    changeSource: 'IMPORT',
    eventId: 3816279480,
    subscriptionId: 22,
    portalId: 33,
    appId: 1160452,
    occurredAt: 1462216307945,
    subscriptionType: 'contact.creation',
    attemptNumber: 0,
  },
  {
    objectId: 1246965,
    propertyName: 'chaseline_do_not_call',
    propertyValue: 'true',
    changeSource: 'CRM_UI',
    eventId: 3816279600,
    subscriptionId: 25,
    portalId: 33,
    appId: 1160452,
    occurredAt: 1462216309000,
    subscriptionType: 'contact.propertyChange',
    attemptNumber: 1,
  },
  {
    objectId: 1246990,
    eventId: 3816279700,
    subscriptionId: 23,
    portalId: 33,
    appId: 1160452,
    occurredAt: 1462216310000,
    subscriptionType: 'contact.deletion',
    attemptNumber: 0,
  },
];
const PROPS = { doNotCallProperty: 'chaseline_do_not_call', smsOptOutProperty: 'chaseline_sms_opt_out' };

const parsed = (): HubspotEvent[] => {
  const r = parseHubspotEvents(RECORDED);
  assert.ok(r.success);
  return r.data;
};

test('a recorded delivery parses, keeping the fields HubSpot adds, and names its portals once', () => {
  const events = parsed();
  assert.equal(events.length, 4);
  assert.equal(events[0]!.changeSource, 'ACADEMY');
  assert.deepEqual(deliveryPortals(RECORDED), ['33']);
});

test('each event means one change to a record, by its own delivery id', () => {
  assert.deepEqual(
    parsed().map((e) => crmEventOf(e, PROPS)),
    [
      { deliveryId: '3816279340:25:1246965', externalId: '1246965', change: { kind: 'changed' } },
      { deliveryId: '3816279480:22:1246978', externalId: '1246978', change: { kind: 'changed' } },
      { deliveryId: '3816279600:25:1246965', externalId: '1246965', change: { kind: 'opt-out', channel: 'voice', note: 'do-not-call set in HubSpot' } },
      { deliveryId: '3816279700:23:1246990', externalId: '1246990', change: { kind: 'ignored' } },
    ],
  );
});

test('the SMS opt-out property is an SMS opt-out; clearing either opt-out is nothing to act on', () => {
  const [base] = parsed();
  const sms = crmEventOf({ ...base!, propertyName: 'chaseline_sms_opt_out', propertyValue: 'true' }, PROPS);
  assert.deepEqual(sms.change, { kind: 'opt-out', channel: 'sms', note: 'SMS opt-out set in HubSpot' });
  assert.deepEqual(crmEventOf({ ...base!, propertyName: 'chaseline_do_not_call', propertyValue: 'false' }, PROPS).change, { kind: 'ignored' });
  // With no SMS opt-out property configured, that property is an ordinary change.
  assert.deepEqual(
    crmEventOf({ ...base!, propertyName: 'chaseline_sms_opt_out', propertyValue: 'true' }, { doNotCallProperty: 'chaseline_do_not_call' }).change,
    { kind: 'changed' },
  );
});

test('a retry repeats the delivery id; an event without subscription or record still has one', () => {
  const [first] = parsed();
  assert.equal(deliveryIdOf({ ...first!, attemptNumber: 3, occurredAt: 1 }), deliveryIdOf(first!));
  const bare = { eventId: 9, portalId: 33, subscriptionType: 'contact.creation' };
  assert.equal(deliveryIdOf(bare), '9:0:0');
  assert.equal(crmEventOf(bare, PROPS).externalId, null);
});

test('a delivery of the wrong shape is refused, naming where', () => {
  const r = parseHubspotEvents([{ ...RECORDED[0], eventId: 'not a number' }]);
  assert.ok(!r.success);
  assert.deepEqual(
    r.error.issues.map((i) => i.path.join('.')),
    ['0.eventId'],
  );
  assert.ok(!parseHubspotEvents({ portalId: 33 }).success);
});
