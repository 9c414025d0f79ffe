// Outbound requests from the "carrier" to the application: status callbacks, TwiML
// fetches, <Gather> actions. Signed exactly as Twilio signs them; for GET the params go
// in the query string and the signature covers that full URL with no body params.
import { randomUUID } from 'node:crypto';
import { formEncode, twilioSignature, type FormParams } from './signature.ts';

export interface WebhookRequest {
  url: string;
  method?: string;
  params: FormParams;
  authToken: string;
  signal?: AbortSignal;
  /** Real milliseconds; Twilio gives up on a TwiML fetch after 15 s. */
  timeoutMs?: number;
}

export interface WebhookResponse {
  status: number;
  body: string;
  contentType: string;
}

export async function sendWebhook(req: WebhookRequest): Promise<WebhookResponse> {
  const method = (req.method ?? 'POST').toUpperCase();
  let url = req.url;
  let body: string | undefined;
  let signed: FormParams = req.params;
  if (method === 'GET') {
    const u = new URL(req.url);
    for (const [k, v] of new URLSearchParams(formEncode(req.params))) u.searchParams.append(k, v);
    url = u.toString();
    signed = {};
  } else {
    body = formEncode(req.params);
  }
  const timeout = AbortSignal.timeout(req.timeoutMs ?? 15_000);
  const res = await fetch(url, {
    method,
    body,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } : {}),
      'x-twilio-signature': twilioSignature(req.authToken, url, signed),
      'i-twilio-idempotency-token': randomUUID(),
      'user-agent': 'TwilioProxy/1.1',
    },
    signal: req.signal ? AbortSignal.any([req.signal, timeout]) : timeout,
  });
  return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') ?? '' };
}

export interface MediaResponse {
  status: number;
  contentType: string;
  bytes: number;
}

/** GETs a <Play> URL as Twilio's media fetcher does: signed over the URL, body counted, not kept. */
export async function fetchMedia(url: string, authToken: string, signal?: AbortSignal): Promise<MediaResponse> {
  const timeout = AbortSignal.timeout(15_000);
  const res = await fetch(url, {
    headers: { 'x-twilio-signature': twilioSignature(authToken, url, {}), 'user-agent': 'TwilioProxy/1.1' },
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  const bytes = (await res.arrayBuffer()).byteLength;
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', bytes };
}
