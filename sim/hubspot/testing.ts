// Test helpers: the official client pointed at a simulator, and a tiny receiving app that
// records webhook deliveries with their raw bodies (what a signature covers).
import { createServer } from 'node:http';
import { Client } from '@hubspot/api-client';
import type { HubspotSim } from './index.ts';
import { listen } from '../listen.ts';

/** The official client exactly as the product builds it, aimed at the simulator. */
export function simClient(sim: HubspotSim, extra: { numberOfApiCallRetries?: number; accessToken?: string } = {}): Client {
  return new Client({ accessToken: extra.accessToken ?? sim.accessToken, basePath: sim.url, numberOfApiCallRetries: extra.numberOfApiCallRetries });
}

/** The status, headers and parsed body of a raw request (for what the client hides). */
export async function raw(sim: HubspotSim, method: string, path: string, body?: unknown, token = sim.accessToken) {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

export interface Received {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export async function startReceiver(status = 200) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status);
      res.end();
    });
  });
  const { port } = await listen(server, 0, '127.0.0.1');
  // Never what keeps a test process alive: when the simulator a test starts next cannot
  // start, the test fails and its process still exits instead of hanging on this listener.
  server.unref();
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
