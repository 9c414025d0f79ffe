/**
 * Salesforce credentials tried by reading the org's limits (GET /services/data/vXX.X/limits),
 * after the JWT grant when that is the flow: a bad token is INVALID_SESSION_ID, a refused
 * grant says why (the key, the user's pre-authorisation, the login URL). With `package: true`,
 * one query naming the package's Contact fields says whether the package is there and the
 * integration user may see its fields (INVALID_FIELD otherwise), before any write-back fails.
 */
import type { CredentialCheck } from '../../core/integrations/connectors.ts';
import { tryCredentials } from '../check.ts';
import { PERSON_FIELDS } from './package.ts';
import { salesforceCredentials, type SalesforceCredentials } from './schemas.ts';
import { createSession } from './session.ts';

export function checkSalesforceCredentials(credentials: SalesforceCredentials): Promise<CredentialCheck> {
  const config = salesforceCredentials.parse(credentials);
  return tryCredentials('Salesforce', async () => {
    const session = createSession(config);
    await session.run('checking the credentials', (conn) => conn.limits());
    if (config.package) {
      const soql = `SELECT Id, ${Object.values(PERSON_FIELDS).join(', ')} FROM Contact LIMIT 1`;
      await session.run('checking the Chaseline package (package: true)', (conn) => conn.query(soql) as unknown as PromiseLike<unknown>);
    }
  });
}
