/**
 * Helpers for the data tests (contacts, imports, exports, consent, PII): tenants and keys
 * made through the API, CSV bytes in the encodings people upload, paging through lists.
 */
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import type { ApiResponse, TestApp } from './app.ts';

export interface KeyInfo {
  id: string;
  key: string;
}

/** A fresh tenant (so imports start from nothing) and its admin key, via the bootstrap key. */
export async function newTenant(app: TestApp, name: string, defaultRegion = 'CN'): Promise<KeyInfo & { tenantId: string }> {
  const res = await app.request('POST', '/v1/tenants', { body: { name, defaultRegion } });
  assert.equal(res.status, 201, res.text);
  return { tenantId: res.body.id, id: res.body.adminKey.id, key: res.body.adminKey.key };
}

/** A key of `role` in the tenant of `adminKey` (default: the bootstrap key's tenant). */
export async function newKey(app: TestApp, role: 'admin' | 'operator' | 'viewer', adminKey?: string): Promise<KeyInfo> {
  const res = await app.request('POST', '/v1/api-keys', { key: adminKey, body: { role, name: `${role} key` } });
  assert.equal(res.status, 201, res.text);
  return { id: res.body.id, key: res.body.key };
}

export interface CsvOptions {
  bom?: boolean;
  encoding?: 'utf-8' | 'gbk';
  eol?: string;
}

/** The bytes of a CSV file made of `lines` (already delimited), as a spreadsheet would save it. */
export function csvBytes(lines: string[], options: CsvOptions = {}): Buffer {
  const text = lines.join(options.eol ?? '\r\n') + (options.eol ?? '\r\n');
  if (options.encoding === 'gbk') return iconv.encode(text, 'gbk');
  const body = Buffer.from(text, 'utf8');
  return options.bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
}

/** POST /v1/imports with the file as a text/csv body. */
export function importCsv(app: TestApp, bytes: Buffer, options: { key?: string; query?: string; headers?: Record<string, string> } = {}) {
  const path = `/v1/imports${options.query ? `?${options.query}` : ''}`;
  return app.request('POST', path, {
    key: options.key,
    raw: new Uint8Array(bytes),
    headers: { 'content-type': 'text/csv', ...options.headers },
  });
}

/** POST /v1/imports as multipart/form-data with the file in the field `file`. */
export function importMultipart(
  app: TestApp,
  bytes: Buffer,
  filename: string,
  contentType: string,
  options: { key?: string; query?: string; headers?: Record<string, string> } = {},
) {
  const form = new FormData();
  form.append('note', 'uploaded from the test');
  form.append('file', new Blob([new Uint8Array(bytes)], { type: contentType }), filename);
  const path = `/v1/imports${options.query ? `?${options.query}` : ''}`;
  return app.request('POST', path, { key: options.key, raw: form, headers: options.headers });
}

/** Every item of a paged list, following nextCursor; also returns how many pages it took. */
export async function listAll<T = unknown>(app: TestApp, path: string, options: { key?: string; limit?: number } = {}) {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const url = `${path}${sep}limit=${options.limit ?? 500}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res: ApiResponse = await app.request('GET', url, { key: options.key });
    assert.equal(res.status, 200, res.text);
    items.push(...(res.body.items as T[]));
    cursor = res.body.nextCursor;
    pages++;
    assert.ok(pages < 10_000, 'pagination does not end');
  } while (cursor);
  return { items, pages };
}

/** Number of contacts a tenant holds, straight from the database. */
export async function contactCount(app: TestApp, tenantId = app.tenantId): Promise<number> {
  const { rows } = await app.db.pool.query<{ n: number }>(`select count(*)::int as n from contacts where tenant_id = $1`, [tenantId]);
  return rows[0]!.n;
}

/** A calling window open all day every day, so chase tests do not depend on the hour they run at. */
export const ALL_DAY = { days: Object.fromEntries(['1', '2', '3', '4', '5', '6', '7'].map((d) => [d, [{ start: '00:00', end: '24:00' }]])) };

/** A valid POST /v1/campaigns body (voice, then SMS), with `overrides` replacing whole fields. */
export function campaignBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Abandoned carts',
    channel: { policy: 'voice-then-sms', smsAfterMinutes: 0 },
    rules: { window: ALL_DAY },
    scripts: [{ name: 'default', say: 'Hello {{name}}, your cart is waiting.', sms: 'Your cart: {{context.link}}' }],
    lines: [{ from: '+14155550100' }],
    ...overrides,
  };
}

/** Creates a campaign through the API; returns its body. */
export async function newCampaign(app: TestApp, overrides: Record<string, unknown> = {}, key?: string) {
  const res = await app.request('POST', '/v1/campaigns', { key, body: campaignBody(overrides) });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

/** Polls `check` until it returns something truthy, or fails naming `what` (worked out at the timeout) after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string | (() => string),
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
