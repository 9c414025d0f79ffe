import { z } from 'zod';
import type { VendorUrls } from '../vendor-urls.ts';

/** texttospeech.googleapis.com and its regional endpoints (eu-texttospeech.googleapis.com…). */
export const googleTtsUrls: VendorUrls = { vendor: 'Google', hosts: ['texttospeech.googleapis.com', '*.googleapis.com'], fields: ['apiBaseUrl'] };

/** A Google Cloud service account's key file, as downloaded (only the fields used here). */
export const serviceAccountKey = z.object({
  client_email: z.email(),
  private_key: z.string().includes('PRIVATE KEY', { message: 'must be the PEM private key from the service account key file' }),
});

/**
 * A tenant's Google Text-to-Speech credentials, checked before the connector is made:
 * exactly one of an OAuth access token or a service account key.
 */
export const googleTtsCredentials = z
  .object({
    /** A Text-to-Speech-compatible endpoint instead of https://texttospeech.googleapis.com (a proxy, the simulator). */
    // An origin only: the SDK takes a host, port and protocol, not a path prefix.
    apiBaseUrl: z
      .url({ protocol: /^https?$/ })
      .refine((u) => new URL(u).pathname === '/', 'must be an origin (scheme, host, port) without a path')
      .optional(),
    /** An OAuth 2 access token (short-lived: suits tests and a token minted elsewhere). */
    accessToken: z.string().min(1).optional(),
    serviceAccount: serviceAccountKey.optional(),
  })
  .superRefine((c, ctx) => {
    if (Boolean(c.accessToken) === Boolean(c.serviceAccount)) {
      ctx.addIssue({ code: 'custom', path: ['serviceAccount'], message: 'give exactly one of accessToken or serviceAccount' });
    }
  });

export type GoogleTtsCredentials = z.infer<typeof googleTtsCredentials>;
