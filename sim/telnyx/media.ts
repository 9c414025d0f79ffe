// What the callee hears, one media command at a time: speak, playback_start, and the two
// gathers — gather_using_speak (keys) and gather_using_ai (a spoken answer) — each answered
// from the number's persona, who may cut into a prompt (barge-in) where the command allows it.
// Each sends its webhooks with the spec's payloads.
import type { SimClock } from '../twilio/clock.ts';
import { speechMs } from '../twilio/dialog.ts';
import { replyOf, type Utterance } from '../twilio/profiles.ts';
import type { HeardEntry, MediaCommand } from './call-types.ts';
import type { MediaResponse } from './webhook.ts';

export interface Reply {
  utterance: Utterance;
  confidence: number;
  bargeIn: boolean;
  bargeInAfterMs: number;
}

export interface MediaHost {
  clock: SimClock;
  /** Sends a webhook of this call (`withEnds`: the payload also carries from and to). */
  emit(eventType: string, payload: Record<string, unknown>, withEnds?: boolean): void;
  log(entry: HeardEntry): void;
  fetchMedia(url: string, signal: AbortSignal): Promise<MediaResponse>;
  /** The callee's answer to the next gather. */
  nextReply(): Reply;
}

const CLIP_MS = 2000; // every audio file counts as 2 s
/** SSML is spoken as its text. */
const spoken = (payload: string, type: unknown) =>
  type === 'ssml'
    ? payload
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
    : payload;
const loops = (loop: unknown) => (loop === 'infinity' ? 1000 : Math.max(1, Number(loop ?? 1) || 1));
const ended = (signal: AbortSignal) => signal.aborted;

/** Sleeps `ms`, or until the call ends; true if it ran the whole time. */
async function hold(clock: SimClock, ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await clock.sleep(ms, signal);
    return true;
  } catch {
    return false;
  }
}

export async function playMedia(host: MediaHost, name: MediaCommand, body: Record<string, unknown>, signal: AbortSignal): Promise<void> {
  if (ended(signal)) return;
  switch (name) {
    case 'speak':
      return speak(host, body, signal);
    case 'playback_start':
      return playback(host, body, signal);
    case 'gather_using_speak':
      return gatherUsingSpeak(host, body, signal);
    case 'gather_using_ai':
      return gatherUsingAi(host, body, signal);
  }
}

const attrsOf = (body: Record<string, unknown>, names: string[]) => Object.fromEntries(names.filter((n) => body[n] !== undefined).map((n) => [n, body[n]]));

async function speak(host: MediaHost, body: Record<string, unknown>, signal: AbortSignal) {
  const text = spoken(String(body.payload), body.payload_type);
  host.log({ command: 'speak', at: host.clock.now(), text, attrs: attrsOf(body, ['voice', 'language', 'payload_type', 'service_level', 'loop']) });
  host.emit('call.speak.started', {});
  const done = await hold(host.clock, speechMs(text) * loops(body.loop), signal);
  host.emit('call.speak.ended', { status: done ? 'completed' : 'call_hangup' });
}

async function playback(host: MediaHost, body: Record<string, unknown>, signal: AbortSignal) {
  const url = typeof body.audio_url === 'string' ? body.audio_url : undefined;
  const names = {
    ...(url ? { media_url: url } : {}),
    ...(typeof body.media_name === 'string' ? { media_name: body.media_name } : {}),
    overlay: body.overlay === true,
  };
  const entry: HeardEntry = { command: 'playback_start', at: host.clock.now(), attrs: attrsOf(body, ['audio_url', 'media_name', 'loop', 'audio_type']) };
  host.log(entry);
  if (url) {
    try {
      const media = await host.fetchMedia(url, signal);
      entry.media = { url, ...media };
      if (media.status < 200 || media.status >= 300 || !/^audio\//.test(media.contentType)) {
        entry.status = 'file_not_found';
        entry.error = `GET ${url} answered ${media.status} ${media.contentType}`;
      }
    } catch (err) {
      entry.status = 'file_not_found';
      entry.error = String(err instanceof Error ? err.message : err);
    }
    if (entry.status) {
      host.emit('call.playback.ended', { ...names, status: 'file_not_found', status_detail: entry.error });
      return;
    }
  }
  host.emit('call.playback.started', names);
  const done = await hold(host.clock, CLIP_MS * loops(body.loop), signal);
  entry.status = done ? 'completed' : 'call_hangup';
  host.emit('call.playback.ended', { ...names, status: entry.status });
}

/**
 * Plays a prompt; a callee who barges in (keys for a DTMF gather, words where
 * interruption is on) cuts it short `bargeInAfterMs` in. Returns false if the call ended.
 */
async function prompt(host: MediaHost, entry: HeardEntry, reply: Reply, interruptible: boolean, signal: AbortSignal): Promise<boolean> {
  const ms = speechMs(entry.text ?? '');
  if (interruptible && reply.bargeIn && reply.bargeInAfterMs < ms) {
    entry.interrupted = true;
    entry.playedMs = reply.bargeInAfterMs;
    return hold(host.clock, reply.bargeInAfterMs, signal);
  }
  return hold(host.clock, ms, signal);
}

async function gatherUsingSpeak(host: MediaHost, body: Record<string, unknown>, signal: AbortSignal) {
  const reply = host.nextReply();
  const answer = replyOf(reply.utterance);
  const entry: HeardEntry = {
    command: 'gather_using_speak',
    at: host.clock.now(),
    text: spoken(String(body.payload), body.payload_type),
    reply: reply.utterance,
    attrs: attrsOf(body, [
      'voice',
      'language',
      'payload_type',
      'service_level',
      'minimum_digits',
      'maximum_digits',
      'valid_digits',
      'terminating_digit',
      'timeout_millis',
    ]),
  };
  host.log(entry);
  // Speech is interrupted when a key is pressed.
  const digits = answer && 'digits' in answer ? answer.digits : undefined;
  const finish = (status: string, got = '') => {
    entry.status = status;
    entry.digits = got;
    host.emit('call.gather.ended', { digits: got, status }, true);
  };
  if (!(await prompt(host, entry, reply, digits !== undefined, signal))) return finish('call_hangup');
  if (digits === undefined) {
    // Words (or nothing) to a keypad gather: it times out.
    const waited = await hold(host.clock, Number(body.timeout_millis ?? 60000), signal);
    return finish(waited ? 'timeout' : 'call_hangup');
  }
  if (!(await hold(host.clock, 300 * digits.length, signal))) return finish('call_hangup');
  const terminator = typeof body.terminating_digit === 'string' ? body.terminating_digit : '#';
  const keys = digits.endsWith(terminator) ? digits.slice(0, -terminator.length) : digits;
  const valid = typeof body.valid_digits === 'string' ? body.valid_digits : '0123456789#*';
  const min = Number(body.minimum_digits ?? 1);
  const max = Number(body.maximum_digits ?? 128);
  const ok = [...keys].every((k) => valid.includes(k)) && keys.length >= min && keys.length <= max;
  finish(ok ? 'valid' : 'invalid', keys);
}

/** The values a voice assistant would report for `parameters` (a JSON Schema): each string property gets the words said. */
function resultFor(parameters: Record<string, unknown>, words: string): Record<string, unknown> {
  const properties = (parameters.properties ?? {}) as Record<string, { type?: unknown }>;
  const strings = Object.entries(properties)
    .filter(([, p]) => p?.type === 'string')
    .map(([k]) => k);
  return Object.fromEntries(strings.map((k) => [k, words]));
}

async function gatherUsingAi(host: MediaHost, body: Record<string, unknown>, signal: AbortSignal) {
  const reply = host.nextReply();
  const answer = replyOf(reply.utterance);
  const greeting = typeof body.greeting === 'string' ? body.greeting : '';
  const interruptible = (body.interruption_settings as { enable?: boolean } | undefined)?.enable ?? true;
  const entry: HeardEntry = {
    command: 'gather_using_ai',
    at: host.clock.now(),
    text: greeting,
    reply: reply.utterance,
    attrs: { ...attrsOf(body, ['voice', 'language', 'user_response_timeout_ms', 'parameters']), interruption: interruptible },
  };
  host.log(entry);
  const history = [...((body.message_history ?? []) as { role: string; content: string }[]), ...(greeting ? [{ role: 'assistant', content: greeting }] : [])];
  const finish = (status: 'valid' | 'invalid', result: Record<string, unknown>) => {
    entry.status = status;
    entry.result = result;
    host.emit('call.ai_gather.ended', { message_history: history, result, status }, true);
  };
  const words = answer && 'speech' in answer ? answer.speech : undefined;
  if (greeting && !(await prompt(host, entry, reply, interruptible && words !== undefined, signal))) return;
  if (words === undefined) {
    // Silence (or keys, which a voice assistant does not take): nothing gathered once the wait runs out.
    if (await hold(host.clock, Number(body.user_response_timeout_ms ?? 10000), signal)) finish('invalid', {});
    return;
  }
  if (!(await hold(host.clock, speechMs(words), signal))) return;
  history.push({ role: 'user', content: words });
  finish('valid', resultFor((body.parameters ?? {}) as Record<string, unknown>, words));
}
