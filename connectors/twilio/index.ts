/**
 * Twilio connector: calls, SMS, Lookup and webhook signatures behind core's ports.
 */
import twilio from 'twilio';
import { AppError } from '../../core/errors.ts';
import type { CallInfo, LineRoute, Messaging, NumberLookup, PlaceCall, Telephony, WebhookVerifier } from '../../core/ports.ts';
import { twilioClient } from './client.ts';
import { twilioCredentials, type TwilioCredentials } from './schemas.ts';
import { answeredByOf, callbackUrl, callStateOf, lineTypeOf } from './webhook.ts';

export type TwilioConnector = Telephony & Required<Pick<Telephony, 'findCalls'>> & Messaging & NumberLookup & WebhookVerifier;

export interface TwilioConnectorOptions {
  /** Per-request timeout; default 15 s. */
  timeoutMs?: number;
  /**
   * The URL Twilio reaches us at (PUBLIC_BASE_URL): calls and texts are given their callback
   * URLs on it. Without it the connector can look numbers up and verify signatures, but not
   * place calls or send texts.
   */
  publicBaseUrl?: string;
}

/** How far Twilio's clock may be behind ours when matching calls to an attempt's start. */
const CLOCK_SKEW_MS = 5_000;

interface CallResource {
  sid: string;
  status: string;
  answeredBy: string | null;
  duration: string | null;
}

const toCallInfo = (c: CallResource): CallInfo => ({
  callId: c.sid,
  status: callStateOf(c.status),
  answeredBy: answeredByOf(c.answeredBy),
  durationSeconds: c.duration === null || c.duration === undefined ? null : Number(c.duration),
});

/**
 * Twilio's errors as ours: 4xx that a retry cannot fix (bad number, unknown call) are not
 * retryable; 429 and 5xx (and network failures) are. `details.httpStatus` is the status
 * Twilio answered with; it is absent when no answer came (connection refused, timeout),
 * which is when a caller cannot know whether the request reached Twilio.
 * https://www.twilio.com/docs/api/errors
 */
function upstream(err: unknown, what: string): AppError {
  const e = err as { status?: unknown; code?: unknown; message?: string };
  // A RestException carries the HTTP status and Twilio's numeric code; a network error
  // (axios) has no status and a string code such as ECONNREFUSED.
  const httpStatus = typeof e.status === 'number' ? e.status : undefined;
  const vendorCode = typeof e.code === 'number' ? e.code : undefined;
  const detail =
    httpStatus === undefined
      ? `no answer from Twilio (${String(e.code ?? e.message ?? 'unknown')})`
      : vendorCode
        ? `Twilio error ${vendorCode}`
        : `HTTP ${httpStatus}`;
  const details = { ...(vendorCode === undefined ? {} : { vendorCode }), ...(httpStatus === undefined ? {} : { httpStatus }) };
  if (httpStatus === 401 || httpStatus === 403) {
    return new AppError('UPSTREAM', `${what}: Twilio refused the credentials (${detail})`, { cause: err, retryable: false, details });
  }
  if (httpStatus === 404) return new AppError('NOT_FOUND', `${what}: ${detail}`, { cause: err, details });
  if (httpStatus === 429) return new AppError('RATE_LIMITED', `${what}: ${detail}`, { cause: err, details });
  if (httpStatus && httpStatus >= 400 && httpStatus < 500) {
    return new AppError('VALIDATION', `${what}: ${detail}`, { cause: err, retryable: false, details });
  }
  return new AppError('UPSTREAM', `${what}: ${detail}`, { cause: err, retryable: true, details });
}

const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (err) {
    throw upstream(err, what);
  }
};

/**
 * What the Calls API is given for a call on a line: a SIP line dials a SIP URI, a BYOC line
 * passes its trunk as `Byoc` (https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource).
 */
export function dialTarget(route: LineRoute, toE164: string): { to: string; byoc?: string } {
  if (route.kind === 'sip') return { to: `sip:${toE164}@${route.domain}` };
  if (route.kind === 'trunk') return { to: toE164, byoc: route.trunkId };
  return { to: toE164 };
}

/** The Calls API parameters of an attempt's call, its callback URLs built on `publicBaseUrl`. */
export function callParams(c: PlaceCall, publicBaseUrl: string) {
  const url = (path: 'voice' | 'status' | 'amd') => callbackUrl(publicBaseUrl, path, c.attemptId);
  const target = dialTarget(c.route, c.to);
  return {
    to: target.to,
    from: c.from,
    url: url('voice'),
    statusCallback: url('status'),
    // Not 'initiated': the create response already says queued, and 'ringing' links the
    // call to its attempt if the worker died before it stored the sid. One callback less per call.
    statusCallbackEvent: ['ringing', 'answered', 'completed'],
    statusCallbackMethod: 'POST',
    // Async AMD waits for the greeting to end (DetectMessageEnd), so a voicemail left then starts after the beep.
    ...(c.detectMachine
      ? { machineDetection: 'DetectMessageEnd', asyncAmd: 'true', asyncAmdStatusCallback: url('amd'), asyncAmdStatusCallbackMethod: 'POST' }
      : {}),
    ...(target.byoc ? { byoc: target.byoc } : {}),
    timeout: c.ringSeconds,
  };
}

export function createTwilioConnector(credentials: TwilioCredentials, options: TwilioConnectorOptions = {}): TwilioConnector {
  const { accountSid, authToken, apiBaseUrl } = twilioCredentials.parse(credentials);
  const client = twilioClient(accountSid, authToken, { apiBaseUrl, timeoutMs: options.timeoutMs ?? 15_000 });
  // Checked before the request, so a connector made without it fails plainly, never as an outage.
  const base = (what: string): string => {
    if (!options.publicBaseUrl)
      throw new AppError('INTERNAL', `${what} needs the public base URL Twilio calls back on, and this connector was made without one`);
    return options.publicBaseUrl;
  };
  return {
    name: 'twilio',
    placeCall: async (c) => {
      const params = callParams(c, base('placing a call'));
      return call('placing the call', async () => toCallInfo(await client.calls.create(params)));
    },
    fetchCall: (callId) => call('fetching the call', async () => toCallInfo(await client.calls(callId).fetch())),
    endCall: (callId) =>
      call('ending the call', async () => {
        const current = await client.calls(callId).fetch();
        // Twilio: 'canceled' for a call not yet answered, 'completed' to hang up one in progress.
        const status = current.status === 'in-progress' ? 'completed' : 'canceled';
        if (['completed', 'busy', 'no-answer', 'failed', 'canceled'].includes(current.status)) return toCallInfo(current);
        return toCallInfo(await client.calls(callId).update({ status }));
      }),
    continueCall: async ({ callId, attemptId }, step) => {
      const url = callbackUrl(base('redirecting a call'), step, attemptId);
      await call('redirecting the call', async () => {
        await client.calls(callId).update({ url, method: 'POST' });
      });
    },
    findCalls: ({ to, from, since }) =>
      call('listing calls', async () => {
        const after = new Date(since.getTime() - CLOCK_SKEW_MS);
        // Twilio's StartTime> counts whole UTC days, and a call still in the account's
        // queue has no start_time yet, so ask for both and keep what was created since.
        const [started, queued] = await Promise.all([
          client.calls.list({ to, from, startTimeAfter: after }),
          client.calls.list({ to, from, status: 'queued' }),
        ]);
        const bySid = new Map([...started, ...queued].map((c) => [c.sid, c]));
        return [...bySid.values()]
          .filter((c) => c.dateCreated.getTime() >= after.getTime())
          .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime())
          .map(toCallInfo);
      }),
    sendSms: async (m) => {
      const statusCallback = callbackUrl(base('sending an SMS'), 'sms-status', m.messageRef);
      return call('sending the SMS', async () => {
        const sent = await client.messages.create({ to: m.to, from: m.from, body: m.body, statusCallback });
        return { messageId: sent.sid, status: sent.status };
      });
    },
    lookup: (e164) =>
      call('looking up the number', async () => {
        const found = await client.lookups.v2.phoneNumbers(e164).fetch({ fields: 'line_type_intelligence' });
        const lineType = lineTypeOf((found.lineTypeIntelligence as { type?: string } | null)?.type);
        return { valid: found.valid, lineType, country: found.countryCode ?? null };
      }),
    verify: (signature, url, params) => twilio.validateRequest(authToken, signature, url, params),
  };
}
