/**
 * Salesforce credentials tried by reading the org's limits (GET /services/data/vXX.X/limits),
 * after the JWT grant when that is the flow: a bad token is INVALID_SESSION_ID, a refused
 * grant says why (the key, the user's pre-authorisation, the login URL).
 */
import type { CredentialCheck } from '../../core/connectors.ts';
import { tryCredentials } from '../check.ts';
import { salesforceCredentials, type SalesforceCredentials } from './schemas.ts';
import { createSession } from './session.ts';

export function checkSalesforceCredentials(credentials: SalesforceCredentials): Promise<CredentialCheck> {
  return tryCredentials('Salesforce', () => createSession(salesforceCredentials.parse(credentials)).run('checking the credentials', (conn) => conn.limits()));
}
