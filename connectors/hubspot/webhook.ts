/**
 * HubSpot's webhook signature, v3: base64 HMAC-SHA256, keyed by the app's client secret, of
 * method + URI + raw body + X-HubSpot-Request-Timestamp; a timestamp more than five minutes
 * away is refused (replays). The URI is the full public URL HubSpot posted to, with the
 * escapes HubSpot decodes before signing decoded here too.
 * https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests
 *
 * And the delivery's events, parsed into what they mean for a tenant's records (core/crm/events.ts).
 * https://developers.hubspot.com/docs/api/webhooks
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { CrmRecordEvent } from '../../core/crm/events.ts';

export const SIGNATURE_MAX_AGE_MS = 5 * 60_000;

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

/** The URI as HubSpot signs it. */
export function signatureUri(url: string): string {
  return url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => DECODED[m.toUpperCase()] ?? m);
}

/** The X-HubSpot-Request-Timestamp (ms) is within five minutes of now. */
export function freshTimestamp(timestamp: string, now = Date.now()): boolean {
  return /^\d{10,16}$/.test(timestamp) && Math.abs(now - Number(timestamp)) <= SIGNATURE_MAX_AGE_MS;
}

/** Whether `signature` (X-HubSpot-Signature-v3) is the client secret's over this request; compared in constant time. */
export function verifySignatureV3(input: { clientSecret: string; method: string; url: string; body: Buffer; timestamp: string; signature: string }): boolean {
  const expected = createHmac('sha256', input.clientSecret)
    .update(`${input.method.toUpperCase()}${signatureUri(input.url)}`, 'utf8')
    .update(input.body)
    .update(input.timestamp, 'utf8')
    .digest();
  const given = Buffer.from(input.signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** One event of a webhook delivery (a JSON array of them). HubSpot adds fields without notice: unknown ones pass. */
export const HubspotEvent = z.looseObject({
  eventId: z.number().int(),
  subscriptionId: z.number().int().optional(),
  portalId: z.number().int(),
  subscriptionType: z.string(),
  objectId: z.number().int().optional(),
  propertyName: z.string().optional(),
  propertyValue: z.string().optional(),
});
export type HubspotEvent = z.infer<typeof HubspotEvent>;

/** The portals a delivery's events name (before it is verified: they pick whose secret to try). */
export function deliveryPortals(payload: unknown[]): string[] {
  const portals = payload.map((e) => (e as { portalId?: unknown } | null)?.portalId).filter((p) => typeof p === 'number' || typeof p === 'string');
  return [...new Set(portals.map(String))];
}

export function parseHubspotEvents(payload: unknown): z.ZodSafeParseResult<HubspotEvent[]> {
  return z.array(HubspotEvent).safeParse(payload);
}

/** Events that may change what a sync pulls; deletion is acknowledged only (a deleted record is not chased from HubSpot again, and erasure is the API's). */
const SYNC_EVENTS = new Set(['contact.creation', 'contact.propertyChange', 'contact.merge', 'contact.restore']);

/** The tenant's connector settings that say what an event means. */
export interface OptOutProperties {
  doNotCallProperty: string;
  smsOptOutProperty?: string | undefined;
}

/**
 * HubSpot's id of one change: HubSpot says an eventId alone "is not guaranteed to be unique";
 * with the subscription and the record it names one change, and a retry repeats all three.
 */
export const deliveryIdOf = (e: HubspotEvent) => `${e.eventId}:${e.subscriptionId ?? 0}:${e.objectId ?? 0}`;

/**
 * What one event means for Chaseline: the do-not-call (or SMS opt-out) property turned 'true' is
 * an opt-out; any other change of a contact's data is for a sync to pull, except a change of an
 * opt-out property to anything but 'true' (a clearing), which is nothing: opt-outs are sticky.
 */
export function crmEventOf(e: HubspotEvent, props: OptOutProperties): CrmRecordEvent {
  const optOutProperty = e.propertyName === props.doNotCallProperty || (!!props.smsOptOutProperty && e.propertyName === props.smsOptOutProperty);
  const base = { deliveryId: deliveryIdOf(e), externalId: e.objectId === undefined ? null : String(e.objectId) };
  if (e.subscriptionType === 'contact.propertyChange' && optOutProperty) {
    if (e.propertyValue !== 'true') return { ...base, change: { kind: 'ignored' } };
    const channel = e.propertyName === props.doNotCallProperty ? 'voice' : 'sms';
    return { ...base, change: { kind: 'opt-out', channel, note: `${channel === 'voice' ? 'do-not-call' : 'SMS opt-out'} set in HubSpot` } };
  }
  return { ...base, change: SYNC_EVENTS.has(e.subscriptionType) ? { kind: 'changed' } : { kind: 'ignored' } };
}
