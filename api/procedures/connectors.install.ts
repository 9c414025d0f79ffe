/**
 * Installing a vendor's app for the caller's tenant from the vendor's side (OAuth): the link
 * an admin opens to consent in HubSpot, carrying a signed state that names the tenant and
 * expires in ten minutes. HubSpot sends the admin back to /plugins/hubspot/oauth/callback,
 * which saves the tenant's HubSpot connector.
 */
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { checkVendorUrls } from '../../connectors/vendor-urls.ts';
import { hubspotUrls } from '../../connectors/hubspot/schemas.ts';
import { installUrl } from '../../connectors/hubspot/app/oauth.ts';
import { signState } from '../../connectors/hubspot/app/state.ts';
import { defineProcedure } from '../procedure.ts';

export const connectorsHubspotInstall = defineProcedure({
  name: 'connectors.hubspotInstall',
  method: 'get',
  path: '/v1/connectors/hubspot/install',
  summary:
    'The link an admin opens to install Chaseline’s HubSpot app on their HubSpot account for this tenant (valid ten minutes); 404 when the app is not configured (HUBSPOT_CLIENT_ID)',
  tag: 'connectors',
  role: 'admin',
  input: z.object({}),
  output: z
    .object({
      url: z.url().describe('HubSpot’s consent page for the app, with the signed state'),
      expiresAt: z.string().describe('when the link stops working'),
    })
    .meta({ id: 'InstallLink' }),
  handler: async ({ ctx }) => {
    const app = ctx.deps.apps?.hubspot;
    if (!app)
      throw new AppError('NOT_FOUND', 'the HubSpot app is not configured on this Chaseline: set HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET', {
        field: 'type',
      });
    checkVendorUrls({ apiBaseUrl: app.apiBaseUrl }, hubspotUrls, ctx.deps.allowedVendorHosts);
    const { state, expiresAt } = signState(app.clientSecret, ctx.actor.tenantId);
    return { body: { url: installUrl(app, state), expiresAt: expiresAt.toISOString() } };
  },
});
