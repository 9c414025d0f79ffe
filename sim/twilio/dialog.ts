// Runs a call's TwiML the way the callee would experience it: says, plays, pauses and
// gathers take simulated time, each <Gather> is answered from the number's persona
// (who may talk over its prompt: barge-in), and <Gather> actions, <Redirect> and
// <Dial action> fetch the next document.
// https://www.twilio.com/docs/voice/twiml
import type { SimClock } from './clock.ts';
import { dialActionParams, dialRecord, FAR_LEG_MS, type DialRecord } from './dial.ts';
import { replyOf, type Utterance } from './profiles.ts';
import type { FormParams } from './signature.ts';
import { elementsOf, parseTwiml, textOf, type TwimlElement } from './twiml.ts';
import type { MediaResponse } from './webhook.ts';

export interface HeardEntry {
  verb: string;
  at: Date;
  text?: string;
  attrs: Record<string, string>;
  /** For <Gather>: what the callee answered (null = silence), as the persona's script gave it. */
  reply?: Utterance;
  /** For <Gather>: its attributes with Twilio's defaults applied. */
  gather?: GatherRecord;
  /** A prompt nested in a <Gather> that the callee talked over (barge-in): cut short. */
  interrupted?: boolean;
  /** Simulated ms of an interrupted prompt that played before the callee cut in. */
  playedMs?: number;
  /** For <Play>: what fetching the audio returned (absent when the fetch failed: see `error`). */
  media?: MediaResponse & { url: string };
  /** For <Dial>: who was dialled, and how. */
  dial?: DialRecord;
  error?: string;
}

export interface GatherRecord {
  input: string[];
  language: string;
  hints?: string;
  /** Seconds of silence allowed before any input; Twilio's default is 5. */
  timeout: number;
  /** As given (`auto` or seconds); absent means Twilio uses `timeout`. */
  speechTimeout?: string;
  bargeIn: boolean;
  actionOnEmptyResult: boolean;
}

/** Where the next document comes from. */
export type DocumentSource = { url: string; method: string; extra?: FormParams } | { twiml: string; baseUrl?: string };

export interface Reply {
  utterance: Utterance;
  confidence: number;
  /** Whether this reply is spoken over the prompt, where the Gather allows it. */
  bargeIn: boolean;
  /** Simulated ms into the prompt at which a barging callee starts. */
  bargeInAfterMs: number;
}

export interface DialogHost {
  clock: SimClock;
  log(entry: Omit<HeardEntry, 'at'>): void;
  /** The callee's next reply to a <Gather>. */
  nextUtterance(): Reply;
  /** Fetches TwiML with the call's parameters (+ extra), signed; throws on failure. */
  fetchTwiml(url: string, method: string, extra: FormParams, signal: AbortSignal): Promise<string>;
  /** GETs a <Play> URL; throws on a network failure. */
  fetchMedia(url: string, signal: AbortSignal): Promise<MediaResponse>;
  newCallSid(): string;
}

const MAX_DOCUMENTS = 100; // Twilio cuts redirect loops too; this keeps a buggy app from spinning forever.
// ~150 words a minute; Chinese and Japanese are written without spaces, so their
// characters (~4 syllables a second) are counted instead of words.
const CJK = /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]/gu;
export function speechMs(text: string): number {
  const cjk = text.match(CJK)?.length ?? 0;
  const words = text.replace(CJK, ' ').split(/\s+/).filter(Boolean).length;
  return Math.max(1, Math.ceil(words / 2.5 + cjk / 4)) * 1000;
}
/** loop="0" repeats until something stops it (a hang-up, barge-in, a redirect). */
const loops = (loop: string | undefined) => (loop === '0' ? 1000 : Number(loop || 1));

export async function runDialog(host: DialogHost, start: DocumentSource, signal: AbortSignal): Promise<void> {
  let source: DocumentSource | undefined = start;
  for (let n = 0; source && n < MAX_DOCUMENTS; n++) {
    const xml = 'twiml' in source ? source.twiml : await host.fetchTwiml(source.url, source.method, source.extra ?? {}, signal);
    const baseUrl = 'twiml' in source ? source.baseUrl : source.url;
    source = await runDocument(host, parseTwiml(xml), baseUrl, signal);
  }
}

type Step = DocumentSource | 'hangup' | undefined;

async function runDocument(host: DialogHost, doc: TwimlElement, baseUrl: string | undefined, signal: AbortSignal): Promise<DocumentSource | undefined> {
  for (const verb of elementsOf(doc)) {
    const step = await runVerb(host, verb, baseUrl, signal);
    if (step === 'hangup') return undefined;
    if (step) return step;
  }
  return undefined; // the end of a document ends the call
}

function resolveUrl(target: string | undefined, baseUrl: string | undefined): string | undefined {
  if (!target) return baseUrl; // Twilio's default action is the current document's URL
  try {
    return new URL(target, baseUrl).toString();
  } catch {
    throw new Error(`cannot resolve "${target}" against ${baseUrl ?? 'inline TwiML'}`);
  }
}

/** Plays a Say/Play/Pause, cut off once `budgetMs` (the time until the callee barges in) runs out. */
async function prompt(host: DialogHost, el: TwimlElement, baseUrl: string | undefined, signal: AbortSignal, budgetMs = Infinity): Promise<number> {
  const a = el.attrs;
  let entry: Omit<HeardEntry, 'at'>;
  let ms: number;
  if (el.name === 'Say') {
    // SSML inside <Say> (<prosody>, <break>, …) is spoken as its text.
    const text = textOf(el);
    entry = { verb: 'Say', text, attrs: a };
    ms = speechMs(text) * loops(a.loop);
  } else if (el.name === 'Play') {
    [entry, ms] = await play(host, el, baseUrl, signal);
  } else {
    entry = { verb: el.name, attrs: a };
    ms = 1000 * Number(a.length || 1);
  }
  if (ms > budgetMs) {
    host.log({ ...entry, interrupted: true, playedMs: budgetMs });
    await host.clock.sleep(budgetMs, signal);
    return budgetMs;
  }
  host.log(entry);
  await host.clock.sleep(ms, signal);
  return ms;
}

/**
 * Fetches the audio as Twilio does, before playing it. A failed fetch is skipped with
 * warning 11200, and a body that is not audio with 12300; the call goes on either way.
 */
async function play(host: DialogHost, el: TwimlElement, baseUrl: string | undefined, signal: AbortSignal): Promise<[Omit<HeardEntry, 'at'>, number]> {
  const text = textOf(el);
  const entry: Omit<HeardEntry, 'at'> = { verb: 'Play', text, attrs: el.attrs };
  if (el.attrs.digits && !text) return [entry, 500 * el.attrs.digits.length]; // DTMF tones, nothing to fetch
  let url: string;
  try {
    url = new URL(text, baseUrl).toString();
  } catch {
    return [{ ...entry, error: `11200: cannot resolve "${text}" against ${baseUrl ?? 'inline TwiML'}` }, 0];
  }
  try {
    const media = { url, ...(await host.fetchMedia(url, signal)) };
    if (media.status < 200 || media.status >= 300) return [{ ...entry, media, error: `11200: GET ${url} answered HTTP ${media.status}` }, 0];
    if (!/^audio\//i.test(media.contentType)) return [{ ...entry, media, error: `12300: invalid Content-Type ${media.contentType || '(none)'}` }, 0];
    // The audio's length is not decoded; every clip counts as 2 s per loop.
    return [{ ...entry, media }, 2000 * loops(el.attrs.loop)];
  } catch (err) {
    if (signal.aborted) throw err;
    return [{ ...entry, error: `11200: GET ${url} failed: ${err instanceof Error ? err.message : String(err)}` }, 0];
  }
}

async function runVerb(host: DialogHost, el: TwimlElement, baseUrl: string | undefined, signal: AbortSignal): Promise<Step> {
  const { clock } = host;
  const a = el.attrs;
  switch (el.name) {
    case 'Say':
    case 'Play':
    case 'Pause':
      await prompt(host, el, baseUrl, signal);
      return undefined;
    case 'Hangup':
    case 'Reject':
      host.log({ verb: el.name, attrs: a });
      return 'hangup';
    case 'Redirect': {
      const url = resolveUrl(textOf(el), baseUrl);
      host.log({ verb: 'Redirect', text: url, attrs: a });
      return url ? { url, method: a.method || 'POST' } : undefined;
    }
    case 'Gather':
      return gather(host, el, baseUrl, signal);
    case 'Dial': {
      const dial = dialRecord(el);
      host.log({ verb: 'Dial', text: dial.targets.map((t) => t.value).join(', '), attrs: a, dial });
      await clock.sleep(FAR_LEG_MS, signal);
      if (!a.action) return undefined; // no action: the document goes on after the <Dial>
      const url = resolveUrl(a.action, baseUrl) as string;
      return { url, method: a.method || 'POST', extra: dialActionParams(dial, () => host.newCallSid()) };
    }
    default:
      host.log({ verb: el.name, attrs: a, error: 'not simulated; skipped' });
      return undefined;
  }
}

async function gather(host: DialogHost, el: TwimlElement, baseUrl: string | undefined, signal: AbortSignal): Promise<Step> {
  const a = el.attrs;
  const info: GatherRecord = {
    input: (a.input || 'dtmf').split(/\s+/).filter(Boolean),
    language: a.language || 'en-US',
    ...(a.hints ? { hints: a.hints } : {}),
    timeout: Number(a.timeout || 5),
    ...(a.speechTimeout ? { speechTimeout: a.speechTimeout } : {}),
    bargeIn: a.bargeIn !== 'false', // Twilio's default is true
    actionOnEmptyResult: a.actionOnEmptyResult === 'true',
  };
  const { utterance, confidence, bargeIn, bargeInAfterMs } = host.nextUtterance();
  // A reply the Gather does not listen for (words to a dtmf-only Gather) is silence to it.
  const said = replyOf(utterance);
  const heard = said && ('speech' in said ? info.input.includes('speech') : info.input.includes('dtmf')) ? said : null;
  // With barge-in the callee's input stops the nested prompts; without it they play out first.
  let budget = heard && bargeIn && info.bargeIn ? bargeInAfterMs : Infinity;
  for (const child of elementsOf(el)) {
    if (!['Say', 'Play', 'Pause'].includes(child.name)) continue;
    const played = await prompt(host, child, baseUrl, signal, budget);
    if (played >= budget) break;
    budget -= played;
  }
  let result: FormParams | undefined;
  if (heard && 'speech' in heard) {
    await host.clock.sleep(speechMs(heard.speech), signal);
    result = { SpeechResult: heard.speech, Confidence: confidence.toFixed(8) };
  } else if (heard) {
    await host.clock.sleep(500 * heard.digits.length, signal);
    result = { Digits: heard.digits };
  }
  host.log({ verb: 'Gather', attrs: a, gather: info, reply: result ? utterance : null });
  if (!result) {
    await host.clock.sleep(1000 * info.timeout, signal);
    // No input: Twilio moves on to the next verb, unless actionOnEmptyResult asks for the action.
    if (!info.actionOnEmptyResult) return undefined;
    result = {};
  }
  const url = resolveUrl(a.action, baseUrl);
  return url ? { url, method: a.method || 'POST', extra: result } : undefined;
}
