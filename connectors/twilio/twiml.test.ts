// The dialog's TwiML: a transfer reaches an agent number (with a whisper), a SIP address
// (with the chase's ids as X- headers) or a queue; prompts speak with SSML prosody or play audio.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listenTwiml, transferTwiml } from './twiml.ts';

const prompt = { text: 'Please hold <now> & wait', voice: { voice: 'Google.en-US-Neural2-C', language: 'en-US', ratePercent: 95, pitch: -1 } };
const transfer = { callerId: '+14155550100', actionUrl: 'https://x.example/dial?attempt=a', whisperUrl: 'https://x.example/whisper?attempt=a', headers: { 'X-Chaseline-Chase': 'c1' } };

test('a transfer to a number dials it with our caller id and whispers to the agent first', () => {
  const xml = transferTwiml(prompt, { ...transfer, target: '+14155550199' });
  assert.match(xml, /<Say voice="Google.en-US-Neural2-C" language="en-US"><prosody rate="95%" pitch="-1st">Please hold &lt;now&gt; &amp; wait<\/prosody><\/Say>/);
  assert.match(xml, /<Dial callerId="\+14155550100" action="https:\/\/x.example\/dial\?attempt=a" method="POST" timeout="30"><Number url="https:\/\/x.example\/whisper\?attempt=a" method="POST">\+14155550199<\/Number><\/Dial>/);
});

test('a transfer to a SIP address carries the chase as X- headers; to a queue, the caller is enqueued', () => {
  const sip = transferTwiml(prompt, { ...transfer, target: 'sip:agent@pbx.example.com' });
  assert.match(sip, /<Sip>sip:agent@pbx.example.com\?X-Chaseline-Chase=c1<\/Sip>/);
  const queue = transferTwiml(prompt, { ...transfer, target: 'queue:support' });
  assert.match(queue, /<Enqueue action="https:\/\/x.example\/dial\?attempt=a" method="POST">support<\/Enqueue>/);
  assert.doesNotMatch(queue, /<Dial/);
});

test('a listening prompt is a Gather with barge-in, speech and keys, the language and hints; synthesised audio is played', () => {
  const xml = listenTwiml({ ...prompt, audioUrl: 'https://x.example/media/abc' }, { actionUrl: 'https://x.example/gather?a=1&b=2', language: 'cmn-Hans-CN', timeoutSeconds: 5, hints: ['课程', 'trial'] });
  assert.match(xml, /<Gather input="speech dtmf" action="https:\/\/x.example\/gather\?a=1&amp;b=2" method="POST" language="cmn-Hans-CN" bargeIn="true" speechTimeout="auto" timeout="5" numDigits="1" actionOnEmptyResult="true" hints="课程,trial"><Play>https:\/\/x.example\/media\/abc<\/Play><\/Gather>/);
});
