/**
 * The one registry of connectors: id → credentials schema and factory. Adding a vendor is
 * one folder plus one line here; core never switches on a vendor name.
 */
import type { z } from 'zod';
import { createTwilioConnector } from './twilio/index.ts';
import { twilioCredentials } from './twilio/schemas.ts';
import { createGoogleTtsConnector } from './google-tts/index.ts';
import { googleTtsCredentials } from './google-tts/schemas.ts';
import { createShopifyConnector } from './shopify/index.ts';
import { createHubspotConnector } from './hubspot/index.ts';
import { hubspotCredentials } from './hubspot/schemas.ts';
import { shopifyCredentials, type ShopifyCredentials } from './shopify/schemas.ts';

export const connectorIds = ['twilio', 'google-tts', 'shopify', 'hubspot'] as const;
export type ConnectorId = (typeof connectorIds)[number];

export interface ConnectorEntry {
  credentials: z.ZodType;
  /** The vendor account the credentials belong to (a shop's domain), when inbound webhooks must find their tenant by it. */
  account?: (credentials: never) => string;
  // The factory checks its own credentials with the schema before anything else.
  create: (credentials: never) => unknown;
}

export const connectors = {
  twilio: { credentials: twilioCredentials, create: createTwilioConnector },
  'google-tts': { credentials: googleTtsCredentials, create: createGoogleTtsConnector },
  shopify: { credentials: shopifyCredentials, create: createShopifyConnector, account: (c: ShopifyCredentials) => c.shop },
  hubspot: { credentials: hubspotCredentials, create: createHubspotConnector },
} satisfies Record<ConnectorId, ConnectorEntry>;
