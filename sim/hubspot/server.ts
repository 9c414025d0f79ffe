// HTTP front: an outage injected by failFor() first, then the bearer token, then the rate
// limits, then the route — the order HubSpot's edge applies them (a request refused for
// its token is not counted). Errors travel in HubSpot's JSON shape.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { HubspotApiError, notFound, unauthorized, validation } from './errors.ts';
import type { RateLimiter } from './limits.ts';

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The parsed JSON body (undefined without one). */
  body: unknown;
  match: RegExpExecArray;
  /** The bearer token that authorised it (routes behind auth). */
  token?: string;
}
export type Handler = (req: SimRequest) => { status: number; json?: unknown };
export interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

/** One request as the simulator saw it, for tests to assert on. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  body: unknown;
  status: number;
  at: Date;
}

export interface ServerState {
  tokens: string[];
  limiter: RateLimiter | null;
  /** Until when (ms) every request is answered with `status`. */
  outage: { until: number; status: number } | null;
  log: RecordedRequest[];
  /** Answered before the bearer check (OAuth's token endpoint authenticates by client secret). */
  publicRoutes?: Route[];
  /** Also accepted: the OAuth access tokens of the installed app, until they expire. */
  oauthAccepts?: (token: string) => boolean;
}

function authorised(header: string | undefined, tokens: string[], oauthAccepts?: (token: string) => boolean): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m?.[1]) return null;
  if (oauthAccepts?.(m[1])) return m[1];
  const given = Buffer.from(m[1]);
  return tokens.find((t) => Buffer.from(t).length === given.length && timingSafeEqual(Buffer.from(t), given)) ?? null;
}

function send(res: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}) {
  if (json === undefined) {
    res.writeHead(status, headers);
    return res.end();
  }
  const body = JSON.stringify(json);
  res.writeHead(status, { ...headers, 'content-type': 'application/json;charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

const OUTAGE_MESSAGES: Record<number, string> = {
  500: 'internal error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function createSimServer(routes: Route[], state: ServerState): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://sim');
      const method = req.method ?? 'GET';
      const text = Buffer.concat(chunks).toString('utf8');
      const record: RecordedRequest = { method, path: url.pathname, query: url.search, body: undefined, status: 0, at: new Date() };
      state.log.push(record);
      let headers: Record<string, string> = {};
      try {
        const form = /application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '');
        try {
          record.body = !text ? undefined : form ? Object.fromEntries(new URLSearchParams(text)) : JSON.parse(text);
        } catch {
          record.body = text;
        }
        if (state.outage && Date.now() < state.outage.until) {
          const status = state.outage.status;
          throw new HubspotApiError(status, status === 429 ? 'RATE_LIMITS' : 'INTERNAL_ERROR', OUTAGE_MESSAGES[status] ?? 'injected failure');
        }
        for (const route of state.publicRoutes ?? []) {
          const match = route.pattern.exec(url.pathname);
          if (match && route.method === method) {
            const out = route.handler({ method, path: url.pathname, query: url.searchParams, body: record.body, match });
            record.status = out.status;
            return send(res, out.status, out.json);
          }
        }
        const token = authorised(req.headers.authorization, state.tokens, state.oauthAccepts);
        if (!token) throw unauthorized();
        const isSearch = method === 'POST' && url.pathname.endsWith('/search');
        if (state.limiter) headers = state.limiter.take(token, isSearch);
        if (text && typeof record.body === 'string') throw validation(`Invalid input JSON on line 1: ${text.slice(0, 40)}`);
        for (const route of routes) {
          const match = route.pattern.exec(url.pathname);
          if (match && route.method === method) {
            const out = route.handler({ method, path: url.pathname, query: url.searchParams, body: record.body, match, token });
            record.status = out.status;
            return send(res, out.status, out.json, headers);
          }
        }
        // HubSpot answers an unknown path with a bare 404.
        throw notFound(`${method} ${url.pathname} is not simulated (or does not exist at HubSpot)`);
      } catch (err) {
        if (err instanceof HubspotApiError) {
          record.status = err.status;
          return send(res, err.status, err.toJSON(), { ...headers, ...err.headers });
        }
        // A simulator bug must be loud, never a silent success.
        record.status = 500;
        send(res, 500, {
          status: 'error',
          message: `Simulator error: ${err instanceof Error ? err.stack : String(err)}`,
          category: 'INTERNAL_ERROR',
          correlationId: crypto.randomUUID(),
        });
      }
    });
  });
}
