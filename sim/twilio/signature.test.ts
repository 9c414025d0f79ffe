import { test } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { formEncode, twilioSignature } from './signature.ts';

const token = '12345678901234567890123456789012';

test('the SDK accepts our signature over a status callback', () => {
  const url = 'https://app.example.com/webhooks/twilio/status?attempt=42';
  const params = { CallSid: 'CA123', CallStatus: 'ringing', To: '+14155550100', From: '+14155550199', SequenceNumber: '1' };
  assert.equal(twilio.validateRequest(token, twilioSignature(token, url, params), url, params), true);
});

test('a tampered parameter or URL no longer validates', () => {
  const url = 'https://app.example.com/status';
  const params = { CallSid: 'CA123', CallStatus: 'completed' };
  const sig = twilioSignature(token, url, params);
  assert.equal(twilio.validateRequest(token, sig, url, { ...params, CallStatus: 'busy' }), false);
  assert.equal(twilio.validateRequest(token, sig, 'https://app.example.com/other', params), false);
  assert.equal(twilio.validateRequest('another-token', sig, url, params), false);
});

test('repeated parameters and non-ASCII values sign the way the SDK checks them', () => {
  const url = 'https://app.example.com/gather';
  const params = { SpeechResult: '请不要再打电话 — stop', StatusCallbackEvent: ['ringing', 'answered', 'initiated'] };
  assert.equal(twilio.validateRequest(token, twilioSignature(token, url, params), url, params), true);
  assert.equal(formEncode({ A: ['1', '2'], B: 'x y' }), 'A=1&A=2&B=x+y');
});

test("matches the example from Twilio's webhook security docs", () => {
  // https://www.twilio.com/docs/usage/security#validating-requests
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  // A vector not produced by this code, so it catches a self-consistently wrong signer.
  const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675310', Digits: '1234', From: '+14158675310', To: '+18005551212' };
  assert.equal(twilioSignature('12345', url, params), 'GvWf1cFY/Q7PnoempGyD5oXAezc=');
});
