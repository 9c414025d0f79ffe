/**
 * Chases a CRM starts (a rep's button, a Flow, a workflow's Outbound Message): each record
 * becomes (or updates) a contact linked to its CRM record, and is chased in the named
 * campaign. A delivery the sender repeats (it retries until acknowledged) is acted on once.
 */
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { upsertContact } from '../contacts/contacts.ts';
import { startChase } from '../chases/chases.ts';
import { getCampaign } from '../campaigns/campaigns.ts';
import { firstDelivery, forgetDelivery } from '../inbound/deliveries.ts';

export interface InboundRecord {
  externalId: string;
  phone: string | null;
  name: string | null;
}

export type InboundOutcome = 'started' | 'already-chased' | 'not-chased';

export interface InboundResult {
  duplicate: boolean;
  /** Per record, in order: started, already in a live chase, or not chased (with why). */
  records: { outcome: InboundOutcome; reason?: string }[];
}

export async function startChasesFromCrm(
  deps: Deps,
  tenantId: string,
  input: { system: string; deliveryId: string; campaignId: string; records: InboundRecord[] },
): Promise<InboundResult> {
  // A campaign that is not there fails the whole delivery, before anything is recorded.
  await getCampaign(deps.db, tenantId, input.campaignId, 'campaignId');
  // Recorded first, on its own: the records are chased one by one (each its own transaction), so a
  // repeat arriving meanwhile waits for nothing and is a duplicate at once.
  const delivery = { tenantId, source: input.system, deliveryId: input.deliveryId };
  if (!(await firstDelivery(deps.db, delivery))) return { duplicate: true, records: [] };
  try {
    return { duplicate: false, records: await startEach(deps, tenantId, input) };
  } catch (err) {
    // Not acted on: the sender's retry must be, so the receipt goes (records already started are found live then).
    await forgetDelivery(deps.db, delivery);
    throw err;
  }
}

async function startEach(
  deps: Deps,
  tenantId: string,
  input: { system: string; campaignId: string; records: InboundRecord[] },
): Promise<InboundResult['records']> {
  const records: InboundResult['records'] = [];
  for (const r of input.records) {
    try {
      const saved = await upsertContact(
        deps,
        tenantId,
        {
          ...(r.phone ? { phone: r.phone } : {}),
          ...(r.name ? { name: r.name } : {}),
          crm: { system: input.system, externalId: r.externalId },
        },
        'crm',
      );
      await startChase(deps, tenantId, { campaignId: input.campaignId, contact: { id: saved.contact.id } });
      records.push({ outcome: 'started' });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      // The campaign was canceled: nothing in this delivery can be chased, and the sender should show it.
      if (err.field === 'campaignId') throw err;
      const live = err.code === 'CONFLICT' && (err.details as { chaseId?: string } | undefined)?.chaseId;
      records.push(live ? { outcome: 'already-chased' } : { outcome: 'not-chased', reason: err.message });
    }
  }
  return records;
}
