// Outbound requests from the "carrier" to the application: status callbacks, TwiML
// fetches, <Gather> actions. Signed exactly as Twilio signs them; for GET the params go
// in the query string and the signature covers that full URL with no body params.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
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
  const res = await request(url, {
    method,
    body,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } : {}),
      'x-twilio-signature': twilioSignature(req.authToken, url, signed),
      'i-twilio-idempotency-token': randomUUID(),
      'user-agent': 'TwilioProxy/1.1',
    },
    signal: req.signal,
    timeoutMs: req.timeoutMs ?? 15_000,
  });
  return { status: res.status, body: res.body.toString('utf8'), contentType: res.contentType };
}

/**
 * Connections to the application are kept open and reused, as Twilio's webhook senders do: a
 * simulated carrier making hundreds of callbacks a second should not pay a TCP handshake (or
 * fetch's per-request stream and signal machinery) for each.
 */
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

interface RawResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

function request(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal; timeoutMs: number },
): Promise<RawResponse> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      target,
      { method: init.method, headers: init.headers, agent: agents[secure ? 'https:' : 'http:'], signal: init.signal },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? '', body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer from ${target.host} within ${init.timeoutMs} ms`)), init.timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end(init.body);
  });
}

export interface MediaResponse {
  status: number;
  contentType: string;
  bytes: number;
}

/** GETs a <Play> URL as Twilio's media fetcher does: signed over the URL, body counted, not kept. */
export async function fetchMedia(url: string, authToken: string, signal?: AbortSignal): Promise<MediaResponse> {
  const res = await request(url, {
    method: 'GET',
    headers: { 'x-twilio-signature': twilioSignature(authToken, url, {}), 'user-agent': 'TwilioProxy/1.1' },
    signal,
    timeoutMs: 15_000,
  });
  return { status: res.status, contentType: res.contentType, bytes: res.body.byteLength };
}
