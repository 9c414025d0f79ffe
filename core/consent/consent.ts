/**
 * Consent: an append-only ledger of opt-outs per phone and channel. The current state is
 * derived from it and an opt-out is sticky: nothing in the product writes an opt-in.
 */
import type pg from 'pg';
import type { Deps } from '../deps.ts';
import type { Pii } from '../privacy/pii.ts';
import { tenantPhone } from '../tenants/tenants.ts';
import { withTransaction } from '../db/pool.ts';
import { bigintKey, decodeCursor, toPage, type Page } from '../common/pagination.ts';
import { endChases } from '../chases/transitions.ts';
import { writeBackOptOuts } from '../outbox/activities.ts';
import { recordOptOutComplaints } from '../reports/complaints.ts';

export const channels = ['voice', 'sms', 'all'] as const;
export type Channel = (typeof channels)[number];
export const consentSources = ['api', 'import', 'crm', 'sms-stop', 'voice-intent'] as const;
export type ConsentSource = (typeof consentSources)[number];

export interface OptOut {
  id: string;
  phone: string;
  channel: Channel;
  source: ConsentSource;
  note: string | null;
  createdAt: string;
}

export interface OptOutRequest {
  /** Blind index and ciphertext of the normalised E.164 number. */
  phoneHash: Buffer;
  phoneEnc: string;
  channel: Channel;
  source: ConsentSource;
  note?: string | null;
  /** The CRM or store it came from (its connector type): every other linked vendor is told, that one is not (no echo). */
  origin?: string | null;
}

interface EventRow {
  id: string;
  phone_enc: string;
  channel: Channel;
  source: ConsentSource;
  note: string | null;
  created_at: Date;
}

/** How a number is stored: its blind index and its ciphertext. */
export const storedPhone = (pii: Pii, e164: string) => ({ phoneHash: pii.phoneIndex(e164), phoneEnc: pii.encrypt(e164) });

const COLUMNS = 'id::text as id, phone_enc, channel, source, note, created_at';

/** The channels an opt-out on `channel` is covered by. */
const coveredBy = (channel: Channel): Channel[] => (channel === 'all' ? ['all'] : [channel, 'all']);

/**
 * Appends opt-outs in one transaction. A phone already opted out on the channel (or on
 * `all`) is left as it is, so the ledger holds one event per current opt-out.
 * @returns for each request, in order, whether it was new
 */
export async function recordOptOuts(deps: Deps, tenantId: string, requests: OptOutRequest[], client?: pg.PoolClient): Promise<boolean[]> {
  // Three statements whatever the batch size: lock the numbers, read what they already have,
  // append what is new. The locks (taken in a fixed order, so writers cannot deadlock) keep
  // two concurrent opt-outs of one number from both appending.
  const run = async (tx: pg.PoolClient) => {
    const hexes = [...new Set(requests.map((r) => r.phoneHash.toString('hex')))].sort();
    await tx.query(`select pg_advisory_xact_lock(hashtextextended($1 || ':' || h, 0)) from unnest($2::text[]) as h order by h`, [tenantId, hexes]);
    const { rows } = await tx.query<{ hash: string; channel: Channel }>(
      `select distinct encode(phone_hash, 'hex') as hash, channel from consent_events
        where tenant_id = $1 and phone_hash = any($2::bytea[])`,
      [tenantId, hexes.map((h) => Buffer.from(h, 'hex'))],
    );
    const held = new Map<string, Set<Channel>>();
    for (const r of rows) (held.get(r.hash) ?? held.set(r.hash, new Set()).get(r.hash)!).add(r.channel);
    const appended: OptOutRequest[] = [];
    const fresh = requests.map((r) => {
      const hex = r.phoneHash.toString('hex');
      const channels = held.get(hex) ?? held.set(hex, new Set()).get(hex)!;
      if (coveredBy(r.channel).some((c) => channels.has(c))) return false;
      channels.add(r.channel);
      appended.push(r);
      return true;
    });
    if (appended.length) {
      await tx.query(
        `insert into consent_events (tenant_id, phone_hash, phone_enc, channel, action, source, note)
         select $1, decode(u.hash, 'hex'), u.enc, u.channel, 'opt_out', u.source, u.note
           from jsonb_to_recordset($2::jsonb) as u(hash text, enc text, channel text, source text, note text)`,
        [
          tenantId,
          JSON.stringify(
            appended.map((r) => ({ hash: r.phoneHash.toString('hex'), enc: r.phoneEnc, channel: r.channel, source: r.source, note: r.note ?? null })),
          ),
        ],
      );
      for (const origin of new Set(appended.map((r) => r.origin ?? null))) {
        await writeBackOptOuts(
          tx,
          deps,
          tenantId,
          appended.filter((r) => (r.origin ?? null) === origin),
          origin,
        );
      }
      // Opting out soon after being chased is a complaint about the chase (a list imported later is not).
      const reacted = appended.filter((r) => r.source !== 'import').map((r) => r.phoneHash);
      await recordOptOutComplaints(tx, tenantId, reacted, deps.clock?.now() ?? new Date());
      // An opt-out on any channel ends the number's pending chases at once, in every campaign.
      await endChases(
        tx,
        tenantId,
        { phoneHashes: [...new Set(appended.map((r) => r.phoneHash.toString('hex')))].map((h) => Buffer.from(h, 'hex')) },
        'opted-out',
        {
          reason: 'the number opted out',
        },
      );
    }
    return fresh;
  };
  return client ? run(client) : withTransaction(deps.db, run);
}

export async function optOut(
  deps: Deps,
  tenantId: string,
  input: { phone: string; channel: Channel; source: ConsentSource; note?: string },
): Promise<{ optOut: OptOut; created: boolean }> {
  const stored = storedPhone(deps.pii, await tenantPhone(deps, tenantId, input.phone));
  const [created] = await recordOptOuts(deps, tenantId, [{ ...input, ...stored }]);
  const { rows } = await deps.db.query<EventRow>(
    `select ${COLUMNS} from consent_events where tenant_id = $1 and phone_hash = $2 and channel = any($3) order by id limit 1`,
    [tenantId, stored.phoneHash, coveredBy(input.channel)],
  );
  return { optOut: toOptOut(rows[0]!, deps), created: created! };
}

const toOptOut = (r: EventRow, deps: Deps): OptOut => ({
  id: r.id,
  phone: deps.pii.decrypt(r.phone_enc),
  channel: r.channel,
  source: r.source,
  note: r.note,
  createdAt: r.created_at.toISOString(),
});

export async function listOptOuts(deps: Deps, tenantId: string, options: { cursor?: string; limit: number; phone?: string }): Promise<Page<OptOut>> {
  const params: unknown[] = [tenantId, options.cursor ? decodeCursor(options.cursor, bigintKey) : '0'];
  let byPhone = '';
  if (options.phone) {
    params.push(deps.pii.phoneIndex(await tenantPhone(deps, tenantId, options.phone)));
    byPhone = `and phone_hash = $${params.length}`;
  }
  params.push(options.limit + 1);
  const { rows } = await deps.db.query<EventRow>(
    `select ${COLUMNS} from consent_events where tenant_id = $1 and id > $2::bigint ${byPhone} order by id limit $${params.length}`,
    params,
  );
  return toPage(rows, options.limit, (r) => toOptOut(r, deps));
}

/** Which channels a number is opted out of, from the channels its ledger events name. */
export function optedOutOf(channels: readonly string[]): { voice: boolean; sms: boolean } {
  const has = (c: Channel) => channels.includes(c) || channels.includes('all');
  return { voice: has('voice'), sms: has('sms') };
}

/** Current opt-out state of one number (by blind index). */
export async function optOutState(db: Pick<pg.Pool, 'query'>, tenantId: string, phoneHash: Buffer) {
  const { rows } = await db.query<{ channel: Channel }>(`select distinct channel from consent_events where tenant_id = $1 and phone_hash = $2`, [
    tenantId,
    phoneHash,
  ]);
  return optedOutOf(rows.map((r) => r.channel));
}
