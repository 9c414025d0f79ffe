/**
 * Twilio credentials tried by fetching their own account (GET /2010-04-01/Accounts/{Sid}.json):
 * a wrong SID or token is Twilio's 401 (20003), a suspended or closed account is not `active`.
 * https://www.twilio.com/docs/iam/api/account#fetch-an-account-resource
 */
import { AppError } from '../../core/errors.ts';
import type { CredentialCheck } from '../../core/integrations/connectors.ts';
import { tryCredentials } from '../check.ts';
import { twilioClient } from './client.ts';
import { twilioCredentials, type TwilioCredentials } from './schemas.ts';

export function checkTwilioCredentials(credentials: TwilioCredentials): Promise<CredentialCheck> {
  return tryCredentials('Twilio', async (timeoutMs) => {
    const { accountSid, authToken, apiBaseUrl } = twilioCredentials.parse(credentials);
    let account: { status: string };
    try {
      account = await twilioClient(accountSid, authToken, { apiBaseUrl, timeoutMs }).api.v2010.accounts(accountSid).fetch();
    } catch (err) {
      const e = err as { status?: unknown; code?: unknown; message?: unknown };
      if (typeof e.status !== 'number') throw new AppError('UPSTREAM', `no answer from Twilio (${String(e.code ?? e.message ?? 'unknown')})`, { cause: err });
      const vendor = typeof e.code === 'number' ? `, error ${e.code}${typeof e.message === 'string' && e.message ? `: ${e.message}` : ''}` : '';
      const refused = e.status === 401 || e.status === 403 || e.status === 404;
      throw new AppError('UPSTREAM', `${refused ? 'Twilio refused the credentials' : 'Twilio answered'} (HTTP ${e.status}${vendor})`, { cause: err });
    }
    if (account.status !== 'active') throw new AppError('UPSTREAM', `Twilio accepted the credentials but the account is ${account.status}`);
  });
}
