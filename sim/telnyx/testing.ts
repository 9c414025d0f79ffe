// For tests of the simulator (and of a Telnyx connector against it): the official SDK pointed
// at a simulator, and a tiny application server that records every webhook delivered to it —
// raw body and headers, so the SDK can verify them — and waits for the ones a test expects.
import { createServer } from 'node:http';
import Telnyx from 'telnyx';
import { listen } from '../listen.ts';
import { startTelnyxSim, type TelnyxSim, type TelnyxSimOptions } from './index.ts';

/** The official client on the simulator; no retries, so an injected failure is seen as it is. */
export function simTelnyxClient(sim: Pick<TelnyxSim, 'baseURL' | 'apiKey' | 'publicKey'>, apiKey = sim.apiKey) {
  return new Telnyx({ apiKey, baseURL: sim.baseURL, publicKey: sim.publicKey, maxRetries: 0 });
}

export interface Hook {
  path: string;
  headers: Record<string, string>;
  /** The exact bytes delivered, as the signature covers them. */
  raw: string;
  eventType: string;
  payload: Record<string, unknown>;
  /** The whole parsed body: `{ data: { record_type, id, event_type, occurred_at, payload }, meta? }`. */
  body: {
    data: { record_type: string; id: string; event_type: string; occurred_at: string; payload: Record<string, unknown> };
    meta?: Record<string, unknown>;
  };
}

export interface WebhookReceiver {
  url: string;
  hooks: Hook[];
  /** The webhooks about one call (its call_control_id), in the order they arrived. */
  ofCall(callControlId: string): Hook[];
  /** Resolves once `predicate` holds for the hooks received (checked on every arrival). */
  until(predicate: (hooks: Hook[]) => boolean, what: string, timeoutMs?: number): Promise<Hook[]>;
  /** Resolves with the first hook of `eventType` (for the call, when given). */
  waitFor(eventType: string, callControlId?: string, timeoutMs?: number): Promise<Hook>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(status = 200): Promise<WebhookReceiver> {
  const hooks: Hook[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = JSON.parse(raw) as Hook['body'];
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
      hooks.push({ path: new URL(req.url ?? '/', 'http://app').pathname, headers, raw, eventType: body.data.event_type, payload: body.data.payload, body });
      waiters.forEach((w) => w());
      res.writeHead(status).end();
    });
  });
  const { port } = await listen(server, 0, '127.0.0.1');
  server.unref();
  const until = (predicate: (h: Hook[]) => boolean, what: string, timeoutMs = 5000) =>
    new Promise<Hook[]>((resolve, reject) => {
      const check = () => {
        if (!predicate(hooks)) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve([...hooks]);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; got ${hooks.map((h) => h.eventType).join(', ') || 'nothing'}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  const ofCall = (id: string) => hooks.filter((h) => h.payload.call_control_id === id);
  return {
    url: `http://127.0.0.1:${port}`,
    hooks,
    ofCall,
    until,
    waitFor: async (eventType, callControlId, timeoutMs) => {
      const match = (h: Hook) => h.eventType === eventType && (callControlId === undefined || h.payload.call_control_id === callControlId);
      await until((hs) => hs.some(match), `${eventType}${callControlId ? ` of ${callControlId}` : ''}`, timeoutMs);
      return hooks.find(match)!;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface Testbed {
  sim: TelnyxSim;
  app: WebhookReceiver;
  client: ReturnType<typeof simTelnyxClient>;
  close(): Promise<void>;
}

/** A simulator at 100× whose calls ring 1 s and are answered, an app receiving its webhooks, and the SDK on it. */
export async function startTestbed(options: TelnyxSimOptions = {}): Promise<Testbed> {
  const app = await startWebhookReceiver();
  const sim = await startTelnyxSim({ clockSpeed: 100, profile: { outcomes: { answered: 1 }, ringSeconds: [1, 1] }, ...options }).catch(async (err: unknown) => {
    await app.close();
    throw err;
  });
  return {
    sim,
    app,
    client: simTelnyxClient(sim),
    async close() {
      await sim.close();
      await app.close();
    },
  };
}
