// A tiny application server for tests: records every request the simulator makes
// (status callbacks, TwiML fetches, Gather actions) and answers with what the test says.
import { createServer, type IncomingMessage } from 'node:http';
import { startTwilioSim, type TwilioSim } from './index.ts';
import { simTwilioClient } from './sdk.ts';
import { listen } from '../listen.ts';

export interface Received {
  method: string;
  path: string;
  /** The full URL as requested — what the signature covers. */
  url: string;
  signature: string | undefined;
  params: Record<string, string>;
}

export interface AppServer {
  url: string;
  received: Received[];
  /** Resolves when `count` requests to `path` have arrived. */
  waitFor(path: string, count?: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** A string is TwiML (200, text/xml); otherwise status, body and content type as given. */
type Reply = string | { status: number; body?: string | Buffer; contentType?: string };

export async function startAppServer(respond: (r: Received) => Reply = () => ({ status: 204 })): Promise<AppServer> {
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', `http://${req.headers.host}`);
      const body = Buffer.concat(chunks).toString('utf8');
      const r: Received = {
        method: req.method ?? 'GET',
        path: u.pathname,
        url: u.toString(),
        signature: req.headers['x-twilio-signature'] as string | undefined,
        params: Object.fromEntries(new URLSearchParams(body)),
      };
      received.push(r);
      waiters.forEach((w) => w());
      const reply = respond(r);
      if (typeof reply === 'string') {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(reply);
      } else {
        res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'text/xml' });
        res.end(reply.body ?? '');
      }
    });
  });
  const { port } = await listen(server, 0, '127.0.0.1');
  // Never what keeps a test process alive: when the simulator a test starts next cannot
  // start, the test fails and its process still exits instead of hanging on this listener.
  server.unref();
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    received,
    waitFor: (path, count = 1, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const hits = received.filter((r) => r.path === path);
          if (hits.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hits);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${count} request(s) to ${path}; got ${received.map((r) => r.path).join(', ') || 'none'}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls until `predicate` holds (for state the simulator reaches asynchronously). */
export async function until(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface DialogTestbed {
  sim: TwilioSim;
  app: AppServer;
  client: ReturnType<typeof simTwilioClient>;
  close(): Promise<void>;
}

/**
 * What the TwiML tests start with: a simulator whose calls are all answered after 1 s of
 * ringing, an app answering the simulator's requests with `respond`, and the SDK on the simulator.
 */
export async function startDialogTestbed(respond: (r: Received) => Reply, clockSpeed = 100): Promise<DialogTestbed> {
  const sim = await startTwilioSim({ clockSpeed, callsPerSecond: 100, profile: { outcomes: { answered: 1 }, ringSeconds: [1, 1] } });
  const app = await startAppServer(respond).catch(async (err: unknown) => {
    await sim.close();
    throw err;
  });
  return {
    sim,
    app,
    client: simTwilioClient(sim),
    async close() {
      await sim.close();
      await app.close();
    },
  };
}
