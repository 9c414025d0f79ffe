import { z } from 'zod';
import type { VendorUrls } from '../vendor-urls.ts';

/** Twilio's APIs: api.twilio.com, lookups.twilio.com, the regional api.<edge>.<region>.twilio.com. */
export const twilioUrls: VendorUrls = { vendor: 'Twilio', hosts: ['*.twilio.com'], fields: ['apiBaseUrl'] };

/** A tenant's Twilio credentials, checked before the connector is made. */
export const twilioCredentials = z.object({
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits'),
  authToken: z.string().min(16, 'is shorter than a Twilio auth token'),
  /** A Twilio-compatible endpoint instead of *.twilio.com (a compatible carrier, a proxy, the simulator). */
  apiBaseUrl: z.url().optional(),
});

export type TwilioCredentials = z.infer<typeof twilioCredentials>;
