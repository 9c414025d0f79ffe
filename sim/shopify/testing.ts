// Test helpers: an HTTP receiver standing in for the app's webhook endpoint, the vendor's
// JSON schemas compiled with ajv (draft 2020-12, formats checked), and the official Admin
// API client pointed at the simulator.
import { createServer, type IncomingHttpHeaders } from 'node:http';
// ajv arrives with the devDependency @seriousme/openapi-schema-validator (it validates with ajv).
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { createAdminApiClient } from '@shopify/admin-api-client';
import { loadSchemas, TOPICS, type Topic } from './vendor.ts';
import { listen } from '../listen.ts';

export interface Received {
  headers: IncomingHttpHeaders;
  /** The raw bytes, as a signature check needs them. */
  raw: Buffer;
  path: string;
}

/** A local endpoint recording every POST; answers `status` (default 200). */
export async function startReceiver(status: () => number = () => 200) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks), path: req.url ?? '/' });
      res.writeHead(status()).end();
    });
  });
  const { port } = await listen(server, 0, '127.0.0.1');
  // Never what keeps a test process alive: when the simulator a test starts next cannot
  // start, the test fails and its process still exits instead of hanging on this listener.
  server.unref();
  return {
    url: `http://127.0.0.1:${port}/webhooks/shopify`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One validator per topic, compiled from the vendor's schemas (sim/contracts/shopify). */
export function schemaValidators() {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  // A CommonJS module: under Node's ESM interop its default export is one level down.
  const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? addFormatsModule) as FormatsPlugin;
  addFormats(ajv);
  const schemas = loadSchemas();
  const validators = new Map(TOPICS.map((t) => [t, ajv.compile(schemas[t])]));
  return (topic: Topic, payload: unknown): string[] => {
    const validate = validators.get(topic)!;
    return validate(payload) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  };
}

/**
 * The official client against the simulator: it always builds `https://{shop}/admin/api/…`,
 * so `customFetchApi` rewrites that origin to the simulator's (DESIGN.md).
 */
export function adminClient(sim: { url: string; shop: string; accessToken: string; apiVersion: string }, accessToken = sim.accessToken) {
  return createAdminApiClient({
    storeDomain: sim.shop,
    apiVersion: sim.apiVersion,
    accessToken,
    customFetchApi: (url, init) => fetch(String(url).replace(`https://${sim.shop}`, sim.url), init),
  });
}
