/**
 * A chase's end as an outbound event, written in the transaction that ends it. Every ended
 * chase raises exactly one: `chase.opted_out` when the person opted out, `chase.failed` when
 * it failed or ran out of time (`expired`), and `chase.completed` otherwise — including a
 * chase canceled by someone or by the order it chased being placed; `status` says which.
 */
import type pg from 'pg';
import type { OutboundEventType } from './emit.ts';

type Tx = Pick<pg.PoolClient, 'query'>;

export const chaseEndEvent: Record<string, OutboundEventType> = {
  completed: 'chase.completed',
  canceled: 'chase.completed',
  'opted-out': 'chase.opted_out',
  failed: 'chase.failed',
  expired: 'chase.failed',
};

/**
 * Emits the end event of each ended chase among `chaseIds`, set-based (an opt-out may end
 * thousands at once). Data: ids, outcome, status, placed attempts and the end time — no PII.
 * A chase that already has its end event keeps the first one.
 */
export async function emitChasesEnded(tx: Tx, tenantId: string, chaseIds: string[]): Promise<number> {
  if (!chaseIds.length) return 0;
  const { rowCount } = await tx.query(
    `insert into events (tenant_id, id, type, data)
     select c.tenant_id, gen_random_uuid(), m.type,
            jsonb_build_object(
              'chaseId', c.id, 'campaignId', c.campaign_id, 'contactId', c.contact_id,
              'outcome', c.outcome, 'status', c.status,
              'attempts', (select count(*) from attempts a where a.tenant_id = c.tenant_id and a.chase_id = c.id and a.status <> 'not-placed'),
              'endedAt', to_char(c.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
       from chases c
       join jsonb_each_text($3::jsonb) as m (status, type) on m.status = c.status
      where c.tenant_id = $1 and c.id = any($2::uuid[])
     on conflict (tenant_id, (data ->> 'chaseId')) where type in ('chase.completed', 'chase.opted_out', 'chase.failed') do nothing`,
    [tenantId, chaseIds, JSON.stringify(chaseEndEvent)],
  );
  return rowCount ?? 0;
}
