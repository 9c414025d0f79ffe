// Twilio's words mapped to the carrier port's, on values and payloads as Twilio sends them
// (the call's progress, machine verdicts, texts, line types; the dialog's requests are in webhook.test.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { callParams, dialTarget } from './index.ts';
import {
  answeredByOf,
  callbackUrl,
  callStateOf,
  lineTypeOf,
  messageStateOf,
  parseCallStatus,
  parseInboundMessage,
  parseMachineVerdict,
  parseMessageStatus,
} from './webhook.ts';

const ATTEMPT = '6f1c3a5e-8a57-4d0e-9a55-0b7d8b1c2e3f';
const CALL_SID = 'CA5f3d2b1c0e9a8f7d6c5b4a3928170615';
const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';

describe('call states', () => {
  test("each of Twilio's CallStatus values is one of the engine's; initiated is still queued", () => {
    const mapped = Object.fromEntries(
      ['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled'].map((s) => [s, callStateOf(s)]),
    );
    assert.deepEqual(mapped, {
      queued: 'queued',
      initiated: 'queued',
      ringing: 'ringing',
      'in-progress': 'in-progress',
      completed: 'completed',
      busy: 'busy',
      'no-answer': 'no-answer',
      failed: 'failed',
      canceled: 'canceled',
    });
    assert.throws(() => callStateOf('answered'), /not a Twilio call status/);
  });
});

describe('answered by', () => {
  test("Twilio's machine-detection verdicts as human, machine, fax or unknown", () => {
    const verdicts = ['human', 'machine_start', 'machine_end_beep', 'machine_end_silence', 'machine_end_other', 'fax', 'unknown', 'something_new'];
    assert.deepEqual(verdicts.map(answeredByOf), ['human', 'machine', 'machine', 'machine', 'machine', 'fax', 'unknown', 'unknown']);
    assert.equal(answeredByOf(null), null, 'no detection ran');
    assert.equal(answeredByOf(''), null);
  });
});

describe('line types', () => {
  test("Lookup's line_type_intelligence types as the engine's line types", () => {
    const types = ['mobile', 'personal', 'landline', 'nonFixedVoip', 'fixedVoip', 'tollFree', 'premium', 'sharedCost', 'uan', 'voicemail', 'pager', 'unknown'];
    assert.deepEqual(Object.fromEntries(types.map((t) => [t, lineTypeOf(t)])), {
      mobile: 'mobile',
      personal: 'mobile',
      landline: 'landline',
      nonFixedVoip: 'voip',
      fixedVoip: 'fixed-voip',
      tollFree: 'toll-free',
      premium: 'premium',
      sharedCost: 'other',
      uan: 'other',
      voicemail: 'other',
      pager: 'other',
      unknown: null,
    });
    assert.equal(lineTypeOf(null), null);
  });
});

describe('message states', () => {
  test("Twilio's MessageStatus values as the engine's; one it adds later is still on its way", () => {
    const statuses = ['accepted', 'scheduled', 'queued', 'sending', 'sent', 'delivered', 'read', 'undelivered', 'failed', 'canceled', 'something_new'];
    assert.deepEqual(statuses.map(messageStateOf), [
      'queued',
      'queued',
      'queued',
      'queued',
      'sent',
      'delivered',
      'delivered',
      'undelivered',
      'failed',
      'failed',
      'queued',
    ]);
  });
});

describe('what the Calls API is given for an attempt', () => {
  test('its callbacks on our public URL carry the attempt; machine detection waits for the end of the greeting', () => {
    const params = callParams(
      { attemptId: ATTEMPT, to: '+8613912345678', from: '+14155550100', route: { kind: 'number' }, detectMachine: true, ringSeconds: 30 },
      'https://chase.example.com/',
    );
    assert.deepEqual(params, {
      to: '+8613912345678',
      from: '+14155550100',
      url: `https://chase.example.com/webhooks/twilio/voice?attempt=${ATTEMPT}`,
      statusCallback: `https://chase.example.com/webhooks/twilio/status?attempt=${ATTEMPT}`,
      statusCallbackEvent: ['ringing', 'answered', 'completed'],
      statusCallbackMethod: 'POST',
      machineDetection: 'DetectMessageEnd',
      asyncAmd: 'true',
      asyncAmdStatusCallback: `https://chase.example.com/webhooks/twilio/amd?attempt=${ATTEMPT}`,
      asyncAmdStatusCallbackMethod: 'POST',
      timeout: 30,
    });
    const plain = callParams(
      { attemptId: ATTEMPT, to: '+8613912345678', from: '+14155550100', route: { kind: 'number' }, detectMachine: false, ringSeconds: 20 },
      'https://chase.example.com',
    );
    assert.equal('machineDetection' in plain, false);
    assert.equal(plain.timeout, 20);
    assert.equal(callbackUrl('https://chase.example.com', 'voicemail', ATTEMPT), `https://chase.example.com/webhooks/twilio/voicemail?attempt=${ATTEMPT}`);
  });

  test('a number dials the E.164, a trunk line passes its trunk as Byoc, a SIP line dials a SIP URI', () => {
    assert.deepEqual(dialTarget({ kind: 'number' }, '+8613912345678'), { to: '+8613912345678' });
    const sid = `BY${'a'.repeat(32)}`;
    assert.deepEqual(dialTarget({ kind: 'trunk', trunkId: sid }, '+8613912345678'), { to: '+8613912345678', byoc: sid });
    assert.deepEqual(dialTarget({ kind: 'sip', domain: 'sip.example.com' }, '+8613912345678'), { to: 'sip:+8613912345678@sip.example.com' });
    const viaTrunk = callParams(
      { attemptId: ATTEMPT, to: '+8613912345678', from: '+14155550100', route: { kind: 'trunk', trunkId: sid }, detectMachine: true, ringSeconds: 30 },
      'https://x.example',
    );
    assert.equal(viaTrunk.byoc, sid);
  });
});

describe('webhooks as events', () => {
  // A completed call's status callback as Twilio posts it (form fields, all strings).
  const completed = {
    AccountSid: ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    CallSid: CALL_SID,
    CallStatus: 'completed',
    CallDuration: '17',
    Duration: '1',
    Called: '+8613912345678',
    Caller: '+14155550100',
    Direction: 'outbound-api',
    From: '+14155550100',
    To: '+8613912345678',
    Timestamp: 'Mon, 07 Dec 2026 21:00:00 +0000',
    CallbackSource: 'call-progress-events',
    SequenceNumber: '2',
    AnsweredBy: 'machine_end_beep',
  };

  test("a status callback is call progress for its attempt, in the engine's words", () => {
    assert.deepEqual(parseCallStatus(ATTEMPT, completed), {
      ok: true,
      event: { attemptId: ATTEMPT, callId: CALL_SID, status: 'completed', answeredBy: 'machine', durationSeconds: 17 },
    });
    const { CallDuration: _duration, AnsweredBy: _answeredBy, ...early } = completed;
    assert.deepEqual(parseCallStatus(ATTEMPT, { ...early, CallStatus: 'initiated' }), {
      ok: true,
      event: { attemptId: ATTEMPT, callId: CALL_SID, status: 'queued', answeredBy: null, durationSeconds: null },
    });
    assert.deepEqual(parseCallStatus(ATTEMPT, { ...completed, CallStatus: 'answered' }), { ok: false, fields: ['CallStatus'] });
    assert.deepEqual(parseCallStatus(ATTEMPT, { ...completed, CallSid: 'CA1' }), { ok: false, fields: ['CallSid'] });
  });

  test('an asynchronous machine-detection callback is a verdict', () => {
    const amd = { AccountSid: ACCOUNT_SID, CallSid: CALL_SID, AnsweredBy: 'machine_start', MachineDetectionDuration: '2430' };
    assert.deepEqual(parseMachineVerdict(ATTEMPT, amd), { ok: true, event: { attemptId: ATTEMPT, callId: CALL_SID, answeredBy: 'machine' } });
    assert.deepEqual(parseMachineVerdict(ATTEMPT, { ...amd, AnsweredBy: 'human' }), {
      ok: true,
      event: { attemptId: ATTEMPT, callId: CALL_SID, answeredBy: 'human' },
    });
    assert.equal(parseMachineVerdict(ATTEMPT, { CallSid: CALL_SID } as Record<string, string>).ok, false);
  });

  test('message status and inbound texts', () => {
    const status = {
      AccountSid: ACCOUNT_SID,
      MessageSid: `SM${'1'.repeat(32)}`,
      MessageStatus: 'undelivered',
      ErrorCode: '30003',
      From: '+14155550100',
      To: '+8613912345678',
    };
    assert.deepEqual(parseMessageStatus(ATTEMPT, status), {
      ok: true,
      event: { attemptId: ATTEMPT, messageId: `SM${'1'.repeat(32)}`, status: 'undelivered', errorCode: '30003' },
    });
    const inbound = {
      AccountSid: ACCOUNT_SID,
      MessageSid: `SM${'2'.repeat(32)}`,
      From: '+8613912345678',
      To: '+14155550100',
      Body: '退订',
      NumMedia: '0',
      SmsStatus: 'received',
    };
    assert.deepEqual(parseInboundMessage(inbound), {
      ok: true,
      event: { messageId: `SM${'2'.repeat(32)}`, from: '+8613912345678', to: '+14155550100', body: '退订' },
    });
    assert.deepEqual(parseInboundMessage({ ...inbound, From: 'nope', AccountSid: 'x' }), { ok: false, fields: ['AccountSid', 'From'] });
  });
});
