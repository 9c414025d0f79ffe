/**
 * The official Text-to-Speech client in REST mode (`fallback: true`), optionally pointed at
 * a compatible endpoint. REST rather than gRPC everywhere, so the simulator and real Google
 * go through the same SDK code, and so the request timeout below applies: the SDK's own
 * per-call `timeout` is not enforced in REST mode, the auth client's transporter's is.
 *
 * In REST mode the client sends `POST {protocol}://{apiEndpoint}:{port}/v1/text:synthesize
 * ?$alt=json;enum-encoding=int` with a proto3-JSON body (enums as numbers) and the auth
 * client's `Authorization: Bearer …`.
 */
import { TextToSpeechClient } from '@google-cloud/text-to-speech';
import { JWT, OAuth2Client } from 'google-auth-library';
import type { GoogleTtsCredentials } from './schemas.ts';

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

export function ttsClient(credentials: GoogleTtsCredentials, options: { timeoutMs: number }): TextToSpeechClient {
  const transporterOptions = { timeout: options.timeoutMs };
  let authClient: OAuth2Client;
  if (credentials.serviceAccount) {
    // The TTS client sets useJWTAccessWithScope, so this signs its own JWT bearer token
    // locally instead of exchanging it at oauth2.googleapis.com: no token round trip.
    authClient = new JWT({
      email: credentials.serviceAccount.client_email,
      key: credentials.serviceAccount.private_key,
      scopes: [CLOUD_PLATFORM],
      transporterOptions,
    });
  } else {
    authClient = new OAuth2Client({ transporterOptions });
    authClient.setCredentials({ access_token: credentials.accessToken });
  }
  const base = credentials.apiBaseUrl ? new URL(credentials.apiBaseUrl) : undefined;
  const protocol = base?.protocol === 'http:' ? 'http' : 'https';
  return new TextToSpeechClient({
    fallback: true,
    authClient,
    ...(base ? { apiEndpoint: base.hostname, port: Number(base.port) || (protocol === 'http' ? 80 : 443), protocol } : {}),
  });
}
