// startGoogleTtsSim(): a local stand-in for Cloud Text-to-Speech's REST endpoint
// `POST /v1/text:synthesize`, the one the official Node client calls in REST (fallback)
// mode: JSON body (proto3 JSON, enums as numbers: the client adds
// `?$alt=json;enum-encoding=int`), `Authorization: Bearer <token>`, and Google's error
// shape `{ error: { code, message, status } }`.
import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { durationMs, synthesizeSilence } from './audio.ts';
import { checkSynthesize, spokenText, type SynthesisRequest } from './validate.ts';
import { listVoices } from './voices.ts';
import { listen } from '../listen.ts';

export type { SynthesisRequest } from './validate.ts';
export { audioEncodings, type AudioEncoding } from './audio.ts';

export interface GoogleTtsSimOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Bearer tokens accepted as OAuth access tokens. Default: `['sim-access-token']`. */
  accessTokens?: string[];
  /**
   * Service accounts (client_email → PEM public key) whose self-signed JWTs are accepted as
   * bearer tokens — what google-auth-library's JWT client sends when the TTS client sets
   * `useJWTAccessWithScope`: RS256, `iss` = the account, a `scope` or `aud`, not expired.
   */
  serviceAccounts?: Record<string, string>;
  /** Bodies above this many bytes are refused with 413, like Google's front end. Default 1 MiB. */
  maxBodyBytes?: number;
}

export interface RecordedSynthesis {
  /** Path and query as received. */
  url: string;
  /** The body as parsed JSON (undefined when it was not JSON). */
  body: unknown;
  /** The checked request when it was valid. */
  request?: SynthesisRequest;
  /** Status the simulator answered with. */
  status: number;
  /** `token` (an access token) or the service account's email. */
  principal: string | null;
  at: Date;
}

export interface GoogleTtsSim {
  /** http://127.0.0.1:port — stands for https://texttospeech.googleapis.com. */
  url: string;
  port: number;
  host: string;
  /** The first accepted access token. */
  accessToken: string;
  /** Every request to text:synthesize, in order (a snapshot), failed ones included. */
  requests(): RecordedSynthesis[];
  /** The next `count` (default 1) authenticated synthesize requests are answered with `status`. */
  failNext(status: number, count?: number): void;
  close(): Promise<void>;
}

/** google.rpc.Code names for the HTTP statuses Google maps them to (https://cloud.google.com/apis/design/errors). */
const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const FAULT_MESSAGES: Record<number, string> = {
  429: "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute' of service 'texttospeech.googleapis.com'.",
  500: 'Internal error encountered.',
  503: 'The service is currently unavailable.',
  504: 'The request timed out.',
};

function sendError(res: ServerResponse, code: number, message: string): void {
  const body = JSON.stringify({ error: { code, message, status: STATUS_NAMES[code] ?? 'UNKNOWN' } }, null, 2);
  if (code === 401) res.setHeader('www-authenticate', 'Bearer realm="https://accounts.google.com/"');
  res.writeHead(code, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Checks a self-signed service-account JWT; returns the account's email, or null. */
function serviceAccountOf(token: string, keys: Map<string, KeyObject>): string | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as { alg?: string };
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { iss?: string; exp?: number; scope?: string; aud?: string };
    const key = claims.iss ? keys.get(claims.iss) : undefined;
    if (header.alg !== 'RS256' || !key || !(claims.scope || claims.aud)) return null;
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return null;
    const signed = verifySignature('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2]!, 'base64url'));
    return signed ? claims.iss! : null;
  } catch {
    return null;
  }
}

export async function startGoogleTtsSim(options: GoogleTtsSimOptions = {}): Promise<GoogleTtsSim> {
  const host = options.host ?? '127.0.0.1';
  const tokens = options.accessTokens?.length ? options.accessTokens : ['sim-access-token'];
  const keys = new Map(Object.entries(options.serviceAccounts ?? {}).map(([email, pem]) => [email, createPublicKey(pem)]));
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const recorded: RecordedSynthesis[] = [];
  const faults: number[] = [];

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://sim');
      const voices = url.pathname === '/v1/voices';
      if (url.pathname !== '/v1/text:synthesize' && !voices) {
        req.resume();
        return sendError(res, 404, `The requested URL ${url.pathname} was not found on this server.`);
      }
      // Synthesis requests only: requests() is what was asked to speak.
      const record = (status: number, body: unknown, principal: string | null, request?: SynthesisRequest) => {
        if (!voices) recorded.push({ url: req.url ?? '', body, status, principal, at: new Date(), ...(request ? { request } : {}) });
      };

      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const principal = !bearer ? null : tokens.includes(bearer) ? 'token' : serviceAccountOf(bearer, keys);
      if (!principal) {
        req.resume();
        record(401, undefined, null);
        return sendError(
          res,
          401,
          'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
        );
      }
      if (voices && req.method === 'GET') {
        req.resume();
        const json = JSON.stringify(listVoices(url.searchParams.get('languageCode'), /enum-encoding=int/.test(url.searchParams.get('$alt') ?? '')));
        res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(json) });
        return res.end(json);
      }
      if (req.method !== 'POST' || voices) {
        req.resume();
        if (voices) return sendError(res, 404, `The requested URL ${url.pathname} was not found on this server.`);
        record(404, undefined, principal);
        return sendError(res, 404, `The requested URL ${url.pathname} was not found on this server.`);
      }
      const raw = await readBody(req, maxBody);
      if (!raw) {
        record(413, undefined, principal);
        return sendError(res, 413, 'Request payload size exceeds the limit.');
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        record(400, undefined, principal);
        return sendError(res, 400, 'Invalid JSON payload received. Unexpected token.');
      }
      const fault = faults.shift();
      if (fault) {
        record(fault, body, principal);
        return sendError(res, fault, FAULT_MESSAGES[fault] ?? `Simulated failure (HTTP ${fault}).`);
      }
      const checked = checkSynthesize(body);
      if (!checked.ok) {
        record(400, body, principal);
        return sendError(res, 400, checked.message);
      }
      const { request } = checked;
      const audio = synthesizeSilence(request.audioEncoding, durationMs(spokenText(request), request.speakingRate), request.sampleRateHertz);
      record(200, body, principal, request);
      const json = JSON.stringify({ audioContent: audio.toString('base64') });
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(json) });
      res.end(json);
    })().catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, `Simulator error: ${err instanceof Error ? err.message : String(err)}`);
      else res.destroy();
    });
  });

  const { port } = await listen(server, options.port ?? 0, host);

  return {
    url: `http://${host}:${port}`,
    port,
    host,
    accessToken: tokens[0]!,
    requests: () => recorded.map((r) => ({ ...r })),
    failNext: (status, count = 1) => {
      for (let i = 0; i < count; i++) faults.push(status);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
