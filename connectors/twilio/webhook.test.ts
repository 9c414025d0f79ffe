// Twilio's dialog requests read into the dialog's events: the turn's position from the signed
// action URL, words with their confidence, keys, the callee of a SIP call, how a <Dial> or an
// <Enqueue> ended; anything Twilio would not send is no event.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answeredEvent, calleeOf, gatherQuery, heardEvent, transferEndedEvent, voicemailEvent, whisperEvent } from './webhook.ts';

const attempt = '0b6f3c1e-8a51-4c1f-9d0e-2a7b9c4d5e6f';
const CallSid = `CA${'a'.repeat(32)}`;

test('an answer is the words and their confidence, the keys, the callee and the position the turn carried', () => {
  const query = gatherQuery(attempt, { node: 'price', reprompt: 1, turn: 3 });
  assert.deepEqual(query, { attempt, node: 'price', r: '1', t: '3' });
  assert.deepEqual(heardEvent(query, { CallSid, SpeechResult: '价格多少', Confidence: '0.87', To: 'sip:+8613800000001@trunk.example.com' }), {
    type: 'heard',
    attemptId: attempt,
    callId: CallSid,
    at: { node: 'price', reprompt: 1, turn: 3 },
    speech: { text: '价格多少', confidence: 0.87 },
    callee: '+8613800000001',
  });
  assert.deepEqual(heardEvent(query, { CallSid, Digits: '9', Confidence: 'n/a' }), {
    type: 'heard',
    attemptId: attempt,
    callId: CallSid,
    at: { node: 'price', reprompt: 1, turn: 3 },
    digits: '9',
  });
  assert.deepEqual(
    heardEvent({ attempt, node: 'start' }, { CallSid, SpeechResult: '' }),
    { type: 'heard', attemptId: attempt, callId: CallSid, at: { node: 'start', reprompt: 0, turn: 0 } },
    'silence',
  );
  assert.equal(heardEvent({ ...query, node: 'Start!' }, { CallSid }), null);
  assert.equal(heardEvent(query, { CallSid: 'CA123' }), null);
  assert.equal(heardEvent({ ...query, attempt: 'nope' }, { CallSid }), null);
});

test('a <Dial> ends with its DialCallStatus and duration; an <Enqueue> with its QueueResult', () => {
  const ended = (body: Record<string, string>) => transferEndedEvent({ attempt }, { CallSid, ...body });
  assert.deepEqual(ended({ DialCallStatus: 'completed', DialCallDuration: '42' }), {
    type: 'transfer-ended',
    attemptId: attempt,
    callId: CallSid,
    status: 'completed',
    durationSeconds: 42,
  });
  assert.equal((ended({ DialCallStatus: 'no-answer' }) as { status: string }).status, 'no-answer');
  assert.equal((ended({ DialCallStatus: 'busy' }) as { status: string }).status, 'busy');
  assert.equal((ended({ QueueResult: 'bridged' }) as { status: string }).status, 'completed');
  assert.equal((ended({ QueueResult: 'queue-full' }) as { status: string }).status, 'failed');
  assert.equal((ended({}) as { status: string }).status, 'failed');
  assert.equal(transferEndedEvent({ attempt: 'x' }, { CallSid, DialCallStatus: 'completed' }), null);
});

test('the call answered, the voicemail and the whisper name their attempt', () => {
  assert.deepEqual(answeredEvent({ attempt }), { type: 'answered', attemptId: attempt });
  assert.deepEqual(voicemailEvent({ attempt }), { type: 'voicemail-due', attemptId: attempt });
  assert.deepEqual(whisperEvent({ attempt }), { type: 'whisper-due', attemptId: attempt });
  assert.equal(answeredEvent({}), null);
  assert.equal(whisperEvent({ attempt: [attempt, attempt] }), null);
  assert.equal(calleeOf('+14155550100'), '+14155550100');
  assert.equal(calleeOf('client:agent'), undefined);
});
