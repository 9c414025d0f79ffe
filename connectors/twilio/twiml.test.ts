// The dialog's TwiML: a transfer reaches an agent number (with a whisper), a SIP address
// (with the chase's ids as X- headers) or a queue; prompts speak with SSML prosody or play
// audio, in voices and recognition languages Twilio lists.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { listenLanguage, sayVoice, speechRequest } from '../../core/dialog.voice.ts';
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

test("every script language speaks and listens with values in Twilio's own lists (the SDK's SayVoice, SayLanguage, GatherLanguage)", async () => {
  // The official SDK's TwiML types are generated from Twilio's lists of voices and recognition languages.
  const types = await readFile(createRequire(import.meta.url).resolve('twilio/lib/twiml/VoiceResponse.d.ts'), 'utf8');
  const union = (name: string) => new Set([...(types.match(new RegExp(`type ${name} = ([^;]+);`))?.[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]!));
  const [voices, sayLanguages, gatherLanguages] = [union('SayVoice'), union('SayLanguage'), union('GatherLanguage')];
  assert.ok(voices.size > 100 && gatherLanguages.size > 50, 'the SDK lists were read');
  for (const locale of ['en-US', 'en-GB', 'zh-CN', 'zh-TW', 'cmn-Hans-CN', 'zh-HK', 'yue-HK', 'yue', 'yue-Hant-HK']) {
    for (const style of ['calm', 'lively'] as const) {
      const say = sayVoice({ locale, voice: { style } });
      assert.ok(voices.has(say.voice), `${locale} ${style}: ${say.voice}`);
      assert.ok(sayLanguages.has(say.language), `${locale}: ${say.language}`);
    }
    assert.ok(gatherLanguages.has(listenLanguage(locale)), `${locale}: ${listenLanguage(locale)}`);
  }
  // Cantonese scripts are heard by Cantonese recognition and spoken by a Cantonese voice.
  for (const locale of ['zh-HK', 'yue-HK', 'yue']) {
    assert.equal(listenLanguage(locale), 'yue-Hant-HK');
    assert.deepEqual([sayVoice({ locale, voice: { style: 'calm' } }).voice, speechRequest({ locale, voice: { style: 'calm' } }, 'x').voiceName], ['Google.yue-HK-Standard-A', 'yue-HK-Standard-A']);
  }
});
