/**
 * Twilio's webhooks read into the engine's carrier-neutral events. The call's progress, the
 * machine-detection verdict and texts (status reports, inbound) are at the end of the file,
 * with the mappings of Twilio's values onto the carrier port's (core/ports.ts) and where
 * Twilio is sent for an attempt.
 *
 * Twilio's requests for the call dialog's TwiML, read into the dialog's carrier-neutral
 * events (core/dialog/session.ts): the call was answered (/voice), an answer to a <Gather>
 * (/gather: the turn's position is in the action URL Twilio signed), a <Dial> or <Enqueue>
 * ended (/dial), the agent's whisper (/whisper), the voicemail (/voicemail). Each returns
 * null for a request that is not what Twilio sends. The params are the verified, cleaned
 * form body and the query string.
 * https://www.twilio.com/docs/voice/twiml/gather#action
 * https://www.twilio.com/docs/voice/twiml/dial#action
 */
import { z } from 'zod';
import type { DialogEvent } from '../../core/dialog/session.ts';
import type { TransferStatus } from '../../core/dialog/calls.ts';
import type { TurnPosition } from '../../core/dialog/turn.ts';
import type { AnsweredBy, CallProgress, CallState, InboundMessage, LineType, MachineVerdict, MessageState, MessageStatus } from '../../core/ports.ts';

type Params = Record<string, unknown>;

const CallSid = z.string().regex(/^CA[0-9a-f]{32}$/);
const CallQuery = z.object({ attempt: z.uuid() });
const GatherQuery = CallQuery.extend({
  node: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/),
  r: z.coerce.number().int().min(0).max(10).default(0),
  t: z.coerce.number().int().min(0).max(200).default(0),
});
const GatherBody = z.object({
  CallSid,
  SpeechResult: z.string().max(5000).optional(),
  Confidence: z.coerce.number().min(0).max(1).optional().catch(undefined),
  Digits: z.string().max(50).optional(),
  To: z.string().optional(),
});
const DialBody = z.object({
  CallSid,
  DialCallStatus: z.string().optional(),
  DialCallDuration: z.coerce.number().int().min(0).optional(),
  QueueResult: z.string().optional(),
});

/** The query of a listening turn's action URL: the turn's position, signed with the URL. */
export const gatherQuery = (attemptId: string, at: TurnPosition): Record<string, string> => ({
  attempt: attemptId,
  node: at.node,
  r: String(at.reprompt),
  t: String(at.turn),
});

/** The callee's number from Twilio's `To`: E.164 as is, or the number inside a SIP address. */
export const calleeOf = (to: string | undefined): string | undefined => to?.match(/^(?:sip:)?(\+[1-9]\d{6,14})(?:@|$)/)?.[1];

const attemptOf = (query: Params): string | null => CallQuery.safeParse(query).data?.attempt ?? null;

/** /voice: Twilio asks what to say once the call is answered. */
export function answeredEvent(query: Params): DialogEvent | null {
  const attemptId = attemptOf(query);
  return attemptId ? { type: 'answered', attemptId } : null;
}

/** /gather: what the <Gather> heard — words, keys or nothing. */
export function heardEvent(query: Params, body: Params): DialogEvent | null {
  const q = GatherQuery.safeParse(query);
  const b = GatherBody.safeParse(body);
  if (!q.success || !b.success) return null;
  const { SpeechResult: text, Confidence: confidence, Digits: digits } = b.data;
  const callee = calleeOf(b.data.To);
  return {
    type: 'heard',
    attemptId: q.data.attempt,
    callId: b.data.CallSid,
    at: { node: q.data.node, reprompt: q.data.r, turn: q.data.t },
    ...(text ? { speech: { text, ...(confidence !== undefined ? { confidence } : {}) } } : {}),
    ...(digits ? { digits } : {}),
    ...(callee ? { callee } : {}),
  };
}

const DIAL_STATUS: Record<string, TransferStatus> = {
  completed: 'completed',
  answered: 'completed',
  busy: 'busy',
  'no-answer': 'no-answer',
  failed: 'failed',
  canceled: 'canceled',
};
// <Enqueue> reports a QueueResult: 'bridged' when an agent took the call.
const QUEUE_RESULT: Record<string, TransferStatus> = { bridged: 'completed', hangup: 'canceled', leave: 'no-answer', redirected: 'no-answer' };

/** /dial: how the <Dial> (DialCallStatus) or <Enqueue> (QueueResult) ended. */
export function transferEndedEvent(query: Params, body: Params): DialogEvent | null {
  const attemptId = attemptOf(query);
  const b = DialBody.safeParse(body);
  if (!attemptId || !b.success) return null;
  const { DialCallStatus: dial, QueueResult: queue } = b.data;
  const status = dial !== undefined ? (DIAL_STATUS[dial] ?? 'failed') : (QUEUE_RESULT[queue ?? ''] ?? 'failed');
  return { type: 'transfer-ended', attemptId, callId: b.data.CallSid, status, durationSeconds: b.data.DialCallDuration ?? null };
}

/** /voicemail: the call was redirected here after an answering machine's beep. */
export function voicemailEvent(query: Params): DialogEvent | null {
  const attemptId = attemptOf(query);
  return attemptId ? { type: 'voicemail-due', attemptId } : null;
}

/** /whisper: the agent picked up; Twilio asks what they hear first. */
export function whisperEvent(query: Params): DialogEvent | null {
  const attemptId = attemptOf(query);
  return attemptId ? { type: 'whisper-due', attemptId } : null;
}

// The call's progress, the machine verdict and texts: the carrier port's events and values.

/** The routes Twilio is sent to for an attempt, mounted at /webhooks/twilio (webhooks/twilio.ts). */
export type CallbackPath = 'voice' | 'status' | 'amd' | 'sms-status' | 'voicemail';

/** Where Twilio asks for a call's instructions or reports on an attempt: our webhook, carrying the attempt id. */
export const callbackUrl = (publicBaseUrl: string, path: CallbackPath, attemptId: string): string =>
  `${publicBaseUrl.replace(/\/$/, '')}/webhooks/twilio/${path}?attempt=${encodeURIComponent(attemptId)}`;

/** Twilio's CallStatus values (https://www.twilio.com/docs/voice/api/call-resource#call-status-values). */
export const twilioCallStatuses = ['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled'] as const;
export type TwilioCallStatus = (typeof twilioCallStatuses)[number];

/** A call's state in the engine's words: Twilio's `initiated` (the call is being dialled) is still queued for us. */
export function callStateOf(status: string): CallState {
  switch (status) {
    case 'queued':
    case 'initiated':
      return 'queued';
    case 'ringing':
    case 'in-progress':
    case 'completed':
    case 'busy':
    case 'no-answer':
    case 'failed':
    case 'canceled':
      return status;
    default:
      throw new Error(`not a Twilio call status: ${status}`);
  }
}

/**
 * Twilio's AnsweredBy (https://www.twilio.com/docs/voice/answering-machine-detection#webhook-parameters):
 * human, machine_start, machine_end_beep|silence|other, fax, unknown. Anything new is unknown.
 */
export function answeredByOf(answeredBy: string | null | undefined): AnsweredBy | null {
  if (!answeredBy) return null;
  if (answeredBy === 'human' || answeredBy === 'fax') return answeredBy;
  if (answeredBy.startsWith('machine')) return 'machine';
  return 'unknown';
}

/**
 * Lookup v2's line_type_intelligence.type
 * (https://www.twilio.com/docs/lookup/v2-api/line-type-intelligence#type-property-values).
 * A personal number forwards to a mobile, so it takes texts as one; Twilio's `unknown` is no answer.
 */
const LINE_TYPES: Record<string, LineType> = {
  mobile: 'mobile',
  personal: 'mobile',
  landline: 'landline',
  nonFixedVoip: 'voip',
  fixedVoip: 'fixed-voip',
  tollFree: 'toll-free',
  premium: 'premium',
  sharedCost: 'other',
  uan: 'other',
  voicemail: 'other',
  pager: 'other',
};

export const lineTypeOf = (type: string | null | undefined): LineType | null => (type ? (LINE_TYPES[type] ?? null) : null);

/**
 * Twilio's MessageStatus (https://www.twilio.com/docs/messaging/api/message-resource#message-status-values):
 * `read` is delivered and more; a canceled text was never sent, so it failed. A status Twilio
 * adds later says nothing we act on: still on its way.
 */
const MESSAGE_STATES: Record<string, MessageState> = {
  accepted: 'queued',
  scheduled: 'queued',
  queued: 'queued',
  sending: 'queued',
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'failed',
};

export const messageStateOf = (status: string): MessageState => MESSAGE_STATES[status] ?? 'queued';

const callSid = z.string().regex(/^CA[0-9a-f]{32}$/);
const messageSid = z.string().regex(/^(SM|MM)[0-9a-f]{32}$/);

const CallStatusBody = z.object({
  CallSid: callSid,
  CallStatus: z.enum(twilioCallStatuses),
  AnsweredBy: z.string().optional(),
  CallDuration: z.coerce.number().int().min(0).optional(),
});
const AmdBody = z.object({ CallSid: callSid, AnsweredBy: z.string() });
const SmsStatusBody = z.object({
  MessageSid: messageSid,
  MessageStatus: z.string(),
  ErrorCode: z
    .string()
    .regex(/^\d{1,8}$/)
    .optional(),
});
// https://www.twilio.com/docs/messaging/guides/webhook-request — Twilio adds fields without
// notice, so unknown ones are allowed through.
const InboundSmsBody = z.object({
  MessageSid: messageSid,
  AccountSid: z.string().regex(/^AC[0-9a-f]{32}$/),
  From: z.string().regex(/^\+[1-9]\d{6,14}$/),
  // Our line: a number, or a short code.
  To: z.string().regex(/^\+?[0-9]{3,15}$/),
  Body: z.string().max(1600).default(''),
  NumMedia: z.coerce.number().int().min(0).optional(),
});

/** What went wrong with a parameter set: the names of the fields that did not fit. */
export type Parsed<T> = { ok: true; event: T } | { ok: false; fields: string[] };

const parsed = <B, T>(result: z.ZodSafeParseResult<B>, map: (b: B) => T): Parsed<T> =>
  result.success ? { ok: true, event: map(result.data) } : { ok: false, fields: result.error.issues.map((i) => i.path.join('.')) };

/** A status callback (https://www.twilio.com/docs/voice/api/call-resource#statuscallback). */
export const parseCallStatus = (attemptId: string, params: Params): Parsed<CallProgress> =>
  parsed(CallStatusBody.safeParse(params), (b) => ({
    attemptId,
    callId: b.CallSid,
    status: callStateOf(b.CallStatus),
    answeredBy: answeredByOf(b.AnsweredBy),
    durationSeconds: b.CallDuration ?? null,
  }));

/** The asynchronous AMD callback (https://www.twilio.com/docs/voice/answering-machine-detection#asyncamdstatuscallback). */
export const parseMachineVerdict = (attemptId: string, params: Params): Parsed<MachineVerdict> =>
  parsed(AmdBody.safeParse(params), (b) => ({ attemptId, callId: b.CallSid, answeredBy: answeredByOf(b.AnsweredBy) ?? 'unknown' }));

/** A message status callback (https://www.twilio.com/docs/messaging/guides/track-outbound-message-status). */
export const parseMessageStatus = (attemptId: string, params: Params): Parsed<MessageStatus> =>
  parsed(SmsStatusBody.safeParse(params), (b) => ({
    attemptId,
    messageId: b.MessageSid,
    status: messageStateOf(b.MessageStatus),
    errorCode: b.ErrorCode ?? null,
  }));

/** A text someone sent to one of our numbers. */
export const parseInboundMessage = (params: Params): Parsed<InboundMessage> =>
  parsed(InboundSmsBody.safeParse(params), (b) => ({ messageId: b.MessageSid, from: b.From, to: b.To, body: b.Body }));
