// Dialog turns as TwiML: a transfer reaches an agent number (with a whisper), a SIP address
// (with the chase's ids as X- headers) or a queue; prompts speak with SSML prosody or play
// audio, in voices and recognition languages Twilio lists; a turn that ends hangs up.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { languageOf, promptVoice, speechRequest } from '../../core/dialog/voice.ts';
import type { DialogTurn, Listen, Prompt, Transfer } from '../../core/dialog/turn.ts';
import { renderTwiml, type TwimlUrls } from './twiml.ts';
import { gatherLanguage, sayVoice } from './voices.ts';

const prompt: Prompt = { text: 'Please hold <now> & wait', voice: promptVoice({ locale: 'en-US', voice: { style: 'calm' } }) };
const urls: TwimlUrls = {
  gather: (at) => `https://x.example/gather?a=1&node=${at.node}&r=${at.reprompt}&t=${at.turn}`,
  dial: 'https://x.example/dial?attempt=a',
  whisper: 'https://x.example/whisper?attempt=a',
};
const transfer = (target: string, whisper = true): DialogTurn => ({
  say: [prompt],
  next: { do: 'transfer', transfer: { target, callerId: '+14155550100', whisper, tags: { chase: 'c1', attempt: 'a1' } } satisfies Transfer },
});
const listen: Listen = {
  input: ['speech', 'keys'],
  bargeIn: true,
  language: 'zh-CN',
  locale: 'zh-CN',
  timeoutSeconds: 5,
  maxDigits: 1,
  hints: ['课程', 'trial'],
  at: { node: 'price', reprompt: 1, turn: 2 },
};

test('a transfer to a number dials it with our caller id and whispers to the agent first', () => {
  const xml = renderTwiml(transfer('+14155550199'), urls);
  assert.match(
    xml,
    /<Say voice="Google.en-US-Neural2-C" language="en-US"><prosody rate="95%" pitch="-1st">Please hold &lt;now&gt; &amp; wait<\/prosody><\/Say>/,
  );
  assert.match(
    xml,
    /<Dial callerId="\+14155550100" action="https:\/\/x.example\/dial\?attempt=a" method="POST" timeout="30"><Number url="https:\/\/x.example\/whisper\?attempt=a" method="POST">\+14155550199<\/Number><\/Dial>/,
  );
  assert.match(
    renderTwiml(transfer('+14155550199', false), urls),
    /<Dial [^>]+><Number>\+14155550199<\/Number><\/Dial>/,
    'no whisper asked: the number is dialled as is',
  );
});

test('a transfer to a SIP address carries the chase as X- headers; to a queue, the caller is enqueued', () => {
  const sip = renderTwiml(transfer('sip:agent@pbx.example.com'), urls);
  assert.match(sip, /<Sip>sip:agent@pbx.example.com\?X-Chaseline-Chase=c1&amp;X-Chaseline-Attempt=a1<\/Sip>/);
  const queue = renderTwiml(transfer('queue:support'), urls);
  assert.match(queue, /<Enqueue action="https:\/\/x.example\/dial\?attempt=a" method="POST">support<\/Enqueue>/);
  assert.doesNotMatch(queue, /<Dial/);
});

test('a listening turn is a Gather with barge-in, speech and keys, the language and hints, posting its position; synthesised audio is played', () => {
  const xml = renderTwiml({ say: [{ ...prompt, audioUrl: 'https://x.example/media/abc' }], next: { do: 'listen', listen } }, urls);
  assert.match(
    xml,
    /<Gather input="speech dtmf" action="https:\/\/x.example\/gather\?a=1&amp;node=price&amp;r=1&amp;t=2" method="POST" language="cmn-Hans-CN" bargeIn="true" speechTimeout="auto" timeout="5" numDigits="1" actionOnEmptyResult="true" hints="课程,trial"><Play>https:\/\/x.example\/media\/abc<\/Play><\/Gather>/,
  );
  const keysOnly = renderTwiml({ say: [], next: { do: 'listen', listen: { ...listen, input: ['keys'], bargeIn: false, hints: [] } } }, urls);
  assert.match(keysOnly, /<Gather input="dtmf" [^>]*bargeIn="false"/);
  assert.doesNotMatch(keysOnly, /hints=/);
});

test('a turn that ends says its prompts and hangs up; a voicemail too; no turn (an unknown call) only hangs up', () => {
  assert.equal(renderTwiml(null, urls), '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
  assert.equal(renderTwiml({ say: [], next: { do: 'hangup' } }, urls), renderTwiml(null, urls));
  const bye = renderTwiml({ say: [prompt, { ...prompt, text: 'Goodbye.' }], next: { do: 'hangup' } }, urls);
  assert.match(
    bye,
    /<Response><Say [^>]+><prosody [^>]+>Please hold &lt;now&gt; &amp; wait<\/prosody><\/Say><Say [^>]+><prosody [^>]+>Goodbye.<\/prosody><\/Say><Hangup\/><\/Response>/,
  );
  assert.match(
    renderTwiml({ say: [{ ...prompt, audioUrl: 'https://x.example/media/vm' }], next: { do: 'voicemail' } }, urls),
    /<Response><Play>https:\/\/x.example\/media\/vm<\/Play><Hangup\/><\/Response>/,
  );
});

test("the agent's whisper is spoken and then connects: no hang-up", () => {
  const xml = renderTwiml({ say: [{ ...prompt, text: 'Transfer from Spring sale: Ann asked to talk to a person.' }], next: { do: 'connect' } }, urls);
  assert.match(xml, /<Response><Say [^>]+><prosody [^>]+>Transfer from Spring sale: Ann asked to talk to a person.<\/prosody><\/Say><\/Response>/);
});

test("a script's Twilio voice is spoken as named; a voice Twilio lacks falls back to the language's default, and says so", () => {
  const polly = promptVoice({ locale: 'en-US', voice: { style: 'lively', name: 'Polly.Joanna', speakingRate: 1.15 } });
  const fallbacks: string[] = [];
  const xml = renderTwiml({ say: [{ text: 'Hi', voice: polly }], next: { do: 'hangup' } }, urls, { onVoiceFallback: (n) => fallbacks.push(n) });
  // Polly voices take pitch in percent, not semitones: only the rate is given.
  assert.match(xml, /<Say voice="Polly.Joanna" language="en-US"><prosody rate="115%">Hi<\/prosody><\/Say>/);
  const wavenet = promptVoice({ locale: 'zh-CN', voice: { style: 'calm', name: 'cmn-CN-Wavenet-C' } });
  const zh = renderTwiml({ say: [{ text: '您好', voice: wavenet }], next: { do: 'hangup' } }, urls, { onVoiceFallback: (n) => fallbacks.push(n) });
  assert.match(zh, /<Say voice="Google.cmn-CN-Wavenet-A" language="cmn-CN">/);
  assert.deepEqual(fallbacks, ['cmn-CN-Wavenet-C']);
  assert.equal(
    speechRequest({ locale: 'zh-CN', voice: { style: 'calm', name: 'cmn-CN-Wavenet-C' } }, 'x').voiceName,
    'cmn-CN-Wavenet-C',
    'the speech service still synthesises in the named voice',
  );
});

test("every script language speaks and listens with values in Twilio's own lists (the SDK's SayVoice, SayLanguage, GatherLanguage)", async () => {
  // The official SDK's TwiML types are generated from Twilio's lists of voices and recognition languages.
  const types = await readFile(createRequire(import.meta.url).resolve('twilio/lib/twiml/VoiceResponse.d.ts'), 'utf8');
  const union = (name: string) => new Set([...(types.match(new RegExp(`type ${name} = ([^;]+);`))?.[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]!));
  const [voices, sayLanguages, gatherLanguages] = [union('SayVoice'), union('SayLanguage'), union('GatherLanguage')];
  assert.ok(voices.size > 100 && gatherLanguages.size > 50, 'the SDK lists were read');
  for (const locale of ['en-US', 'en-GB', 'zh-CN', 'zh-TW', 'cmn-Hans-CN', 'zh-HK', 'yue-HK', 'yue', 'yue-Hant-HK']) {
    for (const style of ['calm', 'lively'] as const) {
      const say = sayVoice(promptVoice({ locale, voice: { style } }));
      assert.ok(voices.has(say.voice), `${locale} ${style}: ${say.voice}`);
      assert.ok(sayLanguages.has(say.language), `${locale}: ${say.language}`);
    }
    assert.ok(gatherLanguages.has(gatherLanguage(languageOf(locale))), `${locale}: ${gatherLanguage(languageOf(locale))}`);
  }
  // Cantonese scripts are heard by Cantonese recognition and spoken by a Cantonese voice.
  for (const locale of ['zh-HK', 'yue-HK', 'yue']) {
    assert.equal(gatherLanguage(languageOf(locale)), 'yue-Hant-HK');
    assert.deepEqual(
      [sayVoice(promptVoice({ locale, voice: { style: 'calm' } })).voice, speechRequest({ locale, voice: { style: 'calm' } }, 'x').voiceName],
      ['Google.yue-HK-Standard-A', 'yue-HK-Standard-A'],
    );
  }
});
