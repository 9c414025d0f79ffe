import { z } from 'zod';
import type { VendorUrls } from '../vendor-urls.ts';

/**
 * Salesforce's login and API hosts: login/test.salesforce.com, My Domains
 * (acme.my.salesforce.com, acme--uat.sandbox.my.salesforce.com), legacy instances
 * (na1.salesforce.com) and *.force.com. The token goes to each of these fields.
 */
export const salesforceUrls: VendorUrls = {
  vendor: 'Salesforce',
  hosts: ['*.salesforce.com', '*.force.com'],
  fields: ['apiBaseUrl', 'auth.instanceUrl', 'auth.loginUrl'],
};

/**
 * A Salesforce org's credentials: an access token (a session, or from a connected app's
 * flow elsewhere), or a connected app's JWT bearer flow (client id, the integration user,
 * the certificate's private key), which Chaseline turns into tokens itself.
 * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm
 */
const accessTokenAuth = z.object({
  accessToken: z.string().min(10, 'is shorter than a Salesforce access token'),
  /** The org's instance, e.g. https://acme.my.salesforce.com. */
  instanceUrl: z.url(),
});

const jwtAuth = z.object({
  /** The connected app's consumer key. */
  clientId: z.string().min(10, "is shorter than a connected app's consumer key"),
  /** The integration user the tokens act as. */
  username: z.string().min(3),
  /** The PEM private key of the certificate uploaded to the connected app. */
  privateKey: z.string().includes('PRIVATE KEY', { message: 'must be a PEM private key' }),
  /** https://login.salesforce.com, https://test.salesforce.com (sandboxes) or the org's My Domain. */
  loginUrl: z.url().default('https://login.salesforce.com'),
});

/**
 * The org an id names, whichever form it is in: Setup shows the 15-character id, Outbound
 * Messages and the API send the 18-character one, whose first 15 characters are the same id
 * (the last three only make it case-insensitive).
 */
export const salesforceOrgKey = (orgId: string): string => orgId.slice(0, 15);

export const salesforceCredentials = z.object({
  auth: z.union([accessTokenAuth, jwtAuth]),
  /** The org's id (00D…), 15 or 18 characters: inbound Outbound Messages are matched to their tenant by it. */
  orgId: z
    .string()
    .regex(/^00D[0-9A-Za-z]{12}([0-9A-Za-z]{3})?$/, "must be the org's id (00D…)")
    .optional(),
  /** The REST API version, e.g. 62.0. */
  apiVersion: z
    .string()
    .regex(/^\d{2,3}\.0$/, 'must look like 62.0')
    .default('62.0'),
  /**
   * A Salesforce-compatible endpoint instead of the instance's own URL (a proxy, the
   * simulator): every API request goes there.
   */
  apiBaseUrl: z.url().optional(),
  /**
   * The Chaseline package (plugins/salesforce) is installed in the org: chase results are kept
   * in its Contact and Lead fields and announced by its Chaseline_Chase_Ended__e platform event,
   * and call Tasks carry its Activity fields. Off by default, so an org without the package
   * (which would refuse those fields) keeps getting plain Tasks.
   */
  package: z.boolean().default(false),
  /** A shared secret an Outbound Message's endpoint URL carries, checked on every delivery. */
  inboundSecret: z.string().min(16, 'must be at least 16 characters').optional(),
});
export type SalesforceCredentials = z.input<typeof salesforceCredentials>;
