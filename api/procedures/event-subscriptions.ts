import { z } from 'zod';
import { defineProcedure } from '../procedure.ts';
import { Id, IdParam, PageQuery, page } from '../schemas.ts';
import { outboundEventTypes } from '../../core/events/emit.ts';
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  listSubscriptions,
  rotateSecret,
  updateSubscription,
  SubscriptionInputSchema,
  SubscriptionPatchSchema,
} from '../../core/events/subscriptions.ts';
import { deliveryStatuses, listDeliveries, replayDelivery, replaySince, wakeDeliveries } from '../../core/events/deliveries.ts';

const TAG = 'event-subscriptions';

const SIGNING =
  'Deliveries are POSTed as `{type, timestamp, data}` and signed per the Standard Webhooks specification (headers webhook-id, webhook-timestamp, webhook-signature; verify with any Standard Webhooks library and this secret). Data holds ids, outcomes and counts, never a phone number, name or email.';

export const EventSubscription = z
  .object({
    id: Id,
    url: z.string(),
    types: z.array(z.enum(outboundEventTypes)),
    description: z.string().nullable(),
    enabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'EventSubscription' });

const WithSecret = EventSubscription.extend({
  secret: z.string().describe('the signing secret (whsec_…), shown only this once'),
}).meta({ id: 'EventSubscriptionWithSecret' });

const EventDelivery = z
  .object({
    id: z.string().describe('the delivery id (per subscription and event)'),
    eventId: Id.describe('the event id, sent as webhook-id: the same on every retry and replay'),
    eventType: z.enum(outboundEventTypes),
    status: z.enum(deliveryStatuses).describe('pending: to be sent or retried; delivered: the receiver answered 2xx; dead: attempts spent (replay it)'),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable().describe('the receiver’s last HTTP status; null when it did not answer'),
    lastError: z.string().nullable(),
    nextAt: z.string().nullable().describe('when a pending delivery is tried next'),
    createdAt: z.string(),
    lastAttemptAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
  })
  .meta({ id: 'EventDelivery' });

const SubscriptionParam = z.object({ id: Id });

export const eventSubscriptionsCreate = defineProcedure({
  name: 'eventSubscriptions.create',
  method: 'post',
  path: '/v1/event-subscriptions',
  summary: `Subscribe an https endpoint to outbound events; the answer holds its signing secret, once. ${SIGNING}`,
  tag: TAG,
  role: 'admin',
  creates: true,
  statuses: [201],
  input: SubscriptionInputSchema,
  output: WithSecret,
  handler: async ({ ctx, input }) => ({ status: 201, body: await createSubscription(ctx.deps, ctx.actor.tenantId, input) }),
});

export const eventSubscriptionsList = defineProcedure({
  name: 'eventSubscriptions.list',
  method: 'get',
  path: '/v1/event-subscriptions',
  summary: 'The tenant’s event subscriptions (their secrets are never shown again)',
  tag: TAG,
  role: 'admin',
  input: PageQuery,
  output: page(EventSubscription),
  handler: async ({ ctx, input }) => ({ body: await listSubscriptions(ctx.deps, ctx.actor.tenantId, input) }),
});

export const eventSubscriptionsGet = defineProcedure({
  name: 'eventSubscriptions.get',
  method: 'get',
  path: '/v1/event-subscriptions/:id',
  summary: 'Fetch an event subscription',
  tag: TAG,
  role: 'admin',
  input: IdParam,
  output: EventSubscription,
  handler: async ({ ctx, input }) => ({ body: await getSubscription(ctx.deps, ctx.actor.tenantId, input.id) }),
});

export const eventSubscriptionsUpdate = defineProcedure({
  name: 'eventSubscriptions.update',
  method: 'patch',
  path: '/v1/event-subscriptions/:id',
  summary:
    'Change a subscription’s url, types, description or enabled (while disabled nothing is sent and new events are not queued for it; enabled again, what was pending is sent, and `replay` catches up on the rest)',
  tag: TAG,
  role: 'admin',
  input: SubscriptionPatchSchema.extend(IdParam.shape),
  output: EventSubscription,
  handler: async ({ ctx, input }) => {
    const { id, ...patch } = input;
    const sub = await updateSubscription(ctx.deps, ctx.actor.tenantId, id, patch);
    if (patch.enabled) await wakeDeliveries(ctx.deps, ctx.actor.tenantId, id);
    return { body: sub };
  },
});

export const eventSubscriptionsDelete = defineProcedure({
  name: 'eventSubscriptions.delete',
  method: 'delete',
  path: '/v1/event-subscriptions/:id',
  summary: 'Remove a subscription and its delivery log (nothing more is sent to it)',
  tag: TAG,
  role: 'admin',
  input: IdParam,
  output: EventSubscription,
  handler: async ({ ctx, input }) => ({ body: await deleteSubscription(ctx.deps, ctx.actor.tenantId, input.id) }),
});

export const eventSubscriptionsRotateSecret = defineProcedure({
  name: 'eventSubscriptions.rotateSecret',
  method: 'post',
  path: '/v1/event-subscriptions/:id/rotate-secret',
  summary: 'Replace the signing secret at once; the answer holds the new one, once',
  tag: TAG,
  role: 'admin',
  input: IdParam,
  output: WithSecret,
  handler: async ({ ctx, input }) => ({ body: await rotateSecret(ctx.deps, ctx.actor.tenantId, input.id) }),
});

export const eventSubscriptionsDeliveries = defineProcedure({
  name: 'eventSubscriptions.deliveries',
  method: 'get',
  path: '/v1/event-subscriptions/:id/deliveries',
  summary: 'The delivery log, newest first: each event sent to this subscription, its status, attempts and the receiver’s last answer',
  tag: TAG,
  role: 'admin',
  input: PageQuery.extend(SubscriptionParam.shape).extend({ status: z.enum(deliveryStatuses).optional() }),
  output: page(EventDelivery),
  handler: async ({ ctx, input }) => {
    const { id, ...q } = input;
    return { body: await listDeliveries(ctx.deps, ctx.actor.tenantId, id, q) };
  },
});

export const eventSubscriptionsReplayDelivery = defineProcedure({
  name: 'eventSubscriptions.replayDelivery',
  method: 'post',
  path: '/v1/event-subscriptions/:id/deliveries/:deliveryId/replay',
  summary: 'Send one delivery again, with fresh attempts (the same webhook-id: receivers that deduplicate see a repeat)',
  tag: TAG,
  role: 'admin',
  statuses: [202],
  input: SubscriptionParam.extend({ deliveryId: z.string().regex(/^\d{1,19}$/, 'must be a delivery id from the log') }),
  output: EventDelivery,
  handler: async ({ ctx, input }) => ({ status: 202, body: await replayDelivery(ctx.deps, ctx.actor.tenantId, input.id, input.deliveryId) }),
});

export const eventSubscriptionsReplay = defineProcedure({
  name: 'eventSubscriptions.replay',
  method: 'post',
  path: '/v1/event-subscriptions/:id/replay',
  summary: 'Send again every event of the subscription’s types since a time (a receiver that lost data catches up)',
  tag: TAG,
  role: 'admin',
  statuses: [202],
  input: SubscriptionParam.extend({ since: z.iso.datetime({ offset: true }).describe('ISO 8601; events at or after it are sent again') }),
  output: z.object({ queued: z.number().int().describe('deliveries queued') }),
  handler: async ({ ctx, input }) => ({ status: 202, body: { queued: await replaySince(ctx.deps, ctx.actor.tenantId, input.id, new Date(input.since)) } }),
});
