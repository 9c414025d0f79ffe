/**
 * The real HTTP server on a free port, over a fresh database, for API tests. Logs are kept
 * in memory so tests can check that no PII reaches them.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createApp } from '../../api/app.ts';
import type { Deps } from '../../core/deps.ts';
import { createPii } from '../../core/pii.ts';
import { bootstrapDefaultTenant } from '../../core/tenants.ts';
import { testDatabase, type TestDatabase } from './db.ts';

// Tests read response bodies loosely; `any` keeps them short (schemas are checked elsewhere).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  key?: string | null;
  body?: unknown;
  /** Sent as-is (no JSON encoding). */
  raw?: BodyInit;
  headers?: Record<string, string>;
}

export interface TestApp {
  url: string;
  db: TestDatabase;
  deps: Deps;
  /** Bootstrap admin key of the default tenant (may create tenants). */
  adminKey: string;
  tenantId: string;
  /** Every log line written so far. */
  logs: string[];
  /** The 32-byte master key the app's PII is encrypted with (for key-rotation tests). */
  masterKey: Buffer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

export async function testApp(
  options: { maxUploadBytes?: number; defaultRegion?: string; masterKey?: Buffer } = {},
): Promise<TestApp> {
  const masterKey = options.masterKey ?? randomBytes(32);
  const db = await testDatabase();
  const deps: Deps = { db: db.pool, pii: createPii(masterKey) };
  const adminKey = `chl_test_${randomBytes(24).toString('base64url')}`;
  const boot = await bootstrapDefaultTenant(deps, { adminKey, defaultRegion: options.defaultRegion ?? 'CN' });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const log = pino({ level: 'debug' }, sink);
  const app = createApp({ deps, log, maxUploadBytes: options.maxUploadBytes });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const request = async (method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse> => {
    const headers: Record<string, string> = { ...opts.headers };
    const key = opts.key === undefined ? adminKey : opts.key;
    if (key) headers.authorization = `Bearer ${key}`;
    let body = opts.raw;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    if (/json/.test(res.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed, text };
  };

  return {
    url,
    db,
    deps,
    adminKey,
    tenantId: boot.tenant.id,
    logs,
    masterKey,
    request,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await db.drop();
    },
  };
}
