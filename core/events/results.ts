/**
 * A chase's result in the CRMs (issue 11, deliverable 5): when a chase ends, each CRM or store
 * the contact is linked with gets a `chase-result` write-back through the outbox — the last
 * outcome, the time, the contact's attempts so far and the campaign — which the connector
 * keeps as contact properties (HubSpot) or customer metafields (Shopify). Driven by the
 * chase.* events, so every way a chase ends writes it, once.
 */
import type pg from 'pg';
import type { Deps } from '../deps.ts';
import { enqueueWriteBacks, type NewWriteBack } from '../outbox/outbox.ts';
import type { CallbackCompletion, ChaseResult } from '../ports.ts';

type Tx = Pick<pg.PoolClient, 'query'>;

const CHASE_END = new Set(['chase.completed', 'chase.opted_out', 'chase.failed']);

interface EndEvent {
  tenant_id: string;
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/** Outbox rows for the ended chases among `events`, one per linked CRM record (dedupe: the event). */
export async function enqueueChaseResults(tx: Tx, deps: Deps, events: EndEvent[]): Promise<number> {
  const ends = events.filter((e) => CHASE_END.has(e.type) && typeof e.data.chaseId === 'string');
  const byTenant = new Map<string, EndEvent[]>();
  for (const e of ends) byTenant.set(e.tenant_id, [...(byTenant.get(e.tenant_id) ?? []), e]);
  let total = 0;
  for (const [tenantId, list] of byTenant) {
    const { rows } = await tx.query<{
      event_id: string;
      chase_id: string;
      contact_id: string;
      system: string;
      external_id: string;
      campaign: string;
      attempts: string;
      status: string;
      outcome: string | null;
    }>(
      `select e.id as event_id, c.id as chase_id, c.contact_id, r.system, r.external_id, k.name as campaign, c.status, c.outcome,
              (select count(*) from attempts a join chases x on x.tenant_id = a.tenant_id and x.id = a.chase_id
                where x.tenant_id = c.tenant_id and x.contact_id = c.contact_id and a.status <> 'not-placed') as attempts
         from unnest($2::uuid[], $3::uuid[]) as e (id, chase_id)
         join chases c on c.tenant_id = $1 and c.id = e.chase_id
         join campaigns k on k.tenant_id = c.tenant_id and k.id = c.campaign_id
         join contact_crm_refs r on r.tenant_id = c.tenant_id and r.contact_id = c.contact_id
         join connectors n on n.tenant_id = r.tenant_id and n.type = r.system and n.enabled
        order by e.id, r.system`,
      [tenantId, list.map((e) => e.id), list.map((e) => e.data.chaseId)],
    );
    const endedAt = new Map(list.map((e) => [e.id, String(e.data.endedAt ?? new Date().toISOString())]));
    const out: NewWriteBack[] = rows.map((r) => {
      const result: ChaseResult = {
        outcome: r.outcome ?? r.status,
        endedAt: endedAt.get(r.event_id)!,
        attempts: Number(r.attempts),
        campaign: r.campaign,
        chaseId: r.chase_id,
      };
      return {
        connector: r.system,
        contactId: r.contact_id,
        dedupeKey: `chase-result:${r.event_id}`,
        item: { kind: 'chase-result', externalId: r.external_id, result },
      };
    });
    await enqueueWriteBacks(tx, deps, tenantId, out);
    total += out.length + (await enqueueCallbackCompletions(tx, deps, tenantId, list));
  }
  return total;
}

/**
 * The vendor automation steps waiting on the ended chases (chase_callbacks: a workflow action
 * that blocked its enrollment) are completed with the chase's result, through the outbox so a
 * vendor outage is retried and a failure ends in the visible dead-letter.
 */
async function enqueueCallbackCompletions(tx: Tx, deps: Deps, tenantId: string, ends: EndEvent[]): Promise<number> {
  const { rows } = await tx.query<{
    system: string;
    callback_id: string;
    contact_id: string;
    status: string;
    outcome: string | null;
    intent: string | null;
    revenue: string | null;
    currency: string | null;
  }>(
    `select b.system, b.callback_id, c.contact_id, c.status, c.outcome, c.revenue::text as revenue, c.revenue_currency as currency,
            (select a.intent from attempts a where a.tenant_id = c.tenant_id and a.chase_id = c.id and a.intent is not null order by a.created_at desc limit 1) as intent
       from chase_callbacks b
       join chases c on c.tenant_id = b.tenant_id and c.id = b.chase_id
       join connectors n on n.tenant_id = b.tenant_id and n.type = b.system and n.enabled
      where b.tenant_id = $1 and b.chase_id = any($2::uuid[])
      order by b.created_at`,
    [tenantId, ends.map((e) => e.data.chaseId)],
  );
  const out: NewWriteBack[] = rows.map((r) => {
    const completion: CallbackCompletion = {
      callbackId: r.callback_id,
      succeeded: !['failed', 'expired'].includes(r.status),
      outcome: r.outcome ?? r.status,
      intent: r.intent,
      recoveredRevenue: r.revenue === null ? null : Number(r.revenue),
      currency: r.currency,
    };
    return { connector: r.system, contactId: r.contact_id, dedupeKey: `callback-complete:${r.callback_id}`, item: { kind: 'callback-complete', completion } };
  });
  await enqueueWriteBacks(tx, deps, tenantId, out);
  return out.length;
}
