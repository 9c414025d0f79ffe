/**
 * A store's abandoned-cart chasing as its merchant sees it (the store app's embedded page): on or
 * off, how long after the checkout, which hours are quiet; and what it did lately. Underneath it
 * is one ordinary campaign with the abandoned-checkout trigger, made the first time chasing is
 * turned on, so the console, reports and the API see the same thing.
 */
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { CallingWindow } from '../campaigns/calling-window.ts';
import { createCampaign, getCampaign, setCampaignStatus, updateCampaign, type Campaign } from '../campaigns/campaigns.ts';
import { campaignWarnings, poolState, type CampaignWarning } from '../campaigns/warnings.ts';
import { CHASE_COLUMNS, toChase, type Chase, type ChaseRow } from '../chases/store.ts';
import { summary, type Revenue } from '../reports/rollups.ts';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a local time 'HH:MM'");

export const CartChasingInput = z.object({
  enabled: z.boolean(),
  delayMinutes: z.number().int().min(0).max(10_080).describe('after the checkout was last updated'),
  /** No calls between start and end, in the buyer's local time (may run past midnight: 21:00–08:00). */
  quietHours: z
    .object({ start: hhmm, end: hhmm })
    .refine((q) => q.start !== q.end, { message: 'start and end must differ', path: ['end'] })
    .nullable(),
});
export type CartChasingInput = z.infer<typeof CartChasingInput>;

export interface CartChasing extends CartChasingInput {
  campaignId: string | null;
  /**
   * What would stop the calls though chasing is on: a store installed from its admin gets a
   * tenant of its own, with no caller line until the operator adds one (POST /v1/lines).
   */
  warnings: CampaignWarning[];
}

const DAYS = ['1', '2', '3', '4', '5', '6', '7'] as const;
const WHOLE_DAY = [{ start: '00:00', end: '24:00' }];

/** Quiet hours as a calling window: every day, all day, less the quiet spans (split at midnight). */
export function quietWindow(q: { start: string; end: string } | null): CallingWindow | undefined {
  if (!q) return undefined;
  const exclude =
    q.start < q.end
      ? [{ start: q.start, end: q.end }]
      : [
          { start: '00:00', end: q.end },
          { start: q.start, end: '24:00' },
        ].filter((s) => s.start !== s.end);
  return { days: Object.fromEntries(DAYS.map((d) => [d, WHOLE_DAY])), exclude } as CallingWindow;
}

/** The quiet hours a window made by quietWindow stands for; null for any other window. */
export function quietHoursOf(w: CallingWindow | undefined): { start: string; end: string } | null {
  const ex = w?.exclude ?? [];
  if (ex.length === 1) return { start: ex[0]!.start, end: ex[0]!.end };
  if (ex.length === 2) {
    const morning = ex.find((s) => s.start === '00:00');
    const evening = ex.find((s) => s.end === '24:00');
    if (morning && evening) return { start: evening.start, end: morning.end };
  }
  return null;
}

/** The store's own campaign: the first abandoned-checkout campaign not canceled. */
async function cartCampaign(deps: Deps, tenantId: string): Promise<Campaign | null> {
  const { rows } = await deps.db.query<{ id: string }>(
    `select id from campaigns where tenant_id = $1 and trigger ->> 'type' = 'abandoned-checkout' and status <> 'canceled' order by created_at, id limit 1`,
    [tenantId],
  );
  return rows[0] ? getCampaign(deps.db, tenantId, rows[0].id) : null;
}

export async function getCartChasing(deps: Deps, tenantId: string): Promise<CartChasing> {
  const c = await cartCampaign(deps, tenantId);
  const warnings = campaignWarnings(c ?? { lines: [] }, await poolState(deps.db, tenantId));
  if (!c) return { enabled: false, delayMinutes: 120, quietHours: { start: '21:00', end: '08:00' }, campaignId: null, warnings };
  return {
    enabled: c.status === 'active',
    delayMinutes: c.trigger.type === 'abandoned-checkout' ? c.trigger.delayMinutes : 120,
    quietHours: quietHoursOf(c.rules.window as CallingWindow | undefined),
    campaignId: c.id,
    warnings,
  };
}

export async function setCartChasing(deps: Deps, tenantId: string, input: unknown): Promise<CartChasing> {
  const s = CartChasingInput.parse(input);
  const window = quietWindow(s.quietHours);
  const current = await cartCampaign(deps, tenantId);
  const trigger = { type: 'abandoned-checkout', delayMinutes: s.delayMinutes };
  let campaign: Campaign;
  if (current) {
    campaign = await updateCampaign(deps, tenantId, current.id, { trigger, rules: { ...current.rules, window } });
  } else {
    // Call first; a text with the cart's link follows a call nobody answered.
    campaign = await createCampaign(deps, tenantId, {
      name: 'Abandoned carts',
      trigger,
      goal: 'order',
      industry: 'ecommerce',
      channel: { policy: 'voice-then-sms', smsAfterMinutes: 30 },
      rules: { ...(window ? { window } : {}) },
      scripts: [
        {
          name: 'cart',
          say: 'Hi {{name}}, you left {{context.product}} in your cart. Shall I text you a link to finish your order?',
          sms: 'Your cart is waiting: {{context.link}}',
        },
      ],
    });
  }
  const wanted = s.enabled ? 'active' : 'paused';
  if (campaign.status !== wanted) await setCampaignStatus(deps, tenantId, campaign.id, s.enabled ? 'resume' : 'pause');
  return getCartChasing(deps, tenantId);
}

export interface StoreOverview {
  /** The last chases, newest first. */
  chases: (Pick<Chase, 'id' | 'campaignId' | 'status' | 'outcome' | 'createdAt'> & {
    cartTotal: string | null;
    currency: string | null;
    recovered: Revenue | null;
  })[];
  /** The last 30 days: chases, orders that followed a contact, and the revenue they brought back. */
  last30Days: { chases: number; conversions: number; revenue: Revenue[] };
}

const DAY_MS = 86_400_000;

export async function storeOverview(deps: Deps, tenantId: string, limit = 20): Promise<StoreOverview> {
  const { rows } = await deps.db.query<ChaseRow & { revenue: string | null; revenue_currency: string | null }>(
    `select ${CHASE_COLUMNS}, revenue, revenue_currency from chases where tenant_id = $1 order by created_at desc, id limit $2`,
    [tenantId, limit],
  );
  const now = deps.clock?.now() ?? new Date();
  const [total] = await summary(deps.db, tenantId, { from: new Date(now.getTime() - 30 * DAY_MS), to: new Date(now.getTime() + 3_600_000) });
  return {
    chases: rows.map((r) => {
      const c = toChase(deps, r);
      return {
        id: c.id,
        campaignId: c.campaignId,
        status: c.status,
        outcome: c.outcome,
        createdAt: c.createdAt,
        cartTotal: typeof c.context.cartTotal === 'string' ? c.context.cartTotal : null,
        currency: typeof c.context.currency === 'string' ? c.context.currency : null,
        recovered: r.revenue !== null && r.revenue_currency ? { currency: r.revenue_currency, amount: Number(r.revenue) } : null,
      };
    }),
    last30Days: { chases: total?.chases ?? 0, conversions: total?.conversions ?? 0, revenue: total?.revenue ?? [] },
  };
}
