/**
 * Google Text-to-Speech credentials tried by listing the voices of one language (voices.list):
 * a bad token or a key the project does not know is Google's 401/403.
 */
import { AppError } from '../../core/errors.ts';
import type { CredentialCheck } from '../../core/integrations/connectors.ts';
import { tryCredentials } from '../check.ts';
import { ttsClient } from './client.ts';
import { GRPC_TO_HTTP } from './index.ts';
import { googleTtsCredentials, type GoogleTtsCredentials } from './schemas.ts';

export function checkGoogleTtsCredentials(credentials: GoogleTtsCredentials): Promise<CredentialCheck> {
  return tryCredentials('Google', async (timeoutMs) => {
    const client = ttsClient(googleTtsCredentials.parse(credentials), { timeoutMs });
    try {
      await client.listVoices({ languageCode: 'en-US' }, { retry: null });
    } catch (err) {
      // An HTTP error in REST mode, or an error the SDK raised with a gRPC code.
      const e = err as { status?: unknown; code?: unknown };
      const status = typeof e.status === 'number' ? e.status : typeof e.code === 'number' ? GRPC_TO_HTTP[e.code] : undefined;
      if (status === undefined) throw new AppError('UPSTREAM', `no answer from Google (${String(e.code ?? 'unknown')})`, { cause: err });
      throw new AppError('UPSTREAM', `${status === 401 || status === 403 ? 'Google refused the credentials' : 'Google answered'} (HTTP ${status})`, {
        cause: err,
      });
    } finally {
      await client.close();
    }
  });
}
