/**
 * Twilio connector: calls, SMS, Lookup and webhook signatures behind core's ports.
 */
import twilio from 'twilio';
import { AppError } from '../../core/errors.ts';
import type { CallInfo, CallStatus, Messaging, NumberLookup, Telephony, WebhookVerifier } from '../../core/ports.ts';
import { twilioClient } from './client.ts';
import { twilioCredentials, type TwilioCredentials } from './schemas.ts';

export type TwilioConnector = Telephony & Required<Pick<Telephony, 'findCalls'>> & Messaging & NumberLookup & WebhookVerifier;

export interface TwilioConnectorOptions {
  /** Per-request timeout; default 15 s. */
  timeoutMs?: number;
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
  sid: c.sid,
  status: c.status as CallStatus,
  answeredBy: c.answeredBy ?? null,
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
  const detail = httpStatus === undefined ? `no answer from Twilio (${String(e.code ?? e.message ?? 'unknown')})` : vendorCode ? `Twilio error ${vendorCode}` : `HTTP ${httpStatus}`;
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

export function createTwilioConnector(credentials: TwilioCredentials, options: TwilioConnectorOptions = {}): TwilioConnector {
  const { accountSid, authToken, apiBaseUrl } = twilioCredentials.parse(credentials);
  const client = twilioClient(accountSid, authToken, { apiBaseUrl, timeoutMs: options.timeoutMs ?? 15_000 });
  return {
    name: 'twilio',
    placeCall: (c) =>
      call('placing the call', async () =>
        toCallInfo(
          await client.calls.create({
            to: c.to,
            from: c.from,
            url: c.url,
            statusCallback: c.statusCallback,
            // Not 'initiated': the create response already says queued, and 'ringing' links the
            // call to its attempt if the worker died before it stored the sid. One callback less per call.
            statusCallbackEvent: ['ringing', 'answered', 'completed'],
            statusCallbackMethod: 'POST',
            // Async AMD waits for the greeting to end (DetectMessageEnd), so a voicemail left then starts after the beep.
            ...(c.machineDetection
              ? { machineDetection: 'DetectMessageEnd', asyncAmd: 'true', asyncAmdStatusCallback: c.machineDetection.resultCallback, asyncAmdStatusCallbackMethod: 'POST' }
              : {}),
            ...(c.byoc ? { byoc: c.byoc } : {}),
            ...(c.timeoutSeconds ? { timeout: c.timeoutSeconds } : {}),
          }),
        ),
      ),
    fetchCall: (sid) => call('fetching the call', async () => toCallInfo(await client.calls(sid).fetch())),
    endCall: (sid) =>
      call('ending the call', async () => {
        const current = await client.calls(sid).fetch();
        // Twilio: 'canceled' for a call not yet answered, 'completed' to hang up one in progress.
        const status = current.status === 'in-progress' ? 'completed' : 'canceled';
        if (['completed', 'busy', 'no-answer', 'failed', 'canceled'].includes(current.status)) return toCallInfo(current);
        return toCallInfo(await client.calls(sid).update({ status }));
      }),
    redirectCall: (sid, url) =>
      call('redirecting the call', async () => {
        await client.calls(sid).update({ url, method: 'POST' });
      }),
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
    sendSms: (m) =>
      call('sending the SMS', async () => {
        const sent = await client.messages.create({ to: m.to, from: m.from, body: m.body, ...(m.statusCallback ? { statusCallback: m.statusCallback } : {}) });
        return { sid: sent.sid, status: sent.status };
      }),
    lookup: (e164) =>
      call('looking up the number', async () => {
        const found = await client.lookups.v2.phoneNumbers(e164).fetch({ fields: 'line_type_intelligence' });
        const lineType = (found.lineTypeIntelligence as { type?: string } | null)?.type ?? null;
        return { valid: found.valid, lineType, country: found.countryCode ?? null };
      }),
    verify: (signature, url, params) => twilio.validateRequest(authToken, signature, url, params),
  };
}
