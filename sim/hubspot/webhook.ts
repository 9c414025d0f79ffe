// Webhook deliveries as HubSpot sends them: a JSON array of events POSTed to the app's
// target URL, signed with the v3 signature — base64 HMAC-SHA256, keyed by the app's
// client secret, of method + URI + body + timestamp — in X-HubSpot-Signature-v3, with the
// timestamp (ms) in X-HubSpot-Request-Timestamp. The v1 signature (hex SHA-256 of secret
// + body) still rides along for old receivers, as HubSpot's CRM webhooks do.
// https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests
import { createHash, createHmac } from 'node:crypto';

/** One event of a batch (contact.creation, contact.propertyChange, contact.deletion, …). */
export interface WebhookEvent {
  subscriptionType: string;
  objectId: number;
  propertyName?: string;
  propertyValue?: string;
  changeSource?: string;
  eventId?: number;
  subscriptionId?: number;
  portalId?: number;
  appId?: number;
  occurredAt?: number;
  attemptNumber?: number;
  changeFlag?: string;
  sourceId?: string;
  [extra: string]: unknown;
}

export interface WebhookDelivery {
  status: number;
  body: string;
  headers: Record<string, string>;
  /** The events as sent, with the fields HubSpot fills in. */
  events: WebhookEvent[];
}

/**
 * HubSpot decodes these escapes in the URI before signing (and tells receivers to do
 * the same), so `%3A` and `:` sign alike.
 */
const DECODED: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

export function signatureUri(url: string): string {
  return url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => DECODED[m.toUpperCase()] ?? m);
}

export function signV3(clientSecret: string, method: string, url: string, body: string, timestamp: number | string): string {
  return createHmac('sha256', clientSecret)
    .update(`${method}${signatureUri(url)}${body}${timestamp}`, 'utf8')
    .digest('base64');
}

export async function deliverWebhook(
  events: WebhookEvent[],
  opts: { targetUrl: string; clientSecret: string; portalId: number; appId: number; nextEventId: () => number; timestamp?: number },
): Promise<WebhookDelivery> {
  const now = Date.now();
  const full = events.map((e) => ({
    eventId: opts.nextEventId(),
    subscriptionId: 1,
    portalId: opts.portalId,
    appId: opts.appId,
    occurredAt: now,
    attemptNumber: 0,
    changeSource: 'CRM',
    ...(e.subscriptionType.endsWith('.creation') ? { changeFlag: 'CREATED' } : {}),
    ...(e.subscriptionType.endsWith('.deletion') ? { changeFlag: 'DELETED' } : {}),
    ...e,
  }));
  const body = JSON.stringify(full);
  const timestamp = String(opts.timestamp ?? now);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/) (namespace: webhooks-nio-http-client) - WebhooksExecutorDaemon-executor',
    'X-HubSpot-Signature-v3': signV3(opts.clientSecret, 'POST', opts.targetUrl, body, timestamp),
    'X-HubSpot-Request-Timestamp': timestamp,
    'X-HubSpot-Signature': createHash('sha256')
      .update(opts.clientSecret + body, 'utf8')
      .digest('hex'),
    'X-HubSpot-Signature-Version': 'v1',
    'X-HubSpot-Timeout-Millis': '10000',
  };
  const res = await fetch(opts.targetUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text(), headers, events: full };
}
