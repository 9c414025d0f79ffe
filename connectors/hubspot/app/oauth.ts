/**
 * Installing Chaseline's HubSpot app on a portal (OAuth 2.0 authorization code grant) and
 * keeping its token alive, with the official client's OAuth APIs:
 * - the admin is sent to HubSpot's consent page with a `state` naming the tenant, signed with
 *   the app's client secret and valid for ten minutes (state.ts);
 * - HubSpot sends them back with a single-use `code`, exchanged for an access token (30 min),
 *   a refresh token and the portal the token belongs to (GET /oauth/v1/access-tokens/{token});
 * - the access token is renewed with the refresh token (grant_type=refresh_token) shortly
 *   before it expires.
 * https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/oauth/working-with-oauth
 * https://developers.hubspot.com/docs/api-reference/auth-oauth-v1/tokens/post-oauth-v1-token
 */
import { Client } from '@hubspot/api-client';
import { AppError } from '../../../core/errors.ts';
import type { VendorApp } from '../../../core/deps.ts';
import { hubspotAnswer } from '../errors.ts';
import { hubspotCredentials, type HubspotCredentials } from '../schemas.ts';

/** What the app asks for (src/app/app-hsmeta.json requiredScopes says the same; a test holds them together). */
export const HUBSPOT_SCOPES = ['oauth', 'crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.schemas.contacts.write', 'automation'];
/** HubSpot's consent page (the install link of the app). */
export const AUTHORIZE_URL = 'https://app.hubspot.com/oauth/authorize';
/** Renewed this long before it runs out, so no request goes out with a token about to die. */
const RENEW_BEFORE_MS = 5 * 60_000;

const clientFor = (apiBaseUrl: string | undefined) => new Client(apiBaseUrl ? { basePath: apiBaseUrl.replace(/\/$/, '') } : {});

/** The consent page an admin opens to install the app for their tenant. */
export function installUrl(app: VendorApp, state: string): string {
  const url = new URL(AUTHORIZE_URL);
  url.searchParams.set('client_id', app.clientId);
  url.searchParams.set('redirect_uri', app.redirectUri);
  url.searchParams.set('scope', HUBSPOT_SCOPES.join(' '));
  url.searchParams.set('state', state);
  return url.toString();
}

function refused(err: unknown, what: string): AppError {
  const { status, body } = hubspotAnswer(err);
  if (status === undefined) return new AppError('UPSTREAM', `${what}: no answer from HubSpot`, { cause: err });
  // OAuth errors name their reason in `status` (BAD_AUTH_CODE, BAD_REFRESH_TOKEN…), the other APIs in `category`.
  const reason = (body as { status?: string } | undefined)?.status;
  const why = [reason && reason !== 'error' ? reason : body?.category, body?.message].filter(Boolean).join(': ');
  // 400 is HubSpot's answer to a bad, used or expired code or refresh token: asking again cannot help.
  return new AppError('UPSTREAM', `${what}: HubSpot answered HTTP ${status}${why ? ` (${why})` : ''}`, {
    cause: err,
    retryable: status >= 500 || status === 429,
  });
}

/** The portal (hub id) and scopes of an access token. */
async function tokenInfo(client: Client, accessToken: string): Promise<{ portalId: string; scopes: string[] }> {
  try {
    const info = await client.oauth.accessTokensApi.get(accessToken);
    return { portalId: String(info.hubId), scopes: info.scopes };
  } catch (err) {
    throw refused(err, 'reading the installed token');
  }
}

/** Exchanges the consent's code for the credentials of the portal's connector. */
export async function exchangeCode(app: VendorApp, code: string, now = Date.now()): Promise<HubspotCredentials & { portalId: string }> {
  const client = clientFor(app.apiBaseUrl);
  let tokens;
  try {
    tokens = await client.oauth.tokensApi.create('authorization_code', code, app.redirectUri, app.clientId, app.clientSecret);
  } catch (err) {
    throw refused(err, 'exchanging the install code');
  }
  const { portalId } = await tokenInfo(client, tokens.accessToken);
  return {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresAt: new Date(now + tokens.expiresIn * 1000).toISOString(),
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    portalId,
    ...(app.apiBaseUrl ? { apiBaseUrl: app.apiBaseUrl } : {}),
  };
}

/**
 * The credentials with a fresh access token when theirs expires within five minutes (or
 * `force`, after HubSpot refused it); null when they need nothing. Credentials of a private
 * app (no refresh token) never expire here. Throws when HubSpot refuses the refresh token.
 */
export async function renewHubspotToken(credentials: HubspotCredentials, options: { now?: number; force?: boolean } = {}): Promise<HubspotCredentials | null> {
  const c = hubspotCredentials.parse(credentials);
  if (!c.refreshToken || !c.clientId || !c.clientSecret) return null;
  const now = options.now ?? Date.now();
  if (!options.force && c.expiresAt && Date.parse(c.expiresAt) - now > RENEW_BEFORE_MS) return null;
  let tokens;
  try {
    tokens = await clientFor(c.apiBaseUrl).oauth.tokensApi.create('refresh_token', undefined, undefined, c.clientId, c.clientSecret, c.refreshToken);
  } catch (err) {
    const e = refused(err, 'renewing the HubSpot access token');
    throw new AppError(e.code, `${e.message}; install the app again (GET /v1/connectors/hubspot/install)`, { cause: err, retryable: e.retryable });
  }
  return {
    ...credentials,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken || c.refreshToken,
    expiresAt: new Date(now + tokens.expiresIn * 1000).toISOString(),
  };
}
