/**
 * The one registry of connectors: id → credentials schema and factory. Adding a vendor is
 * one folder plus one line here; core never switches on a vendor name.
 */
import type { z } from 'zod';
import type { Deps } from '../core/deps.ts';
import { connectorCredentials, recordConnectorError, saveConnector, type CredentialCheck } from '../core/integrations/connectors.ts';
import { AppError, loggable } from '../core/errors.ts';
import type { CrmConnectorFor } from '../core/ports.ts';
import type { CrmConnector, WriteBackTarget } from '../core/ports.ts';
import type { WriteBackTargetFor } from '../core/ports.ts';
import type { TokenBucket } from '../core/common/token-bucket.ts';
import { createTwilioConnector } from './twilio/index.ts';
import { twilioCredentials, twilioUrls } from './twilio/schemas.ts';
import { createGoogleTtsConnector } from './google-tts/index.ts';
import { googleTtsCredentials, googleTtsUrls } from './google-tts/schemas.ts';
import { createShopifyConnector } from './shopify/index.ts';
import { createHubspotConnector } from './hubspot/index.ts';
import { hubspotCredentials, hubspotUrls, type HubspotCredentials } from './hubspot/schemas.ts';
import { shopifyCredentials, shopifyUrls, type ShopifyCredentials } from './shopify/schemas.ts';
import { createSalesforceConnector } from './salesforce/index.ts';
import { salesforceCredentials, salesforceOrgKey, salesforceUrls, type SalesforceCredentials } from './salesforce/schemas.ts';
import { checkVendorUrls, type VendorUrls } from './vendor-urls.ts';
import { checkTwilioCredentials } from './twilio/check.ts';
import { checkGoogleTtsCredentials } from './google-tts/check.ts';
import { checkShopifyCredentials } from './shopify/check.ts';
import { checkHubspotCredentials, setupHubspot } from './hubspot/check.ts';
import { renewHubspotToken } from './hubspot/app/oauth.ts';
import { checkSalesforceCredentials } from './salesforce/check.ts';

export const connectorIds = ['twilio', 'google-tts', 'shopify', 'hubspot', 'salesforce'] as const;
export type ConnectorId = (typeof connectorIds)[number];

export interface ConnectorEntry {
  credentials: z.ZodType;
  /** The vendor's own hosts, and the credential fields holding URLs the tenant's token is sent to. */
  urls: VendorUrls;
  /** The connector pulls contacts (a CRM): it can be synced. */
  syncs?: true;
  /** The vendor account the credentials belong to (a shop's domain), when inbound webhooks must find their tenant by it. */
  account?: (credentials: never) => string;
  /** The connector takes write-backs (it is a WriteBackTarget): CRM activities, opt-outs, tags, notes. */
  writesBack?: true;
  /** Prepares the vendor account for Chaseline after the credentials are saved (HubSpot: the chase-result properties); throws when it could not. */
  setup?: (credentials: never) => Promise<void>;
  /** Renews expiring credentials (an OAuth access token) before the connector is built: the new ones, or null when nothing was due; throws when the vendor refused. */
  renew?: (credentials: never, options?: { force?: boolean }) => Promise<object | null>;
  /** Tries the credentials against the vendor (one cheap authenticated read); never throws. */
  check?: (credentials: never) => Promise<CredentialCheck>;
  // The factory checks its own credentials with the schema before anything else. Connectors
  // the worker builds per tenant (CRMs, stores) take ConnectorOptions.
  create: (credentials: never, options?: never) => unknown;
}

/** What the worker hands every connector it builds. */
export interface ConnectorOptions {
  /** Shared by every worker (Redis when configured), so together they stay under the vendor's limits. */
  limiter?: TokenBucket;
  /** Whose limits they are: the tenant. */
  account?: string;
}

export const connectors = {
  twilio: { credentials: twilioCredentials, urls: twilioUrls, create: createTwilioConnector, check: checkTwilioCredentials },
  'google-tts': { credentials: googleTtsCredentials, urls: googleTtsUrls, create: createGoogleTtsConnector, check: checkGoogleTtsCredentials },
  shopify: {
    credentials: shopifyCredentials,
    urls: shopifyUrls,
    create: createShopifyConnector,
    account: (c: ShopifyCredentials) => c.shop,
    writesBack: true,
    check: checkShopifyCredentials,
  },
  hubspot: {
    credentials: hubspotCredentials,
    urls: hubspotUrls,
    create: createHubspotConnector,
    syncs: true,
    writesBack: true,
    account: (c: HubspotCredentials) => c.portalId ?? '',
    check: checkHubspotCredentials,
    setup: setupHubspot,
    renew: renewHubspotToken,
  },
  salesforce: {
    credentials: salesforceCredentials,
    urls: salesforceUrls,
    create: createSalesforceConnector,
    syncs: true,
    writesBack: true,
    account: (c: SalesforceCredentials) => (c.orgId ? salesforceOrgKey(c.orgId) : ''),
    check: checkSalesforceCredentials,
  },
} satisfies Record<ConnectorId, ConnectorEntry>;

/** A tenant's enabled connector of `type` with the entry's `capability`, built from its stored credentials; null otherwise. */
async function build(deps: Deps, tenantId: string, type: string, capability: 'syncs' | 'writesBack', force = false): Promise<unknown> {
  const entry = (connectors as Record<string, ConnectorEntry>)[type];
  if (!entry?.[capability]) return null;
  let credentials = await connectorCredentials(deps, tenantId, type);
  if (!credentials) return null;
  if (entry.renew) credentials = await renewed(deps, tenantId, type, entry, credentials, force);
  // Again at every use: stored credentials meet the operator's current list of allowed hosts.
  checkVendorUrls(credentials, entry.urls, deps.allowedVendorHosts);
  return entry.create(credentials as never, { ...(deps.lines ? { limiter: deps.lines.cps } : {}), account: tenantId } satisfies ConnectorOptions as never);
}

/**
 * The credentials after the entry renewed what was due, saved (encrypted) for the next use.
 * A refused renewal shows on the connector (GET /v1/connectors: lastError) and is thrown, so
 * the job retries and, in the end, its write-backs go to the dead-letter, never in silence.
 */
async function renewed(deps: Deps, tenantId: string, type: string, entry: ConnectorEntry, credentials: unknown, force: boolean): Promise<unknown> {
  try {
    const fresh = await entry.renew!(credentials as never, { force });
    if (!fresh) return credentials;
    await saveConnector(deps, tenantId, type, fresh, { enabled: true, account: entry.account ? entry.account(fresh as never) : null });
    return fresh;
  } catch (err) {
    await recordConnectorError(deps, tenantId, type, loggable(err).message);
    throw err;
  }
}

/** The worker's way to a tenant's CRM connector: its stored credentials, built by the registry. */
export function crmConnectorFor(deps: Deps): CrmConnectorFor {
  return async (tenantId, type) => (await build(deps, tenantId, type, 'syncs')) as CrmConnector | null;
}

/** The vendor refused the token itself (HTTP 401) before anything was written. */
const tokenRefused = (err: unknown) => err instanceof AppError && err.details?.httpStatus === 401 && !err.details.partial;

/**
 * The worker's way to a tenant's connector as a write-back target (the outbox's sender). A
 * connector whose token the vendor refuses (revoked or expired early) gets it renewed once and
 * the write-back sent again; a second refusal is the outbox's to retry and, in the end, to
 * show in its dead-letter.
 */
export function writeBackTargetFor(deps: Deps): WriteBackTargetFor {
  return async (tenantId, type) => {
    const target = (await build(deps, tenantId, type, 'writesBack')) as WriteBackTarget | null;
    if (!target || !(connectors as Record<string, ConnectorEntry>)[type]?.renew) return target;
    return {
      writeBack: async (items) => {
        try {
          return await target.writeBack(items);
        } catch (err) {
          if (!tokenRefused(err)) throw err;
          const again = (await build(deps, tenantId, type, 'writesBack', true)) as WriteBackTarget | null;
          if (!again) throw err;
          return again.writeBack(items);
        }
      },
    };
  };
}
