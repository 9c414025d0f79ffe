/**
 * HubSpot's webhook signature, v3: base64 HMAC-SHA256, keyed by the app's client secret, of
 * method + URI + raw body + X-HubSpot-Request-Timestamp; a timestamp more than five minutes
 * away is refused (replays). The URI is the full public URL HubSpot posted to, with the
 * escapes HubSpot decodes before signing decoded here too.
 * https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_MAX_AGE_MS = 5 * 60_000;

const DECODED: Record<string, string> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$', '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
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
