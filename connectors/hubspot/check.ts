/**
 * HubSpot credentials tried with the cheapest read Chaseline's work needs: one contact
 * (GET /crm/v3/objects/contacts?limit=1, scope crm.objects.contacts.read). A bad token is
 * HubSpot's 401, a token without the scope its 403 MISSING_SCOPES.
 */
import { Client } from '@hubspot/api-client';
import { AppError } from '../../core/errors.ts';
import type { CredentialCheck } from '../../core/integrations/connectors.ts';
import { tryCredentials } from '../check.ts';
import { hubspotAnswer } from './errors.ts';
import { ensureResultProperties } from './results.ts';
import { hubspotCredentials, type HubspotCredentials } from './schemas.ts';

export function checkHubspotCredentials(credentials: HubspotCredentials): Promise<CredentialCheck> {
  return tryCredentials('HubSpot', async () => {
    const c = hubspotCredentials.parse(credentials);
    const client = new Client({ accessToken: c.accessToken, ...(c.apiBaseUrl ? { basePath: c.apiBaseUrl.replace(/\/$/, '') } : {}) });
    try {
      await client.crm.contacts.basicApi.getPage(1);
    } catch (err) {
      const { status, body } = hubspotAnswer(err);
      if (status === undefined) throw new AppError('UPSTREAM', 'no answer from HubSpot', { cause: err });
      const why = [body?.category, body?.message].filter(Boolean).join(': ');
      throw new AppError(
        'UPSTREAM',
        `${status === 401 || status === 403 ? 'HubSpot refused the credentials' : 'HubSpot answered'} (HTTP ${status}${why ? `, ${why}` : ''})`,
        { cause: err },
      );
    }
  });
}

/** Creates the `chaseline` group and the chase-result contact properties the portal lacks (results.ts). */
export async function setupHubspot(credentials: HubspotCredentials): Promise<void> {
  const c = hubspotCredentials.parse(credentials);
  const client = new Client({ accessToken: c.accessToken, ...(c.apiBaseUrl ? { basePath: c.apiBaseUrl.replace(/\/$/, '') } : {}) });
  await ensureResultProperties(client);
}
