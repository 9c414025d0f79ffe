// Telnyx signs every webhook with Ed25519: `telnyx-signature-ed25519` is the base64 signature
// of `${telnyx-timestamp}|${raw body}`, `telnyx-timestamp` the Unix time in seconds; the
// account's public key is shown (base64, the raw 32 bytes) in the portal. The key pair is made
// when the simulator starts, so no key is ever in the source.
// https://developers.telnyx.com/docs/messaging/messages/receiving-webhooks#webhook-signing
import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

export interface WebhookSigner {
  /** The public key as Telnyx shows it: base64 of the raw 32-byte Ed25519 key. */
  publicKey: string;
  /** The two headers for `body`, at `timestamp` (Unix seconds; default now, in real time). */
  headers(body: string, timestamp?: number): { 'telnyx-signature-ed25519': string; 'telnyx-timestamp': string };
}

export function createSigner(): WebhookSigner {
  const { privateKey } = generateKeyPairSync('ed25519');
  return signerFor(privateKey);
}

function signerFor(privateKey: KeyObject): WebhookSigner {
  // The SPKI encoding of an Ed25519 key is a fixed 12-byte prefix and the 32 raw bytes.
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return {
    publicKey: spki.subarray(spki.length - 32).toString('base64'),
    headers: (body, timestamp = Math.floor(Date.now() / 1000)) => ({
      'telnyx-signature-ed25519': sign(null, Buffer.from(`${timestamp}|${body}`, 'utf8'), privateKey).toString('base64'),
      'telnyx-timestamp': String(timestamp),
    }),
  };
}
