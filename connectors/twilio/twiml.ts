/**
 * A dialog turn as TwiML, built with the SDK's VoiceResponse (it escapes text and knows the
 * verbs): prompts spoken with <Say> (SSML prosody) or played, a <Gather> that listens, a
 * hang-up, a transfer (<Dial> or <Enqueue>), a voicemail, the agent's whisper.
 * https://www.twilio.com/docs/voice/twiml
 */
import twilio from 'twilio';
import type { DialogTurn, Listen, Prompt, TurnPosition } from '../../core/dialog/turn.ts';
import { gatherLanguage, sayVoice } from './voices.ts';

/** Where Twilio reports back: the answer to a listen, the end of a transfer, the agent's whisper. */
export interface TwimlUrls {
  gather(at: TurnPosition): string;
  /** Told the outcome of the agent's leg. */
  dial: string;
  /** TwiML played to the agent before the two are connected: who this is and why. */
  whisper: string;
}

export interface RenderOptions {
  /** A prompt asked for a voice Twilio does not have; it was spoken in the default voice. */
  onVoiceFallback?: (name: string) => void;
}

type Speaker = { say(attrs: object): { prosody(attrs: object, words: string): unknown }; play(url: string): unknown };

function speak(into: Speaker, p: Prompt, options: RenderOptions): void {
  if (p.audioUrl) {
    into.play(p.audioUrl);
    return;
  }
  const voice = sayVoice(p.voice);
  if (voice.fellBack) options.onVoiceFallback?.(voice.fellBack);
  // Polly voices take pitch in percent and Google's in semitones; only the rate is common to both.
  const prosody = voice.voice.startsWith('Google.')
    ? { rate: `${voice.ratePercent}%`, pitch: `${voice.pitch >= 0 ? '+' : ''}${voice.pitch}st` }
    : { rate: `${voice.ratePercent}%` };
  into.say({ voice: voice.voice, language: voice.language }).prosody(prosody, p.text);
}

/** The turn's TwiML; `null` (no call, or it ended) hangs up. */
export function renderTwiml(turn: DialogTurn | null, urls: TwimlUrls, options: RenderOptions = {}): string {
  const r = new twilio.twiml.VoiceResponse();
  if (!turn) {
    r.hangup();
    return r.toString();
  }
  const { next } = turn;
  const sayAll = (into: Speaker) => turn.say.forEach((p) => speak(into, p, options));
  switch (next.do) {
    case 'listen':
      // Says the prompts while listening (the person may talk over them), then posts what was heard — or nothing.
      sayAll(gather(r, next.listen, urls.gather(next.listen.at)) as unknown as Speaker);
      break;
    case 'hangup':
    case 'voicemail':
      sayAll(r as unknown as Speaker);
      r.hangup();
      break;
    case 'transfer': {
      sayAll(r as unknown as Speaker);
      const t = next.transfer;
      if (t.target.startsWith('queue:')) {
        // A caller waits in a queue with <Enqueue>; an agent takes them from it with <Dial><Queue>.
        r.enqueue({ action: urls.dial, method: 'POST' }, t.target.slice('queue:'.length));
        break;
      }
      const dial = r.dial({ callerId: t.callerId, action: urls.dial, method: 'POST', timeout: 30 });
      if (t.target.startsWith('sip:')) {
        const sep = t.target.includes('?') ? '&' : '?';
        dial.sip(t.target + sep + new URLSearchParams({ 'X-Chaseline-Chase': t.tags.chase, 'X-Chaseline-Attempt': t.tags.attempt }).toString());
      } else if (t.whisper) {
        dial.number({ url: urls.whisper, method: 'POST' }, t.target);
      } else {
        dial.number(t.target);
      }
      break;
    }
    case 'connect':
      // The agent's leg: when this TwiML ends, Twilio bridges the two.
      sayAll(r as unknown as Speaker);
      break;
  }
  return r.toString();
}

function gather(r: twilio.twiml.VoiceResponse, listen: Listen, action: string) {
  return r.gather({
    input: listen.input.map((i) => (i === 'keys' ? 'dtmf' : 'speech')),
    action,
    method: 'POST',
    language: gatherLanguage(listen.language) as never,
    bargeIn: listen.bargeIn,
    speechTimeout: 'auto',
    timeout: listen.timeoutSeconds,
    numDigits: listen.maxDigits,
    actionOnEmptyResult: true,
    ...(listen.hints?.length ? { hints: listen.hints.join(',') } : {}),
  });
}
