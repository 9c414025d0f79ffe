// The app's side of a store, as Shopify runs it: installing through OAuth (authorization code
// grant), the session tokens App Bridge hands an embedded app, the store's Flow running an
// app's action, and uninstalling.
// - Authorize: GET /admin/oauth/authorize?client_id&scope&redirect_uri&state&grant_options[]
//   → 302 to redirect_uri with code, hmac, host, shop, state, timestamp; hmac is the hex
//   HMAC-SHA256 (app secret) of the other parameters sorted by name, as `k=v` joined with `&`.
//   https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant
// - Token: POST /admin/oauth/access_token {client_id, client_secret, code} → {access_token, scope};
//   a code is good once, for a short while.
// - Session token: an HS256 JWT signed with the app secret: iss https://{shop}/admin, dest
//   https://{shop}, aud the client id, sub the staff user, exp one minute on, nbf, iat, jti, sid.
//   https://shopify.dev/docs/apps/build/authentication-authorization/session-tokens
// - Flow action: POST runtime_url {shop_id, shopify_domain, action_run_id, action_definition_id,
//   handle, properties}, X-Shopify-Hmac-SHA256 = base64 HMAC-SHA256 (app secret) of the raw body.
//   https://shopify.dev/docs/apps/build/flow/actions/endpoints
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface OAuthConfig {
  shop: string;
  shopId: number;
  /** The app's client id (API key). */
  apiKey: string;
  apiSecret: string;
  now: () => Date;
}

export interface Grant {
  code: string;
  scope: string;
  redirectUri: string;
  issuedAt: number;
  used: boolean;
}

export interface SessionTokenOptions {
  /** The staff member using the embedded app (default 42). */
  sub?: string;
  /** Seconds from now until it expires (default 60, Shopify's lifetime); negative for a token already expired. */
  expiresIn?: number;
  /** Sign with this instead of the app's secret (a forgery). */
  secret?: string;
  /** Another audience (another app's client id). */
  aud?: string;
  /** Another shop in dest/iss. */
  shop?: string;
}

const CODE_TTL_MS = 10 * 60_000;
const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** The `hmac` of an OAuth redirect's parameters, as Shopify computes it. */
export function oauthHmac(secret: string, params: Record<string, string>): string {
  const message = Object.keys(params)
    .filter((k) => k !== 'hmac' && k !== 'signature')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  return createHmac('sha256', secret).update(message).digest('hex');
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export class OAuthServer {
  readonly grants: Grant[] = [];
  /** Tokens issued to the app and still alive (an uninstall revokes them). */
  readonly tokens = new Set<string>();
  /** Scopes the app was last granted. */
  scope = '';

  constructor(private readonly config: OAuthConfig) {}

  /** The host parameter: base64 of the shop's admin address. */
  host(): string {
    return Buffer.from(`admin.shopify.com/store/${this.config.shop.split('.')[0]}`)
      .toString('base64')
      .replace(/=+$/, '');
  }

  /** Handles the OAuth paths; false for any other. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL, body: () => Promise<string>): Promise<boolean> {
    if (url.pathname === '/admin/oauth/authorize' && req.method === 'GET') {
      this.authorize(url, res);
      return true;
    }
    if (url.pathname === '/admin/oauth/access_token' && req.method === 'POST') {
      this.accessToken(req, await body(), res);
      return true;
    }
    return false;
  }

  private authorize(url: URL, res: ServerResponse) {
    const q = url.searchParams;
    const redirectUri = q.get('redirect_uri') ?? '';
    if (q.get('client_id') !== this.config.apiKey) return text(res, 400, 'Oops, something went wrong: the app (client_id) is unknown.');
    if (!/^https?:\/\//.test(redirectUri)) return text(res, 400, 'Oops, something went wrong: redirect_uri is missing or invalid.');
    // The merchant approves the scopes on Shopify's consent screen; here, at once.
    const grant: Grant = { code: randomBytes(16).toString('hex'), scope: q.get('scope') ?? '', redirectUri, issuedAt: Date.now(), used: false };
    this.grants.push(grant);
    const params: Record<string, string> = {
      code: grant.code,
      host: this.host(),
      shop: this.config.shop,
      state: q.get('state') ?? '',
      timestamp: String(Math.floor(this.config.now().getTime() / 1000)),
    };
    params.hmac = oauthHmac(this.config.apiSecret, params);
    const to = new URL(redirectUri);
    for (const [k, v] of Object.entries(params)) to.searchParams.set(k, v);
    res.writeHead(302, { location: to.toString() }).end();
  }

  private accessToken(req: IncomingMessage, raw: string, res: ServerResponse) {
    let body: Record<string, unknown> = {};
    try {
      body = /json/.test(req.headers['content-type'] ?? '') ? (JSON.parse(raw) as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(raw));
    } catch {
      return json(res, 400, { error: 'invalid_request', error_description: 'the body is not JSON' });
    }
    if (body.client_id !== this.config.apiKey || typeof body.client_secret !== 'string' || !same(body.client_secret, this.config.apiSecret)) {
      return json(res, 400, { error: 'invalid_client', error_description: 'Client credentials are invalid' });
    }
    const grant = this.grants.find((g) => g.code === body.code);
    if (!grant || grant.used || Date.now() - grant.issuedAt > CODE_TTL_MS) {
      return json(res, 400, { error: 'invalid_request', error_description: 'The authorization code was not found or was already used' });
    }
    grant.used = true;
    const token = `shpat_${randomBytes(16).toString('hex')}`;
    this.tokens.add(token);
    this.scope = grant.scope;
    json(res, 200, { access_token: token, scope: grant.scope });
  }

  /** A session token as App Bridge's `shopify.idToken()` returns it. */
  sessionToken(options: SessionTokenOptions = {}): string {
    const shop = options.shop ?? this.config.shop;
    const now = Math.floor(this.config.now().getTime() / 1000);
    const expiresIn = options.expiresIn ?? 60;
    const header = { alg: 'HS256', typ: 'JWT' };
    const claims = {
      iss: `https://${shop}/admin`,
      dest: `https://${shop}`,
      aud: options.aud ?? this.config.apiKey,
      sub: options.sub ?? '42',
      exp: now + expiresIn,
      // A token lives a minute: an expired one was issued a minute before it expired.
      nbf: Math.min(now, now + expiresIn - 60),
      iat: Math.min(now, now + expiresIn - 60),
      jti: randomUUID(),
      sid: randomBytes(16).toString('hex'),
    };
    const signing = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = createHmac('sha256', options.secret ?? this.config.apiSecret)
      .update(signing)
      .digest('base64url');
    return `${signing}.${signature}`;
  }

  /** The store's Flow runs the app's action: the signed POST to its runtime URL. */
  async runFlowAction(input: {
    url: string;
    handle: string;
    title: string;
    properties: Record<string, unknown>;
    secret?: string;
    actionRunId?: string;
  }): Promise<{ status: number; body: string; actionRunId: string }> {
    // Flow repeats a run it got no answer to with the same id.
    const actionRunId = input.actionRunId ?? randomUUID();
    const body = JSON.stringify({
      shop_id: String(this.config.shopId),
      shopify_domain: this.config.shop,
      action_run_id: actionRunId,
      action_definition_id: input.title,
      handle: input.handle,
      properties: input.properties,
    });
    const hmac = createHmac('sha256', input.secret ?? this.config.apiSecret)
      .update(body)
      .digest('base64');
    // Flow waits 10 s for an answer before it counts the request as failed.
    const res = await fetch(input.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-hmac-sha256': hmac },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, body: await res.text(), actionRunId };
  }
}

function json(res: ServerResponse, status: number, value: unknown) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
}

function text(res: ServerResponse, status: number, value: string) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(value);
}
