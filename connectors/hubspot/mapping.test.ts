// The pure parts of write-backs: opt-out properties, tags joined, created records matched to inputs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeTags, optOutProperties, smsProperties } from './mapping.ts';
import { matchCreated, namedIds } from './writeback.ts';

test('opt-outs: voice sets do-not-call, sms the SMS property when configured, all both', () => {
  const props = { doNotCallProperty: 'dnc', smsOptOutProperty: 'sms_out' };
  assert.deepEqual(optOutProperties('voice', props), { dnc: 'true' });
  assert.deepEqual(optOutProperties('sms', props), { sms_out: 'true' });
  assert.deepEqual(optOutProperties('all', props), { dnc: 'true', sms_out: 'true' });
  assert.equal(optOutProperties('sms', { doNotCallProperty: 'dnc' }), null);
});

test('tags are joined to what HubSpot has, once each; nothing new is null', () => {
  assert.equal(mergeTags('vip; cart', ['cart', 'chased', 'chased', '']), 'vip;cart;chased');
  assert.equal(mergeTags(null, ['a;b']), 'a;b');
  assert.equal(mergeTags('vip', ['vip']), null);
});

test('an SMS is a communication logged from the CRM', () => {
  const at = new Date('2026-11-25T10:00:00Z');
  assert.deepEqual(smsProperties({ externalContactId: '1', at, body: 'Hi', from: '+1', to: '+2', messageSid: null }), {
    hs_communication_channel_type: 'SMS',
    hs_communication_logged_from: 'CRM',
    hs_communication_body: 'Hi',
    hs_timestamp: at.toISOString(),
  });
});

test('created records are matched to inputs by what they echo, whatever their order', () => {
  const inputs = [
    { hs_call_body: 'a', hs_timestamp: '2026-11-25T10:00:00.000Z', hs_call_duration: '42000' },
    { hs_call_body: 'b', hs_timestamp: '2026-11-25T10:00:00.000Z', hs_call_duration: '0' },
    { hs_call_body: '', hs_timestamp: '2026-11-25T10:00:00.000Z', hs_call_duration: '0' },
  ];
  const results = [
    { id: '3', properties: { hs_call_body: null, hs_timestamp: '1795600800000', hs_call_duration: '0' } },
    { id: '2', properties: { hs_call_body: 'b', hs_timestamp: '2026-11-25T10:00:00Z', hs_call_duration: '0.0' } },
    { id: '1', properties: { hs_call_body: 'a', hs_timestamp: '2026-11-25T10:00:00Z', hs_call_duration: '42000' } },
  ];
  assert.deepEqual(matchCreated(inputs, results), ['1', '2', '3']);
  assert.deepEqual(matchCreated([{ x: 'changed by HubSpot' }], [{ id: '9', properties: { x: 'other' } }]), ['9'], 'left over: in order');
  assert.deepEqual([...namedIds([{ context: { ids: ['1'] } }, { context: { toObjectId: ['2'] } }])], ['1', '2']);
});
