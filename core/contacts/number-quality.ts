/**
 * Number quality: the carrier's word (its number lookup) on whether a
 * number is valid and what kind of line it is, cached per tenant and number because each
 * lookup is billed. Invalid numbers are marked on their contacts so they are never dialled;
 * numbers that cannot receive texts are never sent SMS.
 *
 * When it runs is the tenant's `numberChecks` chase rule: 'before-first-dial' (the chase step
 * calls `screenNumber`) or 'at-import' (imports queue a `number-checks` job, and
 * `screenNumber` still covers numbers that came from the API or a CRM).
 */
import { TenantChaseRulesSchema } from '../campaigns/rules.ts';
import { AppError } from '../errors.ts';
import type { Deps } from '../deps.ts';
import { queues, type Queryable } from '../jobs/queue.ts';
import { lineTypes, type LineType, type NumberInfo, type NumberLookup } from '../ports.ts';

export type NumberChecksSetting = 'off' | 'before-first-dial' | 'at-import';

export interface NumberCheck extends NumberInfo {
  /** True when the answer came from the cache (no lookup was made, nothing billed). */
  cached: boolean;
}

/** The `number-checks` job: ids only. */
export interface NumberChecksJob {
  tenantId: string;
  importId: string;
}

export const INVALID_NUMBER_REASON = 'the carrier says the number is not valid';

const DAY_MS = 86_400_000;
/** Lookups in flight at once for one import: a carrier's lookup rate is modest, and a big import must not starve the calls. */
const LOOKUP_CONCURRENCY = 5;
/** Numbers one job looks up before it hands the rest to a follow-up job, so it ends well within the queue's expiry. */
const NUMBERS_PER_JOB = 500;

/**
 * The carrier's answer for `e164`, from the cache when it is younger than `maxAgeDays`.
 * A lookup that fails throws (the caller decides whether to retry) and caches nothing.
 */
export async function checkNumber(deps: Deps, lookup: NumberLookup, tenantId: string, e164: string, now: Date, maxAgeDays = 30): Promise<NumberCheck> {
  const phoneHash = deps.pii.phoneIndex(e164);
  const { rows } = await deps.db.query<{ valid: boolean; line_type: string | null; country: string | null }>(
    `select valid, line_type, country from number_checks
      where tenant_id = $1 and phone_hash = $2 and checked_at > $3`,
    [tenantId, phoneHash, new Date(now.getTime() - maxAgeDays * DAY_MS)],
  );
  const hit = rows[0];
  if (hit) return { valid: hit.valid, lineType: storedLineType(hit.line_type), country: hit.country, cached: true };
  const info = await lookup.lookup(e164);
  await deps.db.query(
    `insert into number_checks (tenant_id, phone_hash, valid, line_type, country, checked_at)
     values ($1, $2, $3, $4, $5, $6)
     on conflict (tenant_id, phone_hash) do update set
       valid = excluded.valid, line_type = excluded.line_type, country = excluded.country, checked_at = excluded.checked_at`,
    [tenantId, phoneHash, info.valid, info.lineType, info.country, now],
  );
  return { valid: info.valid, lineType: info.lineType, country: info.country, cached: false };
}

/**
 * A cached line type as the port's value. A row cached before line types were the engine's
 * own may hold a carrier's word for it: unknown then, until the cache entry ages out.
 */
const storedLineType = (stored: string | null): LineType | null => ((lineTypes as readonly string[]).includes(stored ?? '') ? (stored as LineType) : null);

// Only mobiles and VoIP numbers that are not fixed (app numbers such as Google Voice) reliably
// take texts. Fixed VoIP (cable-company lines) behaves like a landline. Unreported types are
// given the benefit of the doubt: the carrier's SMS status report tells the failure if it comes.
const NO_TEXTS: Partial<Record<LineType, string>> = {
  landline: 'a landline',
  'fixed-voip': 'a fixed VoIP line',
  'toll-free': 'a toll-free number',
  premium: 'a premium-rate number',
  other: 'a shared-cost, universal-access, voicemail-only or pager line',
};

/**
 * Why not to use this number on `channel`, or null when nothing is against it. Premium-rate
 * numbers are not called either: each minute is billed to the caller, the classic toll-fraud
 * route for numbers planted in a lead list.
 */
export function numberVerdict(check: Pick<NumberInfo, 'valid' | 'lineType'>, channel: 'voice' | 'sms'): null | string {
  if (!check.valid) return INVALID_NUMBER_REASON;
  if (channel === 'voice') return check.lineType === 'premium' ? 'the number is premium-rate: calling it is billed to us per minute' : null;
  const kind = check.lineType === null ? undefined : NO_TEXTS[check.lineType];
  return kind ? `the number is ${kind}, which cannot receive texts` : null;
}

/**
 * Marks the tenant's contacts with this number invalid (the chase step never dials such a
 * contact and ends its chases with the reason). Returns how many contacts changed.
 */
export async function markInvalid(db: Queryable, tenantId: string, phoneHash: Buffer, reason: string): Promise<number> {
  const { rowCount } = await db.query(
    `update contacts set phone_invalid_reason = $3, updated_at = now()
      where tenant_id = $1 and phone_hash = $2 and phone_invalid_reason is distinct from $3`,
    [tenantId, phoneHash, reason],
  );
  return rowCount ?? 0;
}

/** The tenant's `numberChecks` rule ('off' when unset). */
export async function numberChecksSetting(db: Queryable, tenantId: string): Promise<NumberChecksSetting> {
  const { rows } = await db.query<{ v: string | null }>(`select chase_rules->>'numberChecks' as v from tenants where id = $1`, [tenantId]);
  const parsed = TenantChaseRulesSchema.shape.numberChecks.safeParse(rows[0]?.v ?? undefined);
  return (parsed.success ? parsed.data : undefined) ?? 'off';
}

/**
 * For the chase step, before it contacts a number: checks it when the tenant asks for checks
 * (from the cache when the import already did), marks the contacts invalid when the carrier
 * says so, and returns why not to use the number on `channel` (null: go ahead). A lookup
 * failure throws a retryable error; the step's job retries. Pass `setting` when the tenant's
 * rules are already at hand, to save a query.
 */
export async function screenNumber(
  deps: Deps,
  lookup: NumberLookup,
  tenantId: string,
  e164: string,
  channel: 'voice' | 'sms',
  now: Date,
  setting?: NumberChecksSetting,
): Promise<null | string> {
  if ((setting ?? (await numberChecksSetting(deps.db, tenantId))) === 'off') return null;
  const check = await checkNumber(deps, lookup, tenantId, e164, now);
  if (!check.valid) await markInvalid(deps.db, tenantId, deps.pii.phoneIndex(e164), INVALID_NUMBER_REASON);
  return numberVerdict(check, channel);
}

/**
 * Inside the transaction that finishes an import: queues the import's number checks when
 * the tenant checks numbers at import. Without a job queue in this process (an API-only
 * set-up with no engine) nothing is queued; `screenNumber` then checks each number before
 * its first dial instead. Returns whether a job was queued.
 */
export async function queueImportNumberChecks(deps: Deps, tx: Queryable, tenantId: string, importId: string): Promise<boolean> {
  if (!deps.jobs || (await numberChecksSetting(tx, tenantId)) !== 'at-import') return false;
  const job: NumberChecksJob = { tenantId, importId };
  await deps.jobs.send(tx, queues.numberChecks, job);
  return true;
}

export interface ImportChecks {
  /** Numbers looked up now (the rest had a fresh check). */
  looked: number;
  /** Contacts marked invalid. */
  invalid: number;
  /** More numbers remain for a follow-up job. */
  more: boolean;
}

interface ImportedNumber {
  phone_enc: string;
  phone_hash: Buffer;
}

/**
 * Looks up the numbers of an import's contacts that have no fresh check, at most
 * LOOKUP_CONCURRENCY at a time, caching each answer and marking invalid numbers on their
 * contacts. Imports do not record which contacts they wrote, so "the import's contacts" are
 * the tenant's contacts written since the import started (an upsert always sets
 * updated_at); contacts written by anything else meanwhile are checked too, which only
 * saves them a lookup before their first dial. A failed lookup throws after the lookups in
 * flight settle (their answers are kept), so the job's retry picks up where it failed.
 */
export async function checkImportedNumbers(
  deps: Deps,
  lookup: NumberLookup,
  tenantId: string,
  importId: string,
  options: { now?: Date; maxAgeDays?: number; limit?: number } = {},
): Promise<ImportChecks> {
  const now = options.now ?? deps.clock?.now() ?? new Date();
  const maxAgeDays = options.maxAgeDays ?? 30;
  const limit = options.limit ?? NUMBERS_PER_JOB;
  const fresh = new Date(now.getTime() - maxAgeDays * DAY_MS);
  // The import's contacts, as SQL over (imports i, contacts c, their check n).
  const scope = `i.tenant_id = $1 and i.id = $2 and i.kind = 'contacts'
        and c.tenant_id = i.tenant_id and c.updated_at >= i.created_at
        and c.phone_hash is not null and c.phone_enc is not null and c.phone_invalid_reason is null`;
  // A fresh "invalid" answer on a contact without the mark: the import re-wrote a number
  // the carrier had already refused (an upsert clears the reason). Marked again, no lookup.
  const remarked = await deps.db.query(
    `update contacts c set phone_invalid_reason = $4, updated_at = now()
       from imports i, number_checks n
      where ${scope} and n.tenant_id = c.tenant_id and n.phone_hash = c.phone_hash and n.checked_at > $3 and not n.valid`,
    [tenantId, importId, fresh, INVALID_NUMBER_REASON],
  );
  let invalid = remarked.rowCount ?? 0;
  // One more than the limit says whether a follow-up job is needed; the cache leaves out
  // what earlier jobs of this import already checked.
  const { rows } = await deps.db.query<ImportedNumber>(
    `select c.phone_enc, c.phone_hash
       from imports i, contacts c
      where ${scope}
        and not exists (select 1 from number_checks n where n.tenant_id = c.tenant_id and n.phone_hash = c.phone_hash and n.checked_at > $3)
      limit $4`,
    [tenantId, importId, fresh, limit + 1],
  );
  const batch = rows.slice(0, limit);
  await eachLimited(batch, LOOKUP_CONCURRENCY, async (r) => {
    const check = await checkNumber(deps, lookup, tenantId, deps.pii.decrypt(r.phone_enc), now, maxAgeDays);
    if (!check.valid) invalid += await markInvalid(deps.db, tenantId, r.phone_hash, INVALID_NUMBER_REASON);
  });
  return { looked: batch.length, invalid, more: rows.length > limit };
}

/** The `number-checks` job: one import's numbers, continued by a follow-up job when there are many. */
export async function runNumberChecks(deps: Deps, lookup: NumberLookup, job: NumberChecksJob): Promise<ImportChecks> {
  const done = await checkImportedNumbers(deps, lookup, job.tenantId, job.importId);
  if (done.more) {
    if (!deps.jobs) throw new AppError('INTERNAL', 'number checks need the job queue to continue', { retryable: false });
    await deps.jobs.send(deps.db, queues.numberChecks, { tenantId: job.tenantId, importId: job.importId } satisfies NumberChecksJob);
  }
  return done;
}

/** Runs `fn` over `items`, `limit` at a time; after a failure starts nothing new, lets the rest settle, then throws the first error. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async () => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure) throw (failure as { error: unknown }).error;
}
