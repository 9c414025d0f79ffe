import { z } from 'zod';

/** A HubSpot private app's (or OAuth) access token and how Chaseline reads the portal. */
export const hubspotCredentials = z.object({
  accessToken: z.string().min(10, 'is shorter than a HubSpot access token'),
  /** A HubSpot-compatible endpoint instead of https://api.hubapi.com (a proxy, the simulator). */
  apiBaseUrl: z.url().optional(),
  /** The contact property holding tags, separated by ';' (a multi-checkbox property). */
  tagsProperty: z.string().regex(/^[a-z0-9_]+$/, 'must be a property internal name').default('chaseline_tags'),
  /** A boolean contact property meaning "do not call". */
  doNotCallProperty: z.string().regex(/^[a-z0-9_]+$/, 'must be a property internal name').default('chaseline_do_not_call'),
  /** The app's client secret: checks webhook signatures (v3). */
  clientSecret: z.string().min(8).optional(),
});
export type HubspotCredentials = z.input<typeof hubspotCredentials>;
