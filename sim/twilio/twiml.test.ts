import { test } from 'node:test';
import assert from 'node:assert/strict';
import { elementsOf, parseTwiml, textOf, TwimlParseError } from './twiml.ts';

test('reads verbs, attributes, nested prompts and entities', () => {
  const doc = parseTwiml(`<?xml version="1.0" encoding="UTF-8"?>
    <Response>
      <!-- greeting -->
      <Say voice="Polly.Joanna" language="en-US">Hi &amp; welcome, it&apos;s Chaseline</Say>
      <Gather input="speech dtmf" action="/next?x=1&amp;y=2" timeout="3"><Say>Still interested?</Say></Gather>
      <Pause length="2"/>
      <Say><![CDATA[a <b> c]]></Say>
      <Hangup/>
    </Response>`);
  const verbs = elementsOf(doc);
  assert.deepEqual(
    verbs.map((v) => v.name),
    ['Say', 'Gather', 'Pause', 'Say', 'Hangup'],
  );
  assert.equal(textOf(verbs[0]!), "Hi & welcome, it's Chaseline");
  assert.equal(verbs[0]!.attrs.voice, 'Polly.Joanna');
  assert.equal(verbs[1]!.attrs.action, '/next?x=1&y=2');
  assert.equal(textOf(elementsOf(verbs[1]!)[0]!), 'Still interested?');
  assert.equal(textOf(verbs[3]!), 'a <b> c');
});

test('refuses documents Twilio would fail the call on', () => {
  assert.throws(() => parseTwiml('<Response><Say>unclosed</Response>'), TwimlParseError);
  assert.throws(() => parseTwiml('<Foo><Say>x</Say></Foo>'), /root element must be <Response>/);
  assert.throws(() => parseTwiml('not xml at all'), TwimlParseError);
});
