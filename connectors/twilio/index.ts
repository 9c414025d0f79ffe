/**
 * Twilio connector: calls, SMS, Lookup and webhook signatures behind core's ports.
 */
import twilio from 'twilio';
import { AppError } from '../../core/errors.ts';
import type { CallInfo, CallStatus, Messaging, NumberLookup, Telephony, WebhookVerifier } from '../../core/ports.ts';
import { twilioClient } from './client.ts';
import { twilioCredentials, type TwilioCredentials } from './schemas.ts';

export type TwilioConnector = Telephony & Messaging & NumberLookup & WebhookVerifier;

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
 * retryable; 429 and 5xx (and network failures) are.
 * https://www.twilio.com/docs/api/errors
 */
function upstream(err: unknown, what: string): AppError {
  const e = err as { status?: number; code?: number; message?: string };
  const detail = e.code ? `Twilio error ${e.code}` : (e.message ?? 'no response');
  if (e.status === 401 || e.status === 403) {
    return new AppError('UPSTREAM', `${what}: Twilio refused the credentials (${detail})`, { cause: err, retryable: false, details: { vendorCode: e.code } });
  }
  if (e.status === 404) return new AppError('NOT_FOUND', `${what}: ${detail}`, { cause: err, details: { vendorCode: e.code } });
  if (e.status === 429) return new AppError('RATE_LIMITED', `${what}: ${detail}`, { cause: err, details: { vendorCode: e.code } });
  if (e.status && e.status >= 400 && e.status < 500) {
    return new AppError('VALIDATION', `${what}: ${detail}`, { cause: err, retryable: false, details: { vendorCode: e.code } });
  }
  return new AppError('UPSTREAM', `${what}: ${detail}`, { cause: err, retryable: true, details: { vendorCode: e.code } });
}

const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (err) {
    throw upstream(err, what);
  }
};

export function createTwilioConnector(credentials: TwilioCredentials): TwilioConnector {
  const { accountSid, authToken, apiBaseUrl } = twilioCredentials.parse(credentials);
  const client = twilioClient(accountSid, authToken, apiBaseUrl);
  return {
    placeCall: (c) =>
      call('placing the call', async () =>
        toCallInfo(
          await client.calls.create({
            to: c.to,
            from: c.from,
            url: c.url,
            statusCallback: c.statusCallback,
            statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
            statusCallbackMethod: 'POST',
            ...(c.machineDetection ? { machineDetection: 'Enable' } : {}),
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
