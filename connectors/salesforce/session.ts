/**
 * A session with the org on @salesforce/core: the access token given, or one from the JWT
 * bearer flow (shared by the process's connectors for the same app, user and key), reused
 * until Salesforce answers INVALID_SESSION_ID, then obtained again once.
 * The assertion is signed here (RS256, node:crypto): @salesforce/core's own JWT flow reads the
 * key from a file, picks the audience itself and makes extra calls to describe the org.
 * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm
 */
import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { AuthInfo, Connection } from '@salesforce/core';
import type { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { sessionExpired, upstream } from './errors.ts';
import type { salesforceCredentials } from './schemas.ts';

type Config = z.output<typeof salesforceCredentials>;
type JwtAuth = Extract<Config['auth'], { clientId: string }>;

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Salesforce takes an assertion that expires within 3 minutes. */
const ASSERTION_SECONDS = 180;
const TOKEN_TIMEOUT_MS = 30_000;

/** Why Salesforce refuses a JWT grant, in words an admin can act on. */
const GRANT_HINTS: Record<string, string> = {
  'invalid assertion': "the private key does not match the connected app's certificate",
  'audience is invalid': 'the loginUrl is not the one the org accepts (login.salesforce.com, test.salesforce.com for sandboxes)',
  "user hasn't approved this consumer": "the user is not pre-authorised for the connected app (its policies or the user's profile)",
  'client identifier invalid': "the clientId is not the connected app's consumer key",
  'expired authorization code': "this server's clock is off",
};

export interface Session {
  /** Runs `fn` on the org's connection; after INVALID_SESSION_ID a JWT session is renewed and `fn` runs once more. Errors come out as AppErrors. */
  run<T>(what: string, fn: (conn: Connection) => PromiseLike<T>): Promise<T>;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** The signed JWT bearer assertion: iss the consumer key, sub the user, aud the login URL, exp within 3 minutes. */
function jwtAssertion(auth: Pick<JwtAuth, 'clientId' | 'username' | 'loginUrl'>, key: KeyObject, nowMs = Date.now()): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${part({ alg: 'RS256' })}.${part({ iss: auth.clientId, sub: auth.username, aud: trimSlash(auth.loginUrl), exp: Math.floor(nowMs / 1000) + ASSERTION_SECONDS })}`;
  return `${body}.${sign('sha256', Buffer.from(body), key).toString('base64url')}`;
}

async function jwtToken(auth: JwtAuth, key: KeyObject): Promise<{ accessToken: string; instanceUrl: string }> {
  const what = 'getting a Salesforce session (JWT bearer)';
  let res: Response;
  try {
    res = await fetch(`${trimSlash(auth.loginUrl)}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: JWT_BEARER, assertion: jwtAssertion(auth, key) }),
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
  } catch (err) {
    throw new AppError('UPSTREAM', `${what}: no answer from ${new URL(auth.loginUrl).host}`, { cause: err, retryable: true });
  }
  const body = (await res.json().catch(() => ({}))) as { access_token?: unknown; instance_url?: unknown; error?: unknown; error_description?: unknown };
  if (res.ok && typeof body.access_token === 'string' && typeof body.instance_url === 'string')
    return { accessToken: body.access_token, instanceUrl: body.instance_url };
  const details = { httpStatus: res.status, ...(typeof body.error === 'string' ? { error: body.error } : {}) };
  if (res.status >= 500 || res.status === 429)
    throw new AppError(res.status === 429 ? 'RATE_LIMITED' : 'UPSTREAM', `${what}: HTTP ${res.status}`, { retryable: true, details });
  const description = typeof body.error_description === 'string' ? body.error_description : '';
  const hint = GRANT_HINTS[description];
  throw new AppError(
    'UPSTREAM',
    `${what}: Salesforce refused the grant: ${String(body.error ?? `HTTP ${res.status}`)}${description ? ` (${description})` : ''}${hint ? `: ${hint}` : ''}`,
    {
      retryable: false,
      details,
    },
  );
}

/** A connection on a token, with no network at creation (the token is the AuthInfo's username, as an access token may be). */
async function connect(accessToken: string, instanceUrl: string, version: string): Promise<Connection> {
  const authInfo = await AuthInfo.create({ username: accessToken, accessTokenOptions: { accessToken, instanceUrl: trimSlash(instanceUrl) } });
  return Connection.create({ authInfo, connectionOptions: { version } });
}

type Token = { accessToken: string; instanceUrl: string };
/**
 * Sessions from JWT grants, shared by this process's connectors: a job builds its connector
 * afresh, the session (two hours by default) outlives it. Keyed by the key too, so a new key
 * gets its own grant.
 */
const grants = new Map<string, Promise<Token>>();

export function createSession(config: Config): Session {
  const auth = config.auth;
  let jwt: { auth: JwtAuth; key: KeyObject; grant: string } | undefined;
  if ('privateKey' in auth) {
    try {
      jwt = {
        auth,
        key: createPrivateKey(auth.privateKey),
        grant: createHash('sha256').update([auth.loginUrl, auth.clientId, auth.username, auth.privateKey].join('\n')).digest('hex'),
      };
    } catch (err) {
      throw new AppError('VALIDATION', 'the private key is not a readable PEM private key', { field: 'auth.privateKey', cause: err });
    }
  }

  const token = (): Promise<Token> => {
    if (!jwt) return Promise.resolve(auth as Token);
    const { grant } = jwt;
    let granted = grants.get(grant);
    if (!granted) {
      const asked = jwtToken(jwt.auth, jwt.key);
      // A refused or failed grant is not kept: the next call asks again.
      asked.catch(() => grants.get(grant) === asked && grants.delete(grant));
      grants.set(grant, (granted = asked));
    }
    return granted;
  };
  /** Forgets the session that ended, unless another caller has renewed it already. */
  const renew = async (ended: string) => {
    const granted = jwt && grants.get(jwt.grant);
    if (granted && (await granted.catch(() => null))?.accessToken === ended) grants.delete(jwt!.grant);
  };
  let current: { accessToken: string; conn: Promise<Connection> } | undefined;
  const connection = async (): Promise<Connection> => {
    const t = await token();
    // With apiBaseUrl every API request goes there instead of the instance.
    if (current?.accessToken !== t.accessToken) {
      const made = { accessToken: t.accessToken, conn: connect(t.accessToken, config.apiBaseUrl ?? t.instanceUrl, config.apiVersion) };
      made.conn.catch(() => current === made && (current = undefined));
      current = made;
    }
    return current.conn;
  };

  return {
    async run(what, fn) {
      let conn: Connection | undefined;
      try {
        conn = await connection();
        return await fn(conn);
      } catch (err) {
        if (!jwt || !conn || !sessionExpired(err)) throw upstream(err, what);
        // The session ended (timeout, revocation): one new grant, one more try.
        await renew(conn.accessToken ?? '');
      }
      try {
        return await fn(await connection());
      } catch (err) {
        throw upstream(err, what);
      }
    },
  };
}
