/**
 * The shoppers' side of the story: each abandons a checkout at the store, then the demo follows
 * Chaseline's chases through its API and tells what happens, one line per change. It also plays
 * the world: the early buyer orders while the chase still waits, and a shopper who asked for
 * the link pays a moment after it arrived.
 */
import type { ShopifySim, SimCheckout } from '../sim/shopify/index.ts';
import type { TwilioSim } from '../sim/twilio/index.ts';
import { listAll, type Api } from './api.ts';
import { callee, CURRENCY, intention, type Shopper } from './shoppers.ts';
import type { Waiter } from './wait.ts';

export interface ChaseEvent {
  at: string;
  type: string;
  detail: Record<string, unknown> | null;
}

export interface Attempt {
  channel: 'voice' | 'sms';
  status: string;
  outcome: string | null;
  answeredBy: string | null;
  endedAt: string | null;
}

export interface Chase {
  id: string;
  status: string;
  outcome: string | null;
  context: Record<string, unknown>;
  timeline: ChaseEvent[];
  attempts: Attempt[];
}

export interface Tracked {
  shopper: Shopper;
  checkout: SimCheckout;
  /** Chaseline's chase of this checkout, as its API last showed it (with timeline and attempts). */
  chase?: Chase;
  /** Timeline events already told. */
  told: number;
  /** The order the demo placed for them (before the call, or after the link). */
  order?: { name: string; total: string };
  paying?: boolean;
}

const LIVE = new Set(['scheduled', 'dialing']);
/** How long a shopper takes to pay once the link arrived. */
const PAY_AFTER_MS = 1_500;

export const hasEvent = (chase: Chase | undefined, type: string) => Boolean(chase?.timeline.some((e) => e.type === type));
/**
 * A time as the story tells it, always with its zone: the recipient's when the event names it
 * (calls are placed in their local calling window), else this machine's.
 */
const clock = (iso: unknown, timeZone?: unknown) => {
  const zone = typeof timeZone === 'string' ? timeZone : undefined;
  const format = new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
    timeZoneName: 'short',
    ...(zone ? { timeZone: zone } : {}),
  });
  return `${format.format(new Date(String(iso)))}${zone ? ` (${zone})` : ''}`;
};
const money = (amount: string) => `$${amount}`;
const article = (word: string) => (/^[aeiou]/i.test(word) ? 'an' : 'a');
/** A chase's outcome as the story says it. */
const OUTCOMES: Record<string, string> = { interested: 'interested', 'not-interested': 'not interested', 'sms-sent': 'texted instead', answered: 'answered' };

export class Story {
  readonly tracked: Tracked[] = [];
  private readonly started = Date.now();
  private failure: Error | null = null;

  constructor(private readonly deps: { api: Api; shop: ShopifySim; twilio: TwilioSim; out: (line: string) => void; wait: Waiter; campaignId: string }) {}

  say(name: string, text: string): void {
    const s = Math.floor((Date.now() - this.started) / 1000);
    this.deps.out(`  +${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}  ${name.padEnd(8)} ${text}`);
  }

  /** Each shopper's phone is set up at the carrier (who answers, what they say), then they abandon a checkout. */
  async abandonCarts(shoppers: Shopper[]): Promise<void> {
    for (const shopper of shoppers) {
      const { profile, says } = callee(shopper);
      if (profile) this.deps.twilio.setProfile(shopper.phone, profile);
      if (says) this.deps.twilio.setPersona(shopper.phone, { script: says });
      const { checkout } = await this.deps.wait.step(
        `${shopper.name}'s checkout webhook to be answered`,
        this.deps.shop.createCheckout({
          customer: { firstName: shopper.name, lastName: '', phone: shopper.phone },
          lineItems: [{ title: shopper.product.title, price: shopper.product.price, quantity: 1 }],
          currency: CURRENCY,
        }),
      );
      this.tracked.push({ shopper, checkout, told: 0 });
      this.say(
        shopper.name,
        `left ${article(shopper.product.title)} ${shopper.product.title} (${money(shopper.product.price)}) in the cart: checkout created (${intention(shopper)})`,
      );
    }
  }

  /** Follows every chase until each has ended and its consequences (SMS, payment, revenue) are in. */
  async follow(): Promise<void> {
    await this.deps.wait.until(
      () => this.stillWaitingFor() ?? 'the last chase',
      async () => {
        if (this.failure) throw this.failure;
        await this.poll();
        return this.stillWaitingFor() === null;
      },
      300,
    );
  }

  /** What the story still waits for, naming the shoppers; null when every chase is over. */
  stillWaitingFor(): string | null {
    const waiting = this.tracked.flatMap((t) => {
      const what = pending(t);
      return what ? [`${t.shopper.name} (${what})`] : [];
    });
    return waiting.length ? waiting.join(', ') : null;
  }

  private async poll(): Promise<void> {
    const { api, campaignId } = this.deps;
    // A checkout's chase is the one whose context holds the checkout's recovery link.
    const found = this.tracked.some((t) => !t.chase) ? await listAll<Pick<Chase, 'id' | 'context'>>(api, `/v1/chases?campaignId=${campaignId}`) : [];
    for (const t of this.tracked) {
      const id = t.chase?.id ?? found.find((c) => c.context.link === t.checkout.abandonedCheckoutUrl)?.id;
      if (!id || (t.chase && !pending(t))) continue;
      t.chase = await api.get<Chase>(`/v1/chases/${id}`);
      for (const event of t.chase.timeline.slice(t.told)) this.tell(t, event);
      t.told = t.chase.timeline.length;
      await this.playTheWorld(t);
    }
  }

  /** The shoppers act: the early buyer orders while the chase waits; an interested one pays after the link. */
  private async playTheWorld(t: Tracked): Promise<void> {
    const chase = t.chase!;
    if (t.shopper.kind.ordersFirst && !t.order && chase.status === 'scheduled' && !chase.attempts.length) {
      await this.pay(t, 'placed the order before Chaseline called');
    }
    if (t.shopper.kind.paysAfterCall && !t.paying && chase.outcome === 'interested' && hasEvent(chase, 'sms-sent')) {
      t.paying = true;
      this.deps.wait
        .pause(PAY_AFTER_MS)
        .then(() => this.pay(t, 'opened the link and paid'))
        .catch((err: unknown) => {
          this.failure ??= err instanceof Error ? err : new Error(String(err));
        });
    }
  }

  private async pay(t: Tracked, what: string): Promise<void> {
    const { order } = await this.deps.shop.completeCheckout(t.checkout.token);
    const total = order.lineItems.reduce((sum, li) => sum + Number(li.price) * li.quantity, 0).toFixed(2);
    t.order = { name: order.name, total };
    this.say(t.shopper.name, `${what}: order ${order.name}, ${money(total)}`);
  }

  private tell(t: Tracked, e: ChaseEvent): void {
    const d = e.detail ?? {};
    const name = t.shopper.name;
    switch (e.type) {
      case 'scheduled':
        return this.say(name, d.channel === 'sms' ? 'Chaseline will text instead' : `Chaseline will call at ${clock(d.at, d.timeZone)}`);
      case 'dialing':
        return this.say(name, 'Chaseline calls…');
      case 'answered':
        return this.say(name, 'picked up');
      case 'voicemail':
        return this.say(name, 'it was the answering machine: Chaseline left a voicemail');
      case 'machine':
        return hasEvent(t.chase, 'voicemail') ? undefined : this.say(name, 'an answering machine picked up');
      case 'no-answer':
      case 'busy':
        return this.say(name, e.type === 'busy' ? 'line busy' : 'did not pick up');
      case 'intent': {
        const turn = t.chase!.timeline.slice(0, t.chase!.timeline.indexOf(e)).filter((x) => x.type === 'intent').length;
        const said = t.shopper.kind.says?.[turn];
        const heard = d.intent ? `understood: ${String(d.intent).replaceAll('_', ' ')}` : 'not understood';
        return this.say(name, `${said ? `said "${typeof said === 'string' ? said : JSON.stringify(said)}"` : 'answered'} → ${heard}`);
      }
      case 'sms-sent':
        return this.say(name, d.reason === 'asked for on the call' ? 'Chaseline texted the link, as asked' : 'Chaseline texted the link instead');
      case 'completed':
        return this.say(name, `chase completed: ${OUTCOMES[String(d.outcome ?? t.chase!.outcome)] ?? d.outcome ?? 'done'}`);
      case 'canceled':
        return this.say(name, `chase canceled: ${d.reason ?? 'no reason given'}`);
      case 'opted-out':
        return this.say(name, 'opted out: Chaseline will not call or text them again');
      case 'recovered':
        return this.say(name, `Chaseline counts ${money(String(d.total))} ${d.currency} as recovered by the chase`);
      case 'created':
      case 'ringing':
      case 'refused':
        return; // told by the lines around them
      default:
        return this.say(name, e.type.replaceAll('-', ' '));
    }
  }
}

/** What one shopper's story still waits for, or null once it is told to the end. */
export function pending(t: Tracked): string | null {
  const chase = t.chase;
  if (!chase) return 'the checkout to be chased';
  if (LIVE.has(chase.status)) return `the chase to end, now ${chase.status}`;
  if (chase.attempts.some((a) => a.channel === 'voice' && !a.endedAt)) return 'the call to end';
  if (chase.outcome === 'interested' && !hasEvent(chase, 'sms-sent')) return 'the link SMS';
  if (t.shopper.kind.paysAfterCall && chase.outcome === 'interested') {
    if (!t.order) return 'the payment';
    if (!hasEvent(chase, 'recovered')) return 'Chaseline to count the order as recovered';
  }
  return null;
}
