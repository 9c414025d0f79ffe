/**
 * TwiML for the call dialog, built with the SDK's VoiceResponse (it escapes text and knows
 * the verbs): a prompt that listens, a prompt that ends, a transfer.
 * https://www.twilio.com/docs/voice/twiml
 */
import twilio from 'twilio';

type VoiceResponse = twilio.twiml.VoiceResponse;

export interface SpokenPrompt {
  text: string;
  voice: { voice: string; language: string; ratePercent: number; pitch: number };
  /** Synthesised audio to <Play> instead of <Say>. */
  audioUrl?: string;
}

export interface Listen {
  actionUrl: string;
  /** Speech recognition language, e.g. en-US, cmn-Hans-CN. */
  language: string;
  timeoutSeconds: number;
  hints?: string[];
}

export interface Transfer {
  /** +E.164, sip:user@host or queue:name. */
  target: string;
  callerId: string;
  /** Told the outcome of the agent's leg. */
  actionUrl: string;
  /** TwiML played to the agent before the two are connected: who this is and why. */
  whisperUrl: string;
  /** Passed to a SIP agent as X- headers. */
  headers: Record<string, string>;
}

type Speaker = { say(attrs: object): { prosody(attrs: object, words: string): unknown }; play(url: string): unknown };

function speak(into: Speaker, p: SpokenPrompt): void {
  if (p.audioUrl) {
    into.play(p.audioUrl);
    return;
  }
  // Polly voices take pitch in percent and Google's in semitones; only the rate is common to both.
  const prosody = p.voice.voice.startsWith('Google.') ? { rate: `${p.voice.ratePercent}%`, pitch: `${p.voice.pitch >= 0 ? '+' : ''}${p.voice.pitch}st` } : { rate: `${p.voice.ratePercent}%` };
  into.say({ voice: p.voice.voice, language: p.voice.language }).prosody(prosody, p.text);
}

/** Says the prompt while listening (the person may talk over it: barge-in), then posts what was heard — or nothing — to the action. */
export function listenTwiml(p: SpokenPrompt, listen: Listen): string {
  const r = new twilio.twiml.VoiceResponse();
  const gather = r.gather({
    input: ['speech', 'dtmf'],
    action: listen.actionUrl,
    method: 'POST',
    language: listen.language as never,
    bargeIn: true,
    speechTimeout: 'auto',
    timeout: listen.timeoutSeconds,
    numDigits: 1,
    actionOnEmptyResult: true,
    ...(listen.hints?.length ? { hints: listen.hints.join(',') } : {}),
  });
  speak(gather as unknown as Speaker, p);
  return r.toString();
}

/** Says the prompt and hangs up. */
export function sayAndHangUp(p: SpokenPrompt | null): string {
  const r = new twilio.twiml.VoiceResponse();
  if (p) speak(r as unknown as Speaker, p);
  r.hangup();
  return r.toString();
}

/** Says the prompt, then connects the person to an agent number, a SIP address or a queue. */
export function transferTwiml(p: SpokenPrompt, t: Transfer): string {
  const r = new twilio.twiml.VoiceResponse();
  speak(r as unknown as Speaker, p);
  if (t.target.startsWith('queue:')) {
    // A caller waits in a queue with <Enqueue>; an agent takes them from it with <Dial><Queue>.
    r.enqueue({ action: t.actionUrl, method: 'POST' }, t.target.slice('queue:'.length));
    return r.toString();
  }
  const dial = r.dial({ callerId: t.callerId, action: t.actionUrl, method: 'POST', timeout: 30 });
  if (t.target.startsWith('sip:')) {
    const sep = t.target.includes('?') ? '&' : '?';
    dial.sip(t.target + sep + new URLSearchParams(t.headers).toString());
  } else {
    dial.number({ url: t.whisperUrl, method: 'POST' }, t.target);
  }
  return r.toString();
}

/** What the agent hears before being connected. */
export function whisperTwiml(p: SpokenPrompt): string {
  const r: VoiceResponse = new twilio.twiml.VoiceResponse();
  speak(r as unknown as Speaker, p);
  return r.toString();
}
