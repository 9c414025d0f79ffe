/**
 * Tracked links: each http(s) URL in a chase's SMS becomes `{PUBLIC_BASE_URL}/l/{code}`, and a
 * click on it is counted and put on the chase's timeline before the person is sent on.
 * Targets may carry tokens or emails (a recovery link), so they are stored encrypted.
 */
import { randomBytes } from 'node:crypto';
import { withTransaction } from '../db/pool.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { insertEvent } from '../chases/store.ts';
import { recordConversion } from '../optimiser/stats.ts';

export interface LinkRef {
  tenantId: string;
  chaseId: string;
  attemptId?: string;
}

export interface LinkClicks {
  code: string;
  attemptId: string | null;
  clicks: number;
  lastClickedAt: string | null;
}

// Only characters a URL may hold unescaped (RFC 3986): so CJK text, full-width punctuation,
// quotes and angle brackets right after a URL end it, as a reader would expect.
const URL_CANDIDATE = /https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/gi;
// Sentence punctuation written after a URL, not part of it.
const TRAILING = /[.,!?;:'*]+$/;

/** 72 random bits in 12 URL-safe characters: unguessable, and short enough for an SMS. */
const newCode = () => randomBytes(9).toString('base64url');
export const LINK_CODE = /^[A-Za-z0-9_-]{8,64}$/;

/** Drops what follows a URL in prose: trailing punctuation, and closing brackets it did not open. */
function trimUrl(candidate: string): string {
  let url = candidate;
  for (;;) {
    const before = url;
    url = url.replace(TRAILING, '');
    for (const [open, close] of [
      ['(', ')'],
      ['[', ']'],
    ] as const) {
      if (url.endsWith(close) && url.split(close).length > url.split(open).length) url = url.slice(0, -1);
    }
    if (url === before) return url;
  }
}

/** The URLs in a text with where each starts and ends; pure, for tests. */
export function findUrls(text: string): { url: string; start: number; end: number }[] {
  const found: { url: string; start: number; end: number }[] = [];
  for (const m of text.matchAll(URL_CANDIDATE)) {
    const url = trimUrl(m[0]);
    // A scheme with no host is not a link.
    if (!/^https?:\/\/[^/?#]+/i.test(url)) continue;
    found.push({ url, start: m.index, end: m.index + url.length });
  }
  return found;
}

/**
 * Replaces each http(s) URL in `text` with a tracked link on `publicBaseUrl`. The same URL
 * twice gets one code; a link already tracked by us is left as it is.
 */
export async function trackLinks(deps: Deps, ref: LinkRef, text: string, publicBaseUrl: string): Promise<string> {
  const base = publicBaseUrl.replace(/\/$/, '');
  const urls = findUrls(text).filter((u) => !u.url.startsWith(`${base}/l/`));
  if (!urls.length) return text;
  const codes = new Map<string, string>();
  for (const { url } of urls) {
    if (!codes.has(url)) codes.set(url, await insertLink(deps, ref, url));
  }
  let out = '';
  let at = 0;
  for (const u of urls) {
    out += `${text.slice(at, u.start)}${base}/l/${codes.get(u.url)!}`;
    at = u.end;
  }
  return out + text.slice(at);
}

async function insertLink(deps: Deps, ref: LinkRef, target: string): Promise<string> {
  const targetEnc = deps.pii.encrypt(target);
  // Codes are random over 72 bits, so a collision is all but impossible; it is still retried
  // rather than trusted away, since the code is the table's whole key.
  for (let attempt = 0; attempt < 5; attempt++) {
    const code = newCode();
    const { rowCount } = await deps.db.query(
      `insert into links (code, tenant_id, chase_id, attempt_id, target_enc) values ($1, $2, $3, $4, $5) on conflict (code) do nothing`,
      [code, ref.tenantId, ref.chaseId, ref.attemptId ?? null, targetEnc],
    );
    if (rowCount) return code;
  }
  throw new AppError('INTERNAL', 'could not find a free link code');
}

/**
 * Records a click on a tracked link (a click row and a `link-clicked` event on the chase)
 * and returns where it leads; null for a code we never issued.
 */
export async function followLink(deps: Deps, code: string, meta: { userAgent?: string; at: Date }): Promise<string | null> {
  if (!LINK_CODE.test(code)) return null;
  return withTransaction(deps.db, async (tx) => {
    const { rows } = await tx.query<{ tenant_id: string; chase_id: string; attempt_id: string | null; target_enc: string }>(
      `select tenant_id, chase_id, attempt_id, target_enc from links where code = $1`,
      [code],
    );
    const link = rows[0];
    if (!link) return null;
    await tx.query(`insert into link_clicks (tenant_id, code, clicked_at, user_agent) values ($1, $2, $3, $4)`, [
      link.tenant_id,
      code,
      meta.at,
      meta.userAgent?.slice(0, 512) ?? null,
    ]);
    await insertEvent(tx, link.tenant_id, link.chase_id, 'link-clicked', { code }, link.attempt_id);
    await recordConversion(tx, link.tenant_id, link.chase_id, 'link-clicked', meta.at);
    return deps.pii.decrypt(link.target_enc);
  });
}

/** Each tracked link of a chase with how often it was clicked, oldest link first. */
export async function linkClicks(deps: Deps, tenantId: string, chaseId: string): Promise<LinkClicks[]> {
  const { rows } = await deps.db.query<{ code: string; attempt_id: string | null; clicks: number; last: Date | null }>(
    `select l.code, l.attempt_id, count(c.id)::int as clicks, max(c.clicked_at) as last
       from links l
       left join link_clicks c on c.tenant_id = l.tenant_id and c.code = l.code
      where l.tenant_id = $1 and l.chase_id = $2
      group by l.code, l.attempt_id, l.created_at
      order by l.created_at, l.code`,
    [tenantId, chaseId],
  );
  return rows.map((r) => ({ code: r.code, attemptId: r.attempt_id, clicks: r.clicks, lastClickedAt: r.last?.toISOString() ?? null }));
}
