/**
 * Inbound SMS keywords: what counts as "stop texting me" (STOP, 退订, TD…) or a request for
 * help, and the opt-out a STOP leads to. A carrier itself honours only a few single English
 * words, and only for the one number written to; we opt the person out of every channel
 * in every tenant that reached them from that number.
 */
import type pg from 'pg';
import type { Deps } from '../deps.ts';
import { withTransaction } from '../db/pool.ts';
import { firstDelivery } from '../inbound/deliveries.ts';
import type { InboundMessage } from '../ports.ts';
import { recordOptOuts, storedPhone } from './consent.ts';
import { normalise } from '../intents/normalise.ts';
import { prohibition } from '../intents/prohibition.ts';
import { isOptOut } from '../intents/rules.ts';

/** `unclear`: it may ask us to stop ("don't send me anything"), so the reply asks whether it does. */
export type InboundKind = 'opt-out' | 'unclear' | 'help' | 'other';
export type ReplyLanguage = 'en' | 'zh';

export interface InboundKeyword {
  kind: InboundKind;
  /** The language the person wrote in, for the reply. */
  language: ReplyLanguage;
  /**
   * The keyword recognised, normalised (never the rest of the message, which may be PII);
   * null for anything else, an opt-out asked for in a sentence included.
   */
  keyword: string | null;
}

// Carrier-industry English words (CTIA, and the carriers' default and advanced opt-out lists).
const OPT_OUT_EN = ['STOP', 'STOPALL', 'STOP ALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'OPT OUT'];
// Chinese carriers' conventions: "回复TD退订" / "回T退订", and the plain words people write.
const OPT_OUT_ZH = [
  '退订',
  '退訂',
  'TD',
  'T',
  '取消订阅',
  '取消訂閱',
  '退订短信',
  '退訂短信',
  '退訂簡訊',
  '不要再发',
  '不要再發',
  '不要再发了',
  '不要再發了',
  '别再发了',
  '別再發了',
];
const HELP_EN = ['HELP', 'INFO'];
const HELP_ZH = ['帮助', '幫助'];
// A message that starts with one of these and goes on ("stop please", "退订谢谢") is still an opt-out.
const OPT_OUT_PREFIX_EN = /^(STOP|UNSUBSCRIBE)(?![A-Z0-9])/;
const OPT_OUT_PREFIX_ZH = /^(退订|退訂)/;

const EDGES = /^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu;

/** Upper-cased, full-width forms folded (ＳＴＯＰ → STOP), surrounding punctuation and spaces dropped. */
export function normaliseKeyword(body: string): string {
  return body
    .normalize('NFKC')
    .toUpperCase()
    .replace(EDGES, '')
    .replace(/[\s_-]+/g, ' ');
}

/** What an inbound text asks for; pure. */
export function classifyInbound(body: string): InboundKeyword {
  const text = normaliseKeyword(body);
  if (OPT_OUT_ZH.includes(text)) return { kind: 'opt-out', language: 'zh', keyword: text };
  if (OPT_OUT_EN.includes(text)) return { kind: 'opt-out', language: 'en', keyword: text };
  const zh = OPT_OUT_PREFIX_ZH.exec(text);
  if (zh) return { kind: 'opt-out', language: 'zh', keyword: zh[1]! };
  const en = OPT_OUT_PREFIX_EN.exec(text);
  if (en) return { kind: 'opt-out', language: 'en', keyword: en[1]! };
  if (HELP_ZH.includes(text)) return { kind: 'help', language: 'zh', keyword: text };
  if (HELP_EN.includes(text)) return { kind: 'help', language: 'en', keyword: text };
  const language = /\p{Script=Han}/u.test(text) ? 'zh' : 'en';
  return { kind: askedToStop(body), language, keyword: null };
}

/**
 * A request to stop written in a sentence ("please stop", "no more texts", "别再发了",
 * "唔好再send嘢畀我"): any reasonable way of asking counts, not only the carriers' keywords.
 * The call's own rules read it, so a text and a spoken answer are understood alike.
 */
function askedToStop(body: string): InboundKind {
  const { text, han } = normalise(body);
  if (!text) return 'other';
  if (isOptOut(text, han)) return 'opt-out';
  const scope = prohibition(text);
  if (scope === 'opt_out') return 'opt-out';
  return scope === 'possible' ? 'unclear' : 'other';
}

/** The tenants that reached `from` from our number `to`: those that sent to it from that line, or own the line. */
async function tenantsOnLine(tx: pg.PoolClient, phoneHash: Buffer, to: string): Promise<string[]> {
  // Per tenant, so the lookup runs on attempts' (tenant_id, phone_hash) index rather than a
  // cross-tenant one the table does not have (every index leads with the tenant).
  const { rows } = await tx.query<{ id: string }>(
    `select t.id::text as id from tenants t
      where exists (select 1 from attempts a where a.tenant_id = t.id and a.phone_hash = $1 and a.from_number = $2)`,
    [phoneHash, to],
  );
  const tenants = new Set(rows.map((r) => r.id));
  // The tenants' line pools (migration 006) may not exist yet where this runs.
  const { rows: hasLines } = await tx.query<{ present: boolean }>(`select to_regclass('lines') is not null as present`);
  if (hasLines[0]?.present) {
    const { rows: owners } = await tx.query<{ id: string }>(`select distinct tenant_id::text as id from lines where from_number = $1`, [to]);
    for (const r of owners) tenants.add(r.id);
  }
  return [...tenants].sort();
}

/**
 * Opts `fromE164` out of every channel in every tenant that reached it from `to`, which ends
 * its pending chases there at once (recordOptOuts does). Runs in the caller's transaction.
 * @returns the tenants where the opt-out is new
 */
export async function optOutBySms(deps: Deps, tx: pg.PoolClient, input: { fromE164: string; to: string; keyword: string | null }): Promise<string[]> {
  const stored = storedPhone(deps.pii, input.fromE164);
  const tenants = await tenantsOnLine(tx, stored.phoneHash, input.to);
  const fresh: string[] = [];
  for (const tenantId of tenants) {
    const [created] = await recordOptOuts(
      deps,
      tenantId,
      [{ ...stored, channel: 'all', source: 'sms-stop', note: input.keyword ? `SMS keyword ${input.keyword}` : 'SMS asking to stop' }],
      tx,
    );
    if (created) fresh.push(tenantId);
  }
  return fresh;
}

/**
 * A text someone sent to one of our lines, acted on once however often the carrier delivers
 * it: a STOP (or its Chinese equivalents) opts the sender out with every tenant the line
 * belongs to. Recorded without a tenant, since the line decides the tenants only after.
 */
export async function receiveInboundSms(deps: Deps, sms: InboundMessage, keyword: InboundKeyword): Promise<{ duplicate: boolean; optedOutIn: number }> {
  return withTransaction(deps.db, async (tx) => {
    if (!(await firstDelivery(tx, { tenantId: null, source: 'inbound-sms', deliveryId: sms.messageId }))) return { duplicate: true, optedOutIn: 0 };
    if (keyword.kind !== 'opt-out') return { duplicate: false, optedOutIn: 0 };
    const fresh = await optOutBySms(deps, tx, { fromE164: sms.from, to: sms.to, keyword: keyword.keyword });
    return { duplicate: false, optedOutIn: fresh.length };
  });
}
