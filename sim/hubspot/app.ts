// A public app's side of HubSpot: the OAuth 2.0 install (a user consents on the authorize
// page → a single-use code on the app's redirect URL → POST /oauth/v1/token exchanges it
// for an access token that expires and a refresh token), the token's metadata
// (GET /oauth/v1/access-tokens/{token}), and the callbacks API that completes workflow
// actions the app blocked (POST /automation/v4/actions/callbacks/{callbackId}/complete, and
// the batch form). The token endpoint reads a form body and authenticates by the app's
// client id and secret in it, not by a bearer token.
// https://developers.hubspot.com/docs/api-reference/auth-oauth-v1/tokens/post-oauth-v1-token
// https://developers.hubspot.com/docs/api-reference/legacy/automation/workflow-actions/callbacks/complete-callback
import { randomBytes, randomUUID } from 'node:crypto';
import { HubspotApiError, notFound, validation } from './errors.ts';
import type { Route, SimRequest } from './server.ts';

/** HubSpot's OAuth errors carry their reason in `status` (BAD_AUTH_CODE, BAD_REFRESH_TOKEN…). */
class OAuthError extends HubspotApiError {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(400, 'VALIDATION_ERROR', message);
  }

  override toJSON() {
    return { status: this.reason, message: this.message, correlationId: randomUUID(), category: this.category };
  }
}
const oauthError = (status: string, message: string) => new OAuthError(status, message);

export interface OAuthAppOptions {
  clientId: string;
  clientSecret: string;
  portalId: number;
  appId: number;
  /** Access tokens live this long (HubSpot: 1800 s). */
  tokenLifetimeSeconds: number;
}

export interface CallbackCompletion {
  callbackId: string;
  outputFields: Record<string, string>;
  /** The access token that completed it (which install). */
  token: string;
  at: Date;
}

interface Grant {
  redirectUri: string;
  scopes: string[];
  expiresAt: number;
}

const CODE_LIFETIME_MS = 5 * 60_000;

/** The OAuth and callback state of one portal with the app installed. */
export class OAuthApp {
  /** Live access tokens and when each expires (ms). */
  readonly accessTokens = new Map<string, { expiresAt: number; scopes: string[] }>();
  readonly refreshTokens = new Map<string, string[]>();
  readonly codes = new Map<string, Grant>();
  /** Callbacks a workflow action is waiting on (sent by runWorkflowAction), and the completions. */
  readonly pending = new Set<string>();
  readonly completions: CallbackCompletion[] = [];

  constructor(readonly options: OAuthAppOptions) {}

  /** The user consents on the authorize page: a code for the redirect URL, single-use and short-lived. */
  authorize(query: URLSearchParams): string {
    const clientId = query.get('client_id');
    const redirectUri = query.get('redirect_uri');
    if (clientId !== this.options.clientId) throw validation('Invalid client_id on the authorize URL');
    if (!redirectUri) throw validation('redirect_uri is required');
    const code = randomUUID();
    this.codes.set(code, { redirectUri, scopes: (query.get('scope') ?? '').split(/[ +]/).filter(Boolean), expiresAt: Date.now() + CODE_LIFETIME_MS });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    const state = query.get('state');
    if (state !== null) back.searchParams.set('state', state);
    return back.toString();
  }

  /** Whether `token` is a live access token of this app; an expired one says so (HubSpot's 401 EXPIRED_AUTHENTICATION). */
  accepts(token: string): boolean {
    const t = this.accessTokens.get(token);
    if (!t) return false;
    if (t.expiresAt <= Date.now()) throw new HubspotApiError(401, 'EXPIRED_AUTHENTICATION', 'The OAuth token used to make this call expired.');
    return true;
  }

  /** Every access token expires now (as if 30 minutes passed). */
  expireAccessTokens() {
    for (const t of this.accessTokens.values()) t.expiresAt = Date.now() - 1;
  }

  /** Every refresh token stops working (the user uninstalled the app). */
  revokeRefreshTokens() {
    this.refreshTokens.clear();
  }

  private issue(scopes: string[], refreshToken?: string) {
    const accessToken = `CKX${randomBytes(24).toString('base64url')}`;
    this.accessTokens.set(accessToken, { expiresAt: Date.now() + this.options.tokenLifetimeSeconds * 1000, scopes });
    const refresh = refreshToken ?? `na1-${randomUUID()}`;
    this.refreshTokens.set(refresh, scopes);
    return { token_type: 'bearer', refresh_token: refresh, access_token: accessToken, expires_in: this.options.tokenLifetimeSeconds };
  }

  private token(req: SimRequest) {
    const form = req.body as Record<string, string> | undefined;
    if (!form || typeof form !== 'object') throw oauthError('BAD_GRANT_TYPE', 'missing grant_type');
    if (form.client_id !== this.options.clientId) throw oauthError('BAD_CLIENT_ID', 'missing or invalid client_id');
    if (form.client_secret !== this.options.clientSecret) throw oauthError('BAD_CLIENT_SECRET', 'missing or invalid client_secret');
    if (form.grant_type === 'authorization_code') {
      const grant = form.code ? this.codes.get(form.code) : undefined;
      if (grant) this.codes.delete(form.code!); // single-use, whatever happens next
      if (!grant || grant.expiresAt <= Date.now()) throw oauthError('BAD_AUTH_CODE', 'missing or unknown auth code');
      if (form.redirect_uri !== grant.redirectUri) throw oauthError('BAD_REDIRECT_URI', 'redirect_uri does not match the one the code was issued for');
      return { status: 200, json: this.issue(grant.scopes) };
    }
    if (form.grant_type === 'refresh_token') {
      const scopes = form.refresh_token ? this.refreshTokens.get(form.refresh_token) : undefined;
      if (!scopes) throw oauthError('BAD_REFRESH_TOKEN', 'missing or invalid refresh token');
      return { status: 200, json: this.issue(scopes, form.refresh_token) };
    }
    throw oauthError('BAD_GRANT_TYPE', 'grant_type must be authorization_code or refresh_token');
  }

  private info(req: SimRequest) {
    const token = decodeURIComponent(req.match[1]!);
    const t = this.accessTokens.get(token);
    if (!t || t.expiresAt <= Date.now()) throw notFound('access token not found or expired');
    return {
      status: 200,
      json: {
        token,
        user: 'admin@example.com',
        hub_domain: `portal-${this.options.portalId}.hubspot.com`,
        scopes: t.scopes,
        hub_id: this.options.portalId,
        app_id: this.options.appId,
        expires_in: Math.floor((t.expiresAt - Date.now()) / 1000),
        user_id: 4242,
        token_type: 'access',
      },
    };
  }

  private complete(callbackId: string, body: unknown, token: string) {
    const outputFields = (body as { outputFields?: unknown } | undefined)?.outputFields;
    if (!outputFields || typeof outputFields !== 'object') throw validation('outputFields is required');
    for (const [k, v] of Object.entries(outputFields)) if (typeof v !== 'string') throw validation(`outputFields.${k} must be a string`);
    const state = (outputFields as Record<string, string>).hs_execution_state;
    if (!state || !['SUCCESS', 'FAIL_CONTINUE', 'BLOCK'].includes(state))
      throw validation('outputFields.hs_execution_state must be SUCCESS, FAIL_CONTINUE or BLOCK');
    // A callback no workflow waits on (never sent, already completed, or expired).
    if (!this.pending.has(callbackId)) throw notFound(`No pending callback with id ${callbackId}`);
    if (state !== 'BLOCK') this.pending.delete(callbackId);
    this.completions.push({ callbackId, outputFields: { ...(outputFields as Record<string, string>) }, token, at: new Date() });
  }

  /** Routes answered without a bearer token (the token endpoint authenticates by client secret). */
  publicRoutes(): Route[] {
    return [
      { method: 'POST', pattern: /^\/oauth\/v1\/token$/, handler: (req) => this.token(req) },
      { method: 'GET', pattern: /^\/oauth\/v1\/access-tokens\/([^/]+)$/, handler: (req) => this.info(req) },
    ];
  }

  routes(): Route[] {
    return [
      {
        method: 'POST',
        pattern: /^\/automation\/v4\/actions\/callbacks\/complete$/,
        handler: (req) => {
          const inputs = (req.body as { inputs?: unknown } | undefined)?.inputs;
          if (!Array.isArray(inputs)) throw validation('inputs is required');
          for (const i of inputs as { callbackId?: string }[]) this.complete(String(i.callbackId), i, req.token!);
          return { status: 204 };
        },
      },
      {
        method: 'POST',
        pattern: /^\/automation\/v4\/actions\/callbacks\/([^/]+)\/complete$/,
        handler: (req) => {
          this.complete(decodeURIComponent(req.match[1]!), req.body, req.token!);
          return { status: 204 };
        },
      },
    ];
  }
}
