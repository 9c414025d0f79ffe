/**
 * The one registry of connectors: id → credentials schema and factory. Adding a vendor is
 * one folder plus one line here; core never switches on a vendor name.
 */
import type { z } from 'zod';
import type { Deps } from '../core/deps.ts';
import { connectorCredentials } from '../core/connectors.ts';
import type { CrmConnectorFor } from '../core/crm.sync.ts';
import type { CrmConnector } from '../core/ports.ts';
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
  /** The connector pulls contacts (a CRM): it can be synced. */
  syncs?: true;
  /** The vendor account the credentials belong to (a shop's domain), when inbound webhooks must find their tenant by it. */
  account?: (credentials: never) => string;
  // The factory checks its own credentials with the schema before anything else.
  create: (credentials: never) => unknown;
}

export const connectors = {
  twilio: { credentials: twilioCredentials, create: createTwilioConnector },
  'google-tts': { credentials: googleTtsCredentials, create: createGoogleTtsConnector },
  shopify: { credentials: shopifyCredentials, create: createShopifyConnector, account: (c: ShopifyCredentials) => c.shop },
  hubspot: { credentials: hubspotCredentials, create: createHubspotConnector, syncs: true },
} satisfies Record<ConnectorId, ConnectorEntry>;

/** The worker's way to a tenant's CRM connector: its stored credentials, built by the registry. */
export function crmConnectorFor(deps: Deps): CrmConnectorFor {
  return async (tenantId, type) => {
    const entry = (connectors as Record<string, ConnectorEntry>)[type];
    if (!entry?.syncs) return null;
    const credentials = await connectorCredentials(deps, tenantId, type);
    return credentials ? (entry.create(credentials as never) as CrmConnector) : null;
  };
}
