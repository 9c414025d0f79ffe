// HTTP front: Basic auth (AccountSid:AuthToken), form bodies, routing, and Twilio's JSON
// error shape for everything that goes wrong. api.twilio.com and lookups.twilio.com
// are served on one origin; their paths do not overlap.
import { createServer, type Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { notFound, TwilioApiError, unauthenticated } from './errors.ts';
import { readBody, sendJson as send } from '../http.ts';

export type Handler = (req: {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  match: RegExpExecArray;
}) => Promise<{ status: number; json: unknown }> | { status: number; json: unknown };
export interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

function authorised(header: string | undefined, accountSid: string, authToken: string): boolean {
  const m = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!m?.[1]) return false;
  const given = Buffer.from(Buffer.from(m[1], 'base64').toString('utf8'));
  const expected = Buffer.from(`${accountSid}:${authToken}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** An injected failure: answered instead of the route, or — `processed` — after the route ran (a lost response). */
export interface Fault {
  error: TwilioApiError;
  processed: boolean;
}

/** The simulator's own API under /sim/ (no Twilio auth, JSON bodies): see control.ts. */
export type ControlHandler = (method: string, path: string, query: URLSearchParams, body: string) => { status: number; json?: unknown };

export function createSimServer(
  routes: Route[],
  creds: { accountSid: string; authToken: string },
  nextFault: () => Fault | undefined = () => undefined,
  control?: ControlHandler,
): Server {
  return createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://sim');
      try {
        if (control && url.pathname.startsWith('/sim/')) {
          let path: string;
          try {
            path = decodeURIComponent(url.pathname);
          } catch {
            return send(res, 400, { status: 400, message: 'the path is not valid percent-encoding' });
          }
          const out = control(req.method ?? 'GET', path, url.searchParams, await readBody(req));
          return send(res, out.status, out.json ?? null);
        }
        if (!authorised(req.headers.authorization, creds.accountSid, creds.authToken)) {
          res.setHeader('www-authenticate', 'Basic realm="Twilio API"');
          throw unauthenticated();
        }
        const body = await readBody(req);
        const fault = nextFault();
        if (fault && !fault.processed) throw fault.error;
        const contentType = req.headers['content-type'] ?? '';
        if (body && !contentType.startsWith('application/x-www-form-urlencoded')) {
          throw new TwilioApiError(400, 20001, `Expected an application/x-www-form-urlencoded body, got ${contentType || 'none'}`);
        }
        const method = req.method ?? 'GET';
        const path = decodeURIComponent(url.pathname);
        for (const route of routes) {
          const match = route.pattern.exec(path);
          if (match && route.method === method) {
            const out = await route.handler({ method, path, query: url.searchParams, body, match });
            if (fault) throw fault.error;
            return send(res, out.status, out.json);
          }
        }
        throw notFound(url.pathname);
      } catch (err) {
        if (err instanceof TwilioApiError) return send(res, err.status, err.toJSON());
        // A simulator bug must be loud, never a silent success.
        send(res, 500, {
          code: 20500,
          message: `Simulator error: ${err instanceof Error ? err.message : String(err)}`,
          more_info: 'https://www.twilio.com/docs/errors/20500',
          status: 500,
        });
      }
    })();
  });
}
