// HTTP front: `Authorization: Bearer <API key>`, JSON bodies, routing, and Telnyx's error
// shape for everything that goes wrong. The simulator's own control API (/sim/…) is served on
// the same origin without the API key.
import { createServer, type Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { notFound, TelnyxApiError, unauthenticated } from './errors.ts';
import { readBody, sendJson as send } from '../http.ts';

export type Handler = (req: {
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
export type ControlHandler = (method: string, path: string, query: URLSearchParams, body: string) => Promise<{ status: number; json?: unknown }>;

function authorised(header: string | undefined, apiKey: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m?.[1]) return false;
  const given = Buffer.from(m[1].trim());
  const expected = Buffer.from(apiKey);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function createSimServer(routes: Route[], apiKey: string, control: ControlHandler): Server {
  return createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://sim');
      let path: string;
      try {
        path = decodeURIComponent(url.pathname);
      } catch {
        return send(res, 400, { errors: [{ code: '10015', title: 'Bad Request', detail: 'The path is not valid percent-encoding.' }] });
      }
      try {
        if (path.startsWith('/sim/')) {
          const out = await control(req.method ?? 'GET', path, url.searchParams, await readBody(req));
          return send(res, out.status, out.json ?? null);
        }
        if (!authorised(req.headers.authorization, apiKey)) throw unauthenticated();
        const body = await readBody(req);
        const method = req.method ?? 'GET';
        const contentType = req.headers['content-type'] ?? '';
        if (body && !contentType.startsWith('application/json')) {
          throw new TelnyxApiError(415, '10015', 'Bad Request', `Expected an application/json body, got ${contentType || 'none'}.`);
        }
        for (const route of routes) {
          const match = route.pattern.exec(path);
          if (match && route.method === method) {
            const out = await route.handler({ path, query: url.searchParams, body, match });
            return send(res, out.status, out.json);
          }
        }
        throw notFound(`${method} ${url.pathname}`);
      } catch (err) {
        if (err instanceof TelnyxApiError) return send(res, err.status, err.toJSON());
        // A simulator bug must be loud, never a silent success.
        send(res, 500, {
          errors: [{ code: '10007', title: 'Unexpected error', detail: `Simulator error: ${err instanceof Error ? err.message : String(err)}` }],
        });
      }
    })();
  });
}
