/**
 * A tenant's event subscriptions: an endpoint, the event types it wants, and the secret its
 * deliveries are signed with (Standard Webhooks: `whsec_` + base64 of 32 random bytes). The
 * secret is shown once — on create and on rotation — and kept encrypted like PII.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { notFound, validation } from '../errors.ts';
import { decodeCursor, toPage, type Page } from '../common/pagination.ts';
import { outboundEventTypes, type OutboundEventType } from './emit.ts';
import { eventUrlRefusal } from './urls.ts';

const types = z
  .array(z.enum(outboundEventTypes))
  .min(1, 'name at least one event type')
  .max(outboundEventTypes.length)
  .transform((t) => [...new Set(t)])
  .describe(`the event types delivered: ${outboundEventTypes.join(', ')}`);
const url = z.string().trim().max(2000).describe('where events are POSTed: https on a public address (or a host the operator allowed)');
const description = z.string().trim().max(500);

export const SubscriptionInputSchema = z
  .object({ url, types, description: description.nullish(), enabled: z.boolean().default(true) })
  .meta({ id: 'EventSubscriptionInput' });
export const SubscriptionPatchSchema = z.object({
  url: url.optional(),
  types: types.optional(),
  description: description.nullish(),
  enabled: z.boolean().optional(),
});
export type SubscriptionInput = z.output<typeof SubscriptionInputSchema>;
export type SubscriptionPatch = z.output<typeof SubscriptionPatchSchema>;

export interface Subscription {
  id: string;
  url: string;
  types: OutboundEventType[];
  description: string | null;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

interface Row {
  id: string;
  url: string;
  types: OutboundEventType[];
  description: string | null;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, url, types, description, enabled, created_at, updated_at';

const toSubscription = (r: Row): Subscription => ({
  id: r.id,
  url: r.url,
  types: r.types,
  description: r.description,
  enabled: r.enabled,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/** A new Standard Webhooks signing secret. */
export const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

function checkUrl(deps: Deps, value: string): void {
  const refusal = eventUrlRefusal(value, deps.allowedEventHosts);
  if (refusal) throw validation(`url ${refusal}`, 'url');
}

export async function createSubscription(deps: Deps, tenantId: string, input: SubscriptionInput): Promise<Subscription & { secret: string }> {
  checkUrl(deps, input.url);
  const secret = newSecret();
  const { rows } = await deps.db.query<Row>(
    `insert into event_subscriptions (tenant_id, id, url, types, description, enabled, secret_enc) values ($1, $2, $3, $4, $5, $6, $7) returning ${COLUMNS}`,
    [tenantId, randomUUID(), input.url, input.types, input.description ?? null, input.enabled, deps.pii.encrypt(secret)],
  );
  return { ...toSubscription(rows[0]!), secret };
}

export async function listSubscriptions(deps: Deps, tenantId: string, q: { cursor?: string; limit: number }): Promise<Page<Subscription>> {
  const after = q.cursor ? decodeCursor(q.cursor) : null;
  const { rows } = await deps.db.query<Row>(
    `select ${COLUMNS} from event_subscriptions where tenant_id = $1 and ($2::uuid is null or id > $2) order by id limit $3`,
    [tenantId, after, q.limit + 1],
  );
  return toPage(rows, q.limit, toSubscription);
}

export async function getSubscription(deps: Deps, tenantId: string, id: string): Promise<Subscription> {
  const { rows } = await deps.db.query<Row>(`select ${COLUMNS} from event_subscriptions where tenant_id = $1 and id = $2`, [tenantId, id]);
  if (!rows[0]) throw notFound('event subscription', 'id');
  return toSubscription(rows[0]);
}

export async function updateSubscription(deps: Deps, tenantId: string, id: string, patch: SubscriptionPatch): Promise<Subscription> {
  if (patch.url !== undefined) checkUrl(deps, patch.url);
  const { rows } = await deps.db.query<Row>(
    `update event_subscriptions set url = coalesce($3, url), types = coalesce($4, types),
            description = case when $5 then $6 else description end, enabled = coalesce($7, enabled), updated_at = now()
      where tenant_id = $1 and id = $2 returning ${COLUMNS}`,
    [tenantId, id, patch.url ?? null, patch.types ?? null, patch.description !== undefined, patch.description ?? null, patch.enabled ?? null],
  );
  if (!rows[0]) throw notFound('event subscription', 'id');
  return toSubscription(rows[0]);
}

/** Removes a subscription and its delivery log (what was still to be sent is not sent). */
export async function deleteSubscription(deps: Deps, tenantId: string, id: string): Promise<Subscription> {
  // One statement, so the log never outlives its subscription (nor goes without it).
  const { rows } = await deps.db.query<Row>(
    `with sub as (delete from event_subscriptions where tenant_id = $1 and id = $2 returning ${COLUMNS}),
          log as (delete from event_deliveries where tenant_id = $1 and subscription_id = $2 and exists (select 1 from sub))
     select * from sub`,
    [tenantId, id],
  );
  if (!rows[0]) throw notFound('event subscription', 'id');
  return toSubscription(rows[0]);
}

/** A new secret replaces the old at once (deliveries still pending are signed with the new one). */
export async function rotateSecret(deps: Deps, tenantId: string, id: string): Promise<Subscription & { secret: string }> {
  const secret = newSecret();
  const { rows } = await deps.db.query<Row>(
    `update event_subscriptions set secret_enc = $3, updated_at = now() where tenant_id = $1 and id = $2 returning ${COLUMNS}`,
    [tenantId, id, deps.pii.encrypt(secret)],
  );
  if (!rows[0]) throw notFound('event subscription', 'id');
  return { ...toSubscription(rows[0]), secret };
}
