import { z } from 'zod';
import type { VendorUrls } from '../vendor-urls.ts';

/** HubSpot's API: api.hubapi.com (api-eu1.hubapi.com for EU-hosted accounts). */
export const hubspotUrls: VendorUrls = { vendor: 'HubSpot', hosts: ['api.hubapi.com', '*.hubapi.com'], fields: ['apiBaseUrl'] };

/** A HubSpot private app's (or OAuth) access token and how Chaseline reads the portal. */
export const hubspotCredentials = z.object({
  accessToken: z.string().min(10, 'is shorter than a HubSpot access token'),
  /** A HubSpot-compatible endpoint instead of https://api.hubapi.com (a proxy, the simulator). */
  apiBaseUrl: z.url().optional(),
  /** The contact property holding tags, separated by ';': multiple checkboxes (Chaseline adds the options it writes) or text. */
  tagsProperty: z
    .string()
    .regex(/^[a-z0-9_]+$/, 'must be a property internal name')
    .default('chaseline_tags'),
  /** A boolean contact property meaning "do not call". */
  doNotCallProperty: z
    .string()
    .regex(/^[a-z0-9_]+$/, 'must be a property internal name')
    .default('chaseline_do_not_call'),
  /** A contact property set to 'true' when the contact opts out of texts; without it SMS opt-outs are not written back. */
  smsOptOutProperty: z
    .string()
    .regex(/^[a-z0-9_]+$/, 'must be a property internal name')
    .optional(),
  /** The app's client secret: checks webhook signatures (v3). */
  clientSecret: z.string().min(8).optional(),
  /** The HubSpot account (portal, "Hub ID") the token belongs to: inbound webhooks find their tenant by it. */
  portalId: z.string().regex(/^\d+$/, 'must be the HubSpot account id (digits)').optional(),
  /** Installed through the HubSpot app (OAuth): the refresh token, when the access token runs out (ISO) and the app's client id, so it is renewed before then. */
  refreshToken: z.string().min(10).optional(),
  expiresAt: z.iso.datetime().optional(),
  clientId: z.string().min(1).optional(),
  /** The account's API requests per day (250,000 for a private app; more with the API limit increase). */
  dailyLimit: z.number().int().min(1).default(250_000),
});
export type HubspotCredentials = z.input<typeof hubspotCredentials>;
