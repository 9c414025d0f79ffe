/**
 * What a CRM's webhook says about its records, once parsed by its connector: an opt-out set on a
 * record (recorded at once for a linked contact: opt-outs are sticky and end pending chases), a
 * change a sync should pull, or something acknowledged only. Each event is acted on once per
 * tenant (core/inbound/deliveries.ts), in the transaction that acts on it: a failure leaves nothing marked
 * seen, and the CRM's retry redoes it.
 */
import type { Deps } from '../deps.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { recordOptOuts, type Channel, type OptOutRequest } from '../consent/consent.ts';
import { requestSync } from './sync.ts';
import { withTransaction } from '../db/pool.ts';
import { freshDeliveries } from '../inbound/deliveries.ts';

export type CrmChange =
  /** The record's opt-out field was set: `note` says where, for the opt-out's history. */
  | { kind: 'opt-out'; channel: Channel; note: string }
  /** Something about the record a sync pulls (created, changed, merged, restored). */
  | { kind: 'changed' }
  /** Acknowledged, not acted on (a deletion, an opt-out cleared: opt-outs are sticky). */
  | { kind: 'ignored' };

export interface CrmRecordEvent {
  /** The CRM's own id of the event: a retry repeats it. */
  deliveryId: string;
  /** The record's id in the CRM, when the event names one. */
  externalId: string | null;
  change: CrmChange;
}

export interface CrmEventsOutcome {
  fresh: number;
  optOuts: number;
  syncQueued: boolean;
}

export async function receiveCrmEvents(deps: Deps & { jobs: JobQueue }, tenantId: string, system: string, events: CrmRecordEvent[]): Promise<CrmEventsOutcome> {
  return withTransaction(deps.db, async (tx) => {
    const seen = await freshDeliveries(tx, { tenantId, source: system, deliveryIds: events.map((e) => e.deliveryId) });
    // An event repeated inside one delivery is acted on once, too.
    const fresh = events.filter((e) => seen.delete(e.deliveryId));
    const wanted = fresh.flatMap((e) => (e.change.kind === 'opt-out' && e.externalId !== null ? [{ externalId: e.externalId, change: e.change }] : []));
    const { rows } = wanted.length
      ? await tx.query<{ external_id: string; phone_hash: Buffer; phone_enc: string }>(
          `select r.external_id, c.phone_hash, c.phone_enc from contact_crm_refs r join contacts c on c.tenant_id = r.tenant_id and c.id = r.contact_id
          where r.tenant_id = $1 and r.system = $2 and r.external_id = any($3::text[]) and c.phone_hash is not null and c.phone_invalid_reason is null`,
          [tenantId, system, wanted.map((w) => w.externalId)],
        )
      : { rows: [] };
    const linked = new Map(rows.map((r) => [r.external_id, r]));
    const requests: OptOutRequest[] = wanted.flatMap((w) => {
      const c = linked.get(w.externalId);
      return c
        ? [{ phoneHash: c.phone_hash, phoneEnc: c.phone_enc, channel: w.change.channel, source: 'crm' as const, note: w.change.note, origin: system }]
        : [];
    });
    if (requests.length) await recordOptOuts(deps, tenantId, requests, tx);
    // An opt-out for a record not linked yet, or any other change, is for the sync to pull.
    const syncQueued = fresh.some((e) => (e.change.kind === 'opt-out' ? e.externalId === null || !linked.has(e.externalId) : e.change.kind === 'changed'));
    if (syncQueued) await requestSync(deps, tenantId, system);
    return { fresh: fresh.length, optOuts: requests.length, syncQueued };
  });
}
