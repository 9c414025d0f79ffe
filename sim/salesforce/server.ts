// HTTP front of the org: the version root, Bearer auth, injected outages, the rolling
// 24-hour API request allowance (with Sforce-Limit-Info on every counted answer), JSON
// bodies, routing, and Salesforce's JSON error array for everything that goes wrong.
import { createServer, type Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { invalidSession, notFound, SfError } from './errors.ts';
import { readBody } from '../http.ts';

export interface SfRequest {
  method: string;
  /** The path below /services/data/vXX.X, e.g. /sobjects/Contact/003… */
  path: string;
  version: string;
  query: URLSearchParams;
  body: unknown;
  match: RegExpExecArray;
}
export interface SfResponse {
  status: number;
  json?: unknown;
  /** A non-JSON body (Bulk API CSV) with its content type. */
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}
export interface Route {
  method: string;
  pattern: RegExp;
  handler: (req: SfRequest) => SfResponse | Promise<SfResponse>;
}
export interface LoggedRequest {
  at: number;
  method: string;
  /** Path and query as sent, e.g. /services/data/v62.0/query?q=… */
  url: string;
  body: unknown;
  status: number;
  errorCode?: string;
}
export interface ServerState {
  /** Every access token the org accepts (the default one and those the token endpoint issued). */
  tokens: Set<string>;
  /** POST /services/oauth2/token, given the raw form body. */
  oauth?: (raw: string) => SfResponse;
  versions: string[];
  dailyLimit: number;
  now: () => number;
  /** Times of the counted requests of the last 24 hours, oldest first. */
  usage: number[];
  outage?: { until: number; status: number };
  log: LoggedRequest[];
}

const DAY = 24 * 60 * 60 * 1000;
const OUTAGE_ERRORS: Record<number, [string, string]> = {
  500: ['UNKNOWN_EXCEPTION', 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)'],
  503: ['SERVER_UNAVAILABLE', 'Server is temporarily unavailable. Please try again later.'],
};
// Salesforce release names, for the version list GET /services/data answers.
const RELEASES = ['Spring', 'Summer', 'Winter'];

function authorised(header: string | undefined, tokens: Set<string>): boolean {
  const m = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header ?? '');
  if (!m?.[1]) return false;
  const given = Buffer.from(m[1]);
  let ok = false;
  for (const token of tokens) {
    const expected = Buffer.from(token);
    if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
  }
  return ok;
}

export function versionList(versions: string[]) {
  return versions.map((version) => {
    // v60.0 was Spring '24; three releases a year.
    const n = Number(version) - 60;
    const season = ((n % 3) + 3) % 3;
    // Winter releases are named after the coming year.
    const year = 24 + Math.floor(n / 3) + (season === 2 ? 1 : 0);
    return { label: `${RELEASES[season]} '${year}`, url: `/services/data/v${version}`, version };
  });
}

/** Forgets counted requests older than 24 hours of the org's clock. */
export function pruneUsage(state: ServerState): void {
  const cutoff = state.now() - DAY;
  while (state.usage.length && state.usage[0]! <= cutoff) state.usage.shift();
}

export function createSfServer(routes: Route[], state: ServerState): Server {
  return createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://sim');
      const method = req.method ?? 'GET';
      const entry: LoggedRequest = { at: state.now(), method, url: req.url ?? '/', body: undefined, status: 0 };
      state.log.push(entry);
      const headers: Record<string, string> = {};
      const send = (out: SfResponse) => {
        entry.status = out.status;
        const body = out.text ?? (out.json === undefined ? '' : JSON.stringify(out.json));
        const type = out.text !== undefined ? (out.contentType ?? 'text/plain') : 'application/json;charset=UTF-8';
        res.writeHead(out.status, { ...headers, ...out.headers, ...(body ? { 'content-type': type } : {}), 'content-length': Buffer.byteLength(body) });
        res.end(body);
      };
      try {
        const raw = await readBody(req);
        if (raw) entry.body = raw.startsWith('{') || raw.startsWith('[') ? safeJson(raw) : raw;
        if (/^\/services\/data\/?$/.test(url.pathname) && method === 'GET') return send({ status: 200, json: versionList(state.versions) });
        // The token endpoint takes no session and does not count against the API allowance.
        if (url.pathname === '/services/oauth2/token' && state.oauth) {
          if (method !== 'POST') throw new SfError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are POST`);
          return send(state.oauth(raw));
        }
        const m = /^\/services\/data\/v(\d+\.\d)(\/.*)?$/.exec(url.pathname);
        if (!m) throw notFound();
        if (!authorised(req.headers.authorization, state.tokens)) throw invalidSession();
        const now = state.now();
        // Outages run on real time (they model the network), not on the org's clock.
        if (state.outage && Date.now() < state.outage.until) {
          const [code, message] = OUTAGE_ERRORS[state.outage.status] ?? ['SERVER_UNAVAILABLE', `HTTP ${state.outage.status}`];
          throw new SfError(state.outage.status, code, message);
        }
        pruneUsage(state);
        if (state.usage.length >= state.dailyLimit) {
          headers['sforce-limit-info'] = `api-usage=${state.usage.length}/${state.dailyLimit}`;
          throw new SfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
        }
        state.usage.push(now);
        headers['sforce-limit-info'] = `api-usage=${state.usage.length}/${state.dailyLimit}`;
        const version = m[1]!;
        if (!state.versions.includes(version)) throw notFound();
        let body: unknown = raw || undefined;
        if (raw && /json/i.test(req.headers['content-type'] ?? 'application/json')) {
          body = safeJson(raw);
          if (body === undefined) throw new SfError(400, 'JSON_PARSER_ERROR', 'Unexpected character: was expecting a JSON value');
        }
        const path = m[2] ?? '/';
        let allowed: string[] = [];
        for (const route of routes) {
          const match = route.pattern.exec(path);
          if (!match) continue;
          if (route.method !== method) {
            allowed.push(route.method);
            continue;
          }
          return send(await route.handler({ method, path, version, query: url.searchParams, body, match }));
        }
        if (allowed.length) {
          allowed = [...new Set(allowed)];
          throw new SfError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are ${allowed.join(',')}`);
        }
        throw notFound();
      } catch (err) {
        if (err instanceof SfError) {
          entry.errorCode = err.errorCode;
          return send({ status: err.status, json: err.toJSON() });
        }
        // A simulator bug must be loud, never a silent success.
        entry.errorCode = 'SIMULATOR_ERROR';
        send({
          status: 500,
          json: [{ errorCode: 'UNKNOWN_EXCEPTION', message: `Simulator error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` }],
        });
      }
    })();
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
