// The OAuth 2.0 token endpoint (POST /services/oauth2/token) for the JWT bearer flow: the
// assertion's RS256 signature is checked against the certificate (or public key) of a
// registered connected app, then aud, exp and sub, and the answer is Salesforce's: an access
// token with the instance URL, or 400 { error, error_description } — invalid_grant "invalid
// assertion", "audience is invalid", "expired authorization code", "user hasn't approved this
// consumer"; invalid_client_id for an unknown consumer key. exp is checked on real time (a
// token's life is the network's, not the org clock's); like Salesforce, a far-off exp passes.
// https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm
import { createPublicKey, verify, X509Certificate, type KeyObject } from 'node:crypto';
import type { SfResponse } from './server.ts';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Audiences a production org's token endpoint accepts besides its own URL. */
const LOGIN_AUDIENCES = ['https://login.salesforce.com'];

export interface ConnectedApp {
  /** The consumer key (the JWT's iss). */
  clientId: string;
  /** The PEM certificate (or public key) uploaded to the app. */
  certificate: string;
  /** Users pre-authorised for the app (the JWT's sub). */
  usernames: string[];
}

interface App {
  key: KeyObject;
  usernames: Set<string>;
}

const refuse = (error: string, description: string): SfResponse => ({ status: 400, json: { error, error_description: description } });

function decode(part: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function tokenEndpoint(org: { url: () => string; orgId: string; userId: string; issue: () => string }) {
  const apps = new Map<string, App>();

  const register = (app: ConnectedApp) => {
    const key = app.certificate.includes('CERTIFICATE') ? new X509Certificate(app.certificate).publicKey : createPublicKey(app.certificate);
    apps.set(app.clientId, { key, usernames: new Set(app.usernames) });
  };

  const handle = (raw: string): SfResponse => {
    const form = new URLSearchParams(raw);
    if (form.get('grant_type') !== JWT_BEARER) return refuse('unsupported_grant_type', 'grant type not supported');
    const [header, payload, signature] = (form.get('assertion') ?? '').split('.');
    const head = decode(header);
    const claims = decode(payload);
    if (!head || !claims || signature === undefined || head.alg !== 'RS256') return refuse('invalid_grant', 'invalid assertion');
    const app = typeof claims.iss === 'string' ? apps.get(claims.iss) : undefined;
    if (!app) return refuse('invalid_client_id', 'client identifier invalid');
    if (!verify('sha256', Buffer.from(`${header}.${payload}`), app.key, Buffer.from(signature, 'base64url')))
      return refuse('invalid_grant', 'invalid assertion');
    const own = org.url();
    if (typeof claims.aud !== 'string' || ![own, ...LOGIN_AUDIENCES].includes(claims.aud.replace(/\/$/, '')))
      return refuse('invalid_grant', 'audience is invalid');
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) return refuse('invalid_grant', 'expired authorization code');
    if (typeof claims.sub !== 'string' || !app.usernames.has(claims.sub)) return refuse('invalid_grant', "user hasn't approved this consumer");
    return {
      status: 200,
      json: { access_token: org.issue(), scope: 'api', instance_url: own, id: `${own}/id/${org.orgId}/${org.userId}`, token_type: 'Bearer' },
    };
  };

  return { register, handle };
}
