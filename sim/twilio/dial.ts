// <Dial>: who the call is connected to, and what Twilio tells the action afterwards.
// The far leg is not placed as a call of its own: it answers and talks for a few seconds.
// https://www.twilio.com/docs/voice/twiml/dial
import type { FormParams } from './signature.ts';
import { elementsOf, textOf, type TwimlElement } from './twiml.ts';

export type DialKind = 'number' | 'sip' | 'queue' | 'client' | 'conference' | 'application' | 'whatsapp';

export interface DialTarget {
  kind: DialKind | string;
  /** The noun's text: a number, a SIP URI, a queue or client name. */
  value: string;
  /** The noun's own attributes (e.g. a <Sip>'s username, a <Queue>'s url). */
  attrs: Record<string, string>;
}

/** What the heard log records for a <Dial>. */
export interface DialRecord {
  targets: DialTarget[];
  callerId?: string;
  /** Seconds the far end may ring; Twilio's default is 30. */
  timeout: number;
  /** The record attribute as given (`do-not-record`, `record-from-answer`, …). */
  record?: string;
}

const NOUNS: Record<string, DialKind> = {
  Number: 'number',
  Sip: 'sip',
  Queue: 'queue',
  Client: 'client',
  Conference: 'conference',
  Application: 'application',
};

/** The far leg's talk time: long enough to be seen, short enough for tests. */
export const FAR_LEG_MS = 5000;

/** Bare text dials a number, or what its scheme says (`sip:`, `client:`). */
function bareTarget(text: string): DialTarget {
  const scheme = /^(sip|client|whatsapp):/i.exec(text)?.[1]?.toLowerCase();
  return { kind: scheme === 'client' ? 'client' : scheme === 'sip' ? 'sip' : scheme === 'whatsapp' ? 'whatsapp' : 'number', value: text, attrs: {} };
}

export function dialRecord(el: TwimlElement): DialRecord {
  const nouns = elementsOf(el);
  const targets = nouns.length
    ? nouns.map((n) => ({ kind: NOUNS[n.name] ?? n.name.toLowerCase(), value: textOf(n), attrs: n.attrs }))
    : [bareTarget(textOf(el))];
  const a = el.attrs;
  return {
    targets,
    ...(a.callerId ? { callerId: a.callerId } : {}),
    timeout: Number(a.timeout || 30),
    ...(a.record ? { record: a.record } : {}),
  };
}

/**
 * The parameters added to the action request. Dialling a <Queue> reports how the call
 * left it (QueueResult) instead of the dialled call's status; `bridged` is the outcome of
 * a queue whose caller was connected and has hung up.
 */
export function dialActionParams(record: DialRecord, newCallSid: () => string): FormParams {
  if (record.targets.some((t) => t.kind === 'queue')) return { QueueResult: 'bridged' };
  return { DialCallStatus: 'completed', DialCallSid: newCallSid(), DialCallDuration: String(FAR_LEG_MS / 1000) };
}
