/**
 * Whether a request to the plugin endpoints comes from HubSpot, signed with the app's client
 * secret:
 * - v3 (X-HubSpot-Signature-v3 + X-HubSpot-Request-Timestamp): what hubspot.fetch from the
 *   app card sends, and what HubSpot sends wherever it signs with v3; refused when the
 *   timestamp is more than five minutes away (replays);
 * - v2 (X-HubSpot-Signature with X-HubSpot-Signature-Version: v2): hex SHA-256 of client
 *   secret + method + URI + body, what custom workflow actions are signed with. v2 carries no
 *   time, so a v3 signature, when HubSpot sends one too, is what is checked.
 * https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests
 * https://developers.hubspot.com/docs/api-reference/automation-actions-v4-v4/custom-action-guide
 */
import { Signature } from '@hubspot/api-client';
import { freshTimestamp, verifySignatureV3 } from '../webhook.ts';

export interface SignedRequest {
  method: string;
  /** The full public URL HubSpot called (PUBLIC_BASE_URL + the original path and query). */
  url: string;
  body: Buffer;
  header: (name: string) => string | undefined;
}

export type SignatureCheck = { ok: true; version: 'v2' | 'v3' } | { ok: false; reason: 'missing' | 'stale' | 'invalid' };

export function verifyHubspotRequest(clientSecret: string, req: SignedRequest, now = Date.now()): SignatureCheck {
  const v3 = req.header('x-hubspot-signature-v3');
  if (v3) {
    const timestamp = req.header('x-hubspot-request-timestamp') ?? '';
    if (!freshTimestamp(timestamp, now)) return { ok: false, reason: 'stale' };
    return verifySignatureV3({ clientSecret, method: req.method, url: req.url, body: req.body, timestamp, signature: v3 })
      ? { ok: true, version: 'v3' }
      : { ok: false, reason: 'invalid' };
  }
  const v2 = req.header('x-hubspot-signature');
  if (v2 && req.header('x-hubspot-signature-version')?.toLowerCase() === 'v2') {
    const ok = Signature.isValid({
      signatureVersion: 'v2',
      signature: v2,
      clientSecret,
      method: req.method,
      url: req.url,
      requestBody: req.body.toString('utf8'),
    });
    return ok ? { ok: true, version: 'v2' } : { ok: false, reason: 'invalid' };
  }
  return { ok: false, reason: 'missing' };
}
