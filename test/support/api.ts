/**
 * Small helpers over test/support/app.ts for the API tests: problem+json assertions,
 * tenants and keys made through the public API, tRPC calls over plain fetch.
 */
import assert from 'node:assert/strict';
import type { ApiResponse, TestApp } from './app.ts';

export type Role = 'viewer' | 'analyst' | 'operator' | 'admin';

/** A parsed JSON response body, as loosely typed as the harness's own (ApiResponse['body']). */
export type Body = ApiResponse['body'];

/** Asserts an RFC 9457 problem with our stable code (and the offending field, when given). */
export function assertProblem(res: ApiResponse, status: number, code: string, field?: string) {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${res.text.slice(0, 500)}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const body = res.body as Record<string, unknown>;
  for (const name of ['type', 'title', 'detail', 'code'] as const) {
    assert.equal(typeof body[name], 'string', `problem.${name} should be a string`);
    assert.ok((body[name] as string).length > 0, `problem.${name} should not be empty`);
  }
  assert.equal(body.status, status);
  assert.equal(body.code, code);
  if (field !== undefined) assert.equal(body.field, field, `problem.field: ${res.text.slice(0, 500)}`);
}

export interface TenantInfo {
  id: string;
  adminKey: string;
  adminKeyId: string;
}

/** Creates a tenant with the bootstrap admin key. */
export async function createTenant(app: TestApp, name: string, defaultRegion = 'CN'): Promise<TenantInfo> {
  const res = await app.request('POST', '/v1/tenants', { body: { name, defaultRegion } });
  assert.equal(res.status, 201, res.text);
  return { id: res.body.id, adminKey: res.body.adminKey.key, adminKeyId: res.body.adminKey.id };
}

/** Creates an API key with `asKey` (default: the bootstrap admin key); returns its id and key. */
export async function createKey(app: TestApp, role: Role, asKey?: string): Promise<{ id: string; key: string }> {
  const res = await app.request('POST', '/v1/api-keys', { key: asKey, body: { role, name: `${role} key` } });
  assert.equal(res.status, 201, res.text);
  return { id: res.body.id, key: res.body.key };
}

/** A valid mainland-China mobile number, distinct per `n` (national form; tenants default to CN). */
export const cnMobile = (n: number) => `139${String(10_000_000 + n).slice(-8)}`;
export const cnE164 = (n: number) => `+86${cnMobile(n)}`;

export interface TrpcResponse {
  status: number;
  headers: Headers;
  body: Body;
}

/** A tRPC query (GET) over plain fetch; `key: null` sends no Authorization. */
export async function trpcQuery(app: TestApp, path: string, input?: unknown, key: string | null = app.adminKey): Promise<TrpcResponse> {
  const qs = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const res = await fetch(`${app.url}/trpc/${path}${qs}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

/** A tRPC mutation (POST, JSON body) over plain fetch. */
export async function trpcMutation(
  app: TestApp,
  path: string,
  input: unknown,
  options: { key?: string | null; headers?: Record<string, string> } = {},
): Promise<TrpcResponse> {
  const key = options.key === undefined ? app.adminKey : options.key;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await fetch(`${app.url}/trpc/${path}`, { method: 'POST', headers, body: JSON.stringify(input) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // left as text; the test will say what it got
  }
  return { status: res.status, headers: res.headers, body };
}

/** Asserts a tRPC error: HTTP status, tRPC code name, and our data.code / data.field. */
export function assertTrpcError(res: TrpcResponse, status: number, trpcCode: string, appCode: string, field?: string | null) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  const error = res.body?.error;
  assert.ok(error, `expected a tRPC error, got ${JSON.stringify(res.body)}`);
  assert.equal(typeof error.message, 'string');
  assert.equal(error.data?.httpStatus, status);
  assert.equal(jsonRpcCodes[trpcCode], error.code, `tRPC code ${trpcCode} is JSON-RPC ${jsonRpcCodes[trpcCode]}, got ${error.code}`);
  assert.equal(error.data?.code, appCode);
  if (field !== undefined) assert.equal(error.data?.field, field);
}

/** tRPC's JSON-RPC error numbers (what a tRPC client turns back into the code names). */
const jsonRpcCodes: Record<string, number> = {
  PARSE_ERROR: -32700,
  BAD_REQUEST: -32600,
  INTERNAL_SERVER_ERROR: -32603,
  UNAUTHORIZED: -32001,
  FORBIDDEN: -32003,
  NOT_FOUND: -32004,
  CONFLICT: -32009,
  UNPROCESSABLE_CONTENT: -32022,
  TOO_MANY_REQUESTS: -32029,
  PAYLOAD_TOO_LARGE: -32013,
  UNSUPPORTED_MEDIA_TYPE: -32015,
};

/** A CSV body of contacts. */
export const csv = (rows: [name: string, phone: string][]) => ['name,phone', ...rows.map(([n, p]) => `${n},${p}`)].join('\n') + '\n';
