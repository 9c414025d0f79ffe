// X-Twilio-Signature, computed the way Twilio computes it, so the product's webhook
// verifier (which uses the SDK's validateRequest) can be tested against real signatures.
// https://www.twilio.com/docs/usage/webhooks/webhooks-security
import { createHmac } from 'node:crypto';

/** Form parameters as Twilio sends them; a repeated name carries a list. */
export type FormParams = Record<string, string | string[]>;

/**
 * HMAC-SHA1 (key: the auth token) over the full URL followed by every POST parameter,
 * sorted by name, each as name+value; base64. For a GET the parameters are in the URL
 * and `params` is empty. A repeated name contributes each distinct value, sorted —
 * what the SDK's `getExpectedTwilioSignature` expects.
 */
export function twilioSignature(authToken: string, url: string, params: FormParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name] ?? '';
    const values = Array.isArray(value) ? [...new Set(value)].sort() : [value];
    for (const v of values) data += name + v;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

/** Encodes params as application/x-www-form-urlencoded, a list as repeated names. */
export function formEncode(params: FormParams): string {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
  }
  return body.toString();
}
