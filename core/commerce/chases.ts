/**
 * What a store's events do to chases. An abandoned checkout starts (or, when updated,
 * postpones and refreshes) a chase in every active abandoned-checkout campaign, keyed on the
 * checkout's token, due its delay after the checkout's last change; a completed checkout or an
 * order ends it at once; an order that follows a contact is revenue recovered by the chase.
 */
import type pg from 'pg';
import type { Deps } from '../deps.ts';
import { AppError, loggable } from '../errors.ts';
import { withTransaction } from '../db/pool.ts';
import { firstDelivery } from '../inbound/deliveries.ts';
import {
  STORE_SYSTEM,
  type CheckoutEvent,
  type CustomerEvent,
  type DataRequestEvent,
  type OrderEvent,
  type RedactEvent,
  type UninstallEvent,
} from './commerce.ts';
import { applyCustomer, applyDataRequest, applyRedact } from './customers.ts';
import { applyUninstall, markShopErased } from './uninstall.ts';

export type CommerceEvent = CheckoutEvent | OrderEvent | CustomerEvent | RedactEvent | DataRequestEvent | UninstallEvent;
import { normalizePhone } from '../phone/phone.ts';
import { getTenant } from '../tenants/tenants.ts';
import { upsertContact } from '../contacts/contacts.ts';
import { getCampaign, type Campaign } from '../campaigns/campaigns.ts';
import { startChase } from '../chases/chases.ts';
import { insertEvent, LIVE } from '../chases/store.ts';
import { chaseEngine } from '../deps.ts';
import { endChases, scheduleChase } from '../chases/transitions.ts';
import { queues } from '../jobs/queue.ts';
import { recordConversion } from '../optimiser/stats.ts';
import { optimisedStarts } from '../optimiser/starts.ts';
import { enqueueForLinkedContacts, enqueueWriteBacks } from '../outbox/outbox.ts';
import { armDelaySql } from '../experiments/assign.ts';

type Log = { info(o: object, msg: string): void; warn(o: object, msg: string): void };

async function checkoutCampaigns(deps: Deps, tenantId: string): Promise<Campaign[]> {
  const { rows } = await deps.db.query<{ id: string }>(
    `select id from campaigns where tenant_id = $1 and status = 'active' and trigger ->> 'type' = 'abandoned-checkout'`,
    [tenantId],
  );
  return Promise.all(rows.map((r) => getCampaign(deps.db, tenantId, r.id)));
}

/** The chase's context: what its script and SMS can say about the cart. */
const cartContext = (e: CheckoutEvent) => ({
  link: e.cart.recoveryUrl,
  cartTotal: e.cart.total,
  currency: e.cart.currency,
  product: e.cart.items[0]?.title ?? null,
  items: e.cart.items.length,
});

export type CheckoutOutcome = 'started' | 'updated' | 'ended' | 'no-campaign' | 'no-number' | 'not-chased';

export async function applyCheckout(deps: Deps, tenantId: string, e: CheckoutEvent, log?: Log): Promise<CheckoutOutcome> {
  if (e.completedAt) {
    const ended = await endBySource(deps, tenantId, e.token, 'the checkout was completed');
    return ended ? 'ended' : 'not-chased';
  }
  // Its order came first (the store's events are processed in any order): nothing to chase.
  if (await checkoutClosed(deps, tenantId, e.token)) return 'not-chased';
  const outcome = await chaseCheckout(deps, tenantId, e, log);
  // An order received while the chase was being started found nothing to end: end it now. (One
  // received after this check runs after the chase committed, and ends it itself.)
  if ((outcome === 'started' || outcome === 'updated') && (await checkoutClosed(deps, tenantId, e.token))) {
    await endBySource(deps, tenantId, e.token, 'the order was placed');
    return 'ended';
  }
  return outcome;
}

/** Whether an order (or the checkout's completion) for this checkout has been received. */
async function checkoutClosed(deps: Deps, tenantId: string, token: string): Promise<boolean> {
  const { rowCount } = await deps.db.query(`select 1 from commerce_events where tenant_id = $1 and closes_checkout = $2 limit 1`, [tenantId, token]);
  return Boolean(rowCount);
}

/** The checkout that a store event closes: an order's, or a completed checkout's own. */
function closedBy(event: CommerceEvent): string | null {
  if ('orderId' in event) return event.checkoutToken;
  if ('completedAt' in event && event.completedAt) return event.token;
  return null;
}

async function chaseCheckout(deps: Deps, tenantId: string, e: CheckoutEvent, log?: Log): Promise<CheckoutOutcome> {
  const campaigns = await checkoutCampaigns(deps, tenantId);
  if (!campaigns.length) return 'no-campaign';
  if (!e.phone) return 'no-number';
  const tenant = await getTenant(deps, tenantId);
  const phone = normalizePhone(e.phone, tenant.defaultRegion);
  if (!phone.valid || !phone.e164) return 'no-number';
  const contact = await upsertContact(
    deps,
    tenantId,
    {
      phone: phone.e164,
      ...(e.name ? { name: e.name } : {}),
      ...(e.customerId ? { crm: { system: STORE_SYSTEM, externalId: e.customerId } } : {}),
    },
    'crm',
  );
  const context = cartContext(e);
  const contextEnc = deps.pii.encrypt(JSON.stringify(context));
  let outcome: CheckoutOutcome = 'not-chased';
  for (const campaign of campaigns) {
    const delay = campaign.trigger.type === 'abandoned-checkout' ? campaign.trigger.delayMinutes : 120;
    const dueAt = new Date(Date.parse(e.updatedAt) + delay * 60_000);
    // The contact's live chase in this campaign follows its newest checkout: a second
    // abandonment by the same person moves that chase on rather than starting another call.
    const refreshed = await withTransaction(deps.db, async (tx) => {
      const { rows } = await tx.query<{
        id: string;
        status: string;
        next_channel: 'voice' | 'sms';
        tier: string | null;
        deadline_at: Date;
        arm_delay: number | null;
      }>(
        `update chases set context_enc = $4, source_key = $5, updated_at = now()
          where tenant_id = $1 and campaign_id = $2 and contact_id = $3 and status = any($6)
          returning id, status, next_channel, tier, deadline_at, ${armDelaySql('chases')} as arm_delay`,
        [tenantId, campaign.id, contact.contact.id, contextEnc, e.token, LIVE],
      );
      const live = rows[0];
      if (!live) return false;
      // Still waiting for its first step: the delay counts from the checkout's latest change.
      const { jobs, clock } = chaseEngine(deps);
      if (live.status === 'scheduled') {
        // A chase in an experiment arm with a delay of its own waits that delay instead.
        const due = live.arm_delay === null ? dueAt : new Date(Date.parse(e.updatedAt) + live.arm_delay * 60_000);
        const earliest = new Date(Math.max(due.getTime(), clock.now().getTime()));
        // An optimised campaign draws the call's hour again from the new earliest time.
        const planned =
          live.next_channel === 'voice'
            ? (await optimisedStarts(tx, deps, tenantId, campaign, [{ contactId: contact.contact.id, tier: live.tier }], earliest, live.deadline_at)).get(
                contact.contact.id,
              )
            : undefined;
        await scheduleChase(tx, jobs, tenantId, live.id, planned?.at ?? earliest, live.next_channel, {
          reason: 'the checkout was updated',
          ...planned?.detail,
        });
      }
      return true;
    });
    if (refreshed) {
      outcome = 'updated';
      continue;
    }
    try {
      await startChase(
        deps,
        tenantId,
        { campaignId: campaign.id, contact: { id: contact.contact.id }, context },
        { dueAt, since: new Date(Date.parse(e.updatedAt)), sourceKey: e.token },
      );
      outcome = 'started';
    } catch (err) {
      // Opted out, or a number the carrier cannot take: the checkout is not chased, and that is said, not thrown.
      if (!(err instanceof AppError) || !['CONFLICT', 'VALIDATION'].includes(err.code)) throw err;
      log?.info({ tenantId, campaignId: campaign.id, error: loggable(err) }, 'abandoned checkout not chased');
    }
  }
  return outcome;
}

/** Attempts that reached the person: a call picked up (by them or their voicemail), an SMS sent. A call still ringing did not. */
const REACHED = ['in-progress', 'completed', 'sent', 'delivered'];

/**
 * An order ends its checkout's chases at once; when a chase had reached the person first,
 * the order's total is revenue it recovered.
 */
export async function applyOrder(deps: Deps, tenantId: string, e: OrderEvent): Promise<{ ended: number; recovered: number }> {
  if (!e.checkoutToken) return { ended: 0, recovered: 0 };
  const token = e.checkoutToken;
  return withTransaction(deps.db, async (tx) => {
    const ended = await endChasesBySource(tx, tenantId, token, 'the order was placed');
    const { rows } = await tx.query<{ id: string; contact_id: string }>(
      `update chases ch set revenue = $3, revenue_currency = $4, updated_at = now()
        where ch.tenant_id = $1 and ch.source_key = $2 and ch.revenue is null
          and exists (select 1 from attempts a where a.tenant_id = ch.tenant_id and a.chase_id = ch.id and a.status = any($5))
        returning id, contact_id`,
      [tenantId, token, e.total, e.currency, REACHED],
    );
    for (const r of rows) await insertEvent(tx, tenantId, r.id, 'recovered', { orderId: e.orderId, total: e.total, currency: e.currency });
    const at = deps.clock?.now() ?? new Date();
    for (const r of rows) await recordConversion(tx, tenantId, r.id, 'order', at);
    if (rows.length) {
      // The store's order says who brought it back, and the customer's record is tagged.
      await enqueueWriteBacks(tx, deps, tenantId, [
        {
          connector: STORE_SYSTEM,
          dedupeKey: `note:${e.orderId}`,
          item: { kind: 'order-note', orderId: e.orderId, note: 'Recovered by Chaseline: the buyer was contacted about this cart before ordering.' },
        },
      ]);
      await enqueueForLinkedContacts(
        tx,
        deps,
        tenantId,
        rows.map((r) => r.contact_id),
        (externalId) => [{ kind: 'tags', externalId, add: ['chase:recovered'] }],
        {
          dedupeKey: () => `recovered:${e.orderId}`,
        },
      );
    }
    return { ended, recovered: rows.length };
  });
}

async function endBySource(deps: Deps, tenantId: string, token: string, reason: string): Promise<number> {
  return withTransaction(deps.db, (tx) => endChasesBySource(tx, tenantId, token, reason));
}

async function endChasesBySource(tx: pg.PoolClient, tenantId: string, token: string, reason: string): Promise<number> {
  const { rows } = await tx.query<{ id: string }>(`select id from chases where tenant_id = $1 and source_key = $2 and status = any($3)`, [
    tenantId,
    token,
    LIVE,
  ]);
  if (!rows.length) return 0;
  return endChases(tx, tenantId, { chaseIds: rows.map((r) => r.id) }, 'canceled', { reason });
}

export interface CommerceEventJob {
  tenantId: string;
  deliveryId: string;
}

/** The job behind a store webhook: the event was verified, mapped and stored encrypted by the webhook. */
export async function runCommerceEvent(deps: Deps, job: CommerceEventJob, log?: Log): Promise<void> {
  const { rows } = await deps.db.query<{ topic: string; event_enc: string | null; processed_at: Date | null }>(
    `select topic, event_enc, processed_at from commerce_events where tenant_id = $1 and delivery_id = $2`,
    [job.tenantId, job.deliveryId],
  );
  const stored = rows[0];
  if (!stored || stored.processed_at || !stored.event_enc) return;
  const event: unknown = JSON.parse(deps.pii.decrypt(stored.event_enc!));
  const topic = stored.topic;
  if (topic.startsWith('checkouts/')) await applyCheckout(deps, job.tenantId, event as CheckoutEvent, log);
  else if (topic.startsWith('orders/')) await applyOrder(deps, job.tenantId, event as OrderEvent);
  else if (topic === 'customers/update') await applyCustomer(deps, job.tenantId, event as CustomerEvent);
  else if (topic === 'customers/redact') await applyRedact(deps, job.tenantId, event as RedactEvent);
  else if (topic === 'shop/redact') {
    await applyRedact(deps, job.tenantId, event as RedactEvent);
    await markShopErased(deps, job.tenantId, (event as RedactEvent).shop);
  } else if (topic === 'app/uninstalled') await applyUninstall(deps, job.tenantId, event as UninstallEvent);
  else if (topic === 'customers/data_request') await applyDataRequest(deps, job.tenantId, event as DataRequestEvent);
  // Done: the event (it names a person) goes; the row stays as the delivery's receipt.
  await deps.db.query(`update commerce_events set processed_at = now(), event_enc = null where tenant_id = $1 and delivery_id = $2`, [
    job.tenantId,
    job.deliveryId,
  ]);
}

/**
 * Stores a verified, mapped store event and queues its job, once per delivery id (core/inbound/deliveries.ts
 * decides, in the same transaction); false for a redelivery. A delivery seen again after the
 * deliveries' retention is new: its event is stored again and processed again (which checkout it
 * closes is kept).
 */
export async function receiveCommerceEvent(deps: Deps, tenantId: string, deliveryId: string, topic: string, event: CommerceEvent): Promise<boolean> {
  const { jobs } = chaseEngine(deps);
  return withTransaction(deps.db, async (tx) => {
    if (!(await firstDelivery(tx, { tenantId, source: STORE_SYSTEM, deliveryId }))) return false;
    await tx.query(
      `insert into commerce_events (tenant_id, delivery_id, topic, event_enc, closes_checkout) values ($1, $2, $3, $4, $5)
       on conflict (tenant_id, delivery_id) do update
         set topic = excluded.topic, event_enc = excluded.event_enc, received_at = now(), processed_at = null,
             closes_checkout = coalesce(excluded.closes_checkout, commerce_events.closes_checkout)`,
      [tenantId, deliveryId, topic, deps.pii.encrypt(JSON.stringify(event)), closedBy(event)],
    );
    await jobs.send(tx, queues.commerceEvent, { tenantId, deliveryId } satisfies CommerceEventJob);
    return true;
  });
}
