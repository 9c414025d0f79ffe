/**
 * Twilio's requests for the call dialog's TwiML, read into the dialog's carrier-neutral
 * events (core/dialog.session.ts): the call was answered (/voice), an answer to a <Gather>
 * (/gather: the turn's position is in the action URL Twilio signed), a <Dial> or <Enqueue>
 * ended (/dial), the agent's whisper (/whisper), the voicemail (/voicemail). Each returns
 * null for a request that is not what Twilio sends. The params are the verified, cleaned
 * form body and the query string.
 * https://www.twilio.com/docs/voice/twiml/gather#action
 * https://www.twilio.com/docs/voice/twiml/dial#action
 */
import { z } from 'zod';
import type { DialogEvent } from '../../core/dialog.session.ts';
import type { TransferStatus } from '../../core/dialog.calls.ts';
import type { TurnPosition } from '../../core/dialog.turn.ts';

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
export const gatherQuery = (attemptId: string, at: TurnPosition): Record<string, string> =>
  ({ attempt: attemptId, node: at.node, r: String(at.reprompt), t: String(at.turn) });

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
  completed: 'completed', answered: 'completed', busy: 'busy', 'no-answer': 'no-answer', failed: 'failed', canceled: 'canceled',
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
