// Runs a call's TwiML the way the callee would experience it: says, plays, pauses and
// gathers take simulated time, each <Gather> is answered from the number's persona,
// and <Gather> actions, <Redirect> and <Dial action> fetch the next document.
// https://www.twilio.com/docs/voice/twiml
import type { SimClock } from './clock.ts';
import type { Utterance } from './profiles.ts';
import type { FormParams } from './signature.ts';
import { elementsOf, parseTwiml, textOf, type TwimlElement } from './twiml.ts';

export interface HeardEntry {
  verb: string;
  at: Date;
  text?: string;
  attrs: Record<string, string>;
  /** For <Gather>: what the callee answered (null = silence). */
  reply?: Utterance;
  error?: string;
}

/** Where the next document comes from. */
export type DocumentSource = { url: string; method: string; extra?: FormParams } | { twiml: string; baseUrl?: string };

export interface DialogHost {
  clock: SimClock;
  log(entry: Omit<HeardEntry, 'at'>): void;
  /** The callee's next reply to a <Gather>. */
  nextUtterance(): { utterance: Utterance; confidence: number };
  /** Fetches TwiML with the call's parameters (+ extra), signed; throws on failure. */
  fetchTwiml(url: string, method: string, extra: FormParams, signal: AbortSignal): Promise<string>;
  newCallSid(): string;
}

const MAX_DOCUMENTS = 100; // Twilio cuts redirect loops too; this keeps a buggy app from spinning forever.
const speechMs = (text: string) => Math.max(1, Math.ceil(text.split(/\s+/).filter(Boolean).length / 2.5)) * 1000; // ~150 words/min

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

async function runVerb(host: DialogHost, el: TwimlElement, baseUrl: string | undefined, signal: AbortSignal): Promise<Step> {
  const { clock } = host;
  const a = el.attrs;
  switch (el.name) {
    case 'Say': {
      const text = textOf(el);
      host.log({ verb: 'Say', text, attrs: a });
      await clock.sleep(speechMs(text) * Number(a.loop || 1), signal);
      return undefined;
    }
    case 'Play':
      host.log({ verb: 'Play', text: textOf(el), attrs: a });
      await clock.sleep(2000 * Number(a.loop || 1), signal);
      return undefined;
    case 'Pause':
      host.log({ verb: 'Pause', attrs: a });
      await clock.sleep(1000 * Number(a.length || 1), signal);
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
      // The far leg is not simulated: it answers, talks for 5 s and hangs up.
      const target = elementsOf(el).map(textOf).join(', ') || textOf(el);
      host.log({ verb: 'Dial', text: target, attrs: a });
      await clock.sleep(5000, signal);
      if (!a.action) return undefined;
      const url = resolveUrl(a.action, baseUrl) as string;
      return { url, method: a.method || 'POST', extra: { DialCallStatus: 'completed', DialCallSid: host.newCallSid(), DialCallDuration: '5' } };
    }
    default:
      host.log({ verb: el.name, attrs: a, error: 'not simulated; skipped' });
      return undefined;
  }
}

async function gather(host: DialogHost, el: TwimlElement, baseUrl: string | undefined, signal: AbortSignal): Promise<Step> {
  const a = el.attrs;
  // Prompts nested in the Gather play first (barge-in is not simulated).
  for (const child of elementsOf(el)) {
    if (['Say', 'Play', 'Pause'].includes(child.name)) await runVerb(host, child, baseUrl, signal);
  }
  const inputs = (a.input || 'dtmf').split(/\s+/);
  const { utterance, confidence } = host.nextUtterance();
  let result: FormParams | undefined;
  if (typeof utterance === 'string' && inputs.includes('speech')) {
    await host.clock.sleep(speechMs(utterance), signal);
    result = { SpeechResult: utterance, Confidence: confidence.toFixed(8) };
  } else if (utterance && typeof utterance === 'object' && inputs.includes('dtmf')) {
    await host.clock.sleep(500 * utterance.digits.length, signal);
    result = { Digits: utterance.digits };
  }
  // A reply the Gather does not listen for (words to a dtmf-only Gather) is silence to it.
  host.log({ verb: 'Gather', attrs: a, reply: result ? utterance : null });
  if (!result) {
    await host.clock.sleep(1000 * Number(a.timeout || 5), signal);
    // No input: Twilio moves on to the next verb, unless actionOnEmptyResult asks for the action.
    if (a.actionOnEmptyResult !== 'true') return undefined;
    result = {};
  }
  const url = resolveUrl(a.action, baseUrl);
  return url ? { url, method: a.method || 'POST', extra: result } : undefined;
}
