/**
 * The closing report: what Chaseline did (read from its API: chases, outcomes, recovered
 * revenue), what the vendors received (read from the simulators: HubSpot's engagements, the
 * store's tags and notes), and every place where that differs from what the shoppers did.
 */
import type { HubspotSim } from '../sim/hubspot/index.ts';
import type { ShopifySim } from '../sim/shopify/index.ts';
import { intention, type KindId } from './shoppers.ts';
import { hasEvent, type Chase, type Tracked } from './story.ts';

export interface DemoReport {
  checkouts: number;
  chased: number;
  called: number;
  /** A person answered (not voicemail). */
  reached: number;
  interested: number;
  notInterested: number;
  optedOut: number;
  /** No person answered the call, and the SMS went instead. */
  noAnswerSms: number;
  /** Of those, voicemail picked up. */
  voicemail: number;
  canceledBeforeCall: number;
  recovered: { orders: number; total: string; currency: string };
  hubspot: { callEngagements: number; smsCommunications: number; doNotCall: number; tagged: number };
  shopify: { customersTagged: number; orderNotes: number; smsConsentWithdrawn: number };
  /** What Chaseline or a vendor shows that the shoppers' behaviour does not explain; empty when the story held. */
  surprises: string[];
}

const voiceCalls = (c: Chase | undefined) => c?.attempts.filter((a) => a.channel === 'voice') ?? [];
const personAnswered = (c: Chase | undefined) => voiceCalls(c).some((a) => a.answeredBy === 'human' || (a.answeredBy === null && a.status === 'completed'));
const cents = (amount: string) => Math.round(Number(amount) * 100);

/** What each kind of shopper should have come to. */
const EXPECTED: Record<KindId, (c: Chase | undefined) => boolean> = {
  'wants-link': (c) => c?.outcome === 'interested' && hasEvent(c, 'recovered'),
  'asks-price': (c) => c?.outcome === 'interested' && hasEvent(c, 'recovered'),
  'not-interested': (c) => c?.status === 'completed' && c.outcome === 'not-interested',
  'opts-out': (c) => c?.status === 'opted-out',
  'no-answer': (c) => !personAnswered(c) && hasEvent(c, 'sms-sent'),
  'orders-first': (c) => c?.status === 'canceled' && voiceCalls(c).length === 0,
};

export function buildReport(tracked: Tracked[], vendors: { shop: ShopifySim; hubspot: HubspotSim }): DemoReport {
  const chases = tracked.map((t) => t.chase);
  const count = (test: (c: Chase | undefined, t: Tracked) => boolean) => tracked.filter((t) => test(t.chase, t)).length;
  const recoveredEvents = chases.flatMap((c) => c?.timeline.filter((e) => e.type === 'recovered') ?? []);
  const currencies = [...new Set(recoveredEvents.map((e) => String(e.detail?.currency)))];
  const totalCents = recoveredEvents.reduce((sum, e) => sum + cents(String(e.detail?.total ?? '0')), 0);

  const { shop, hubspot } = vendors;
  const customers = shop.customers();
  const report: DemoReport = {
    checkouts: tracked.length,
    chased: count((c) => Boolean(c)),
    called: count((c) => voiceCalls(c).length > 0),
    reached: count((c) => personAnswered(c)),
    interested: count((c) => c?.outcome === 'interested'),
    notInterested: count((c) => c?.outcome === 'not-interested'),
    optedOut: count((c) => c?.status === 'opted-out'),
    noAnswerSms: count((c) => voiceCalls(c).length > 0 && !personAnswered(c) && hasEvent(c, 'sms-sent')),
    voicemail: count((c) => hasEvent(c, 'machine') && hasEvent(c, 'sms-sent')),
    canceledBeforeCall: count((c) => c?.status === 'canceled' && voiceCalls(c).length === 0),
    recovered: { orders: recoveredEvents.length, total: (totalCents / 100).toFixed(2), currency: currencies.join('+') || 'USD' },
    hubspot: {
      callEngagements: hubspot.calls().length,
      smsCommunications: hubspot.communications().filter((m) => m.properties.hs_communication_channel_type === 'SMS').length,
      doNotCall: hubspot.contacts().filter((c) => c.properties.chaseline_do_not_call === 'true').length,
      tagged: hubspot.contacts().filter((c) => (c.properties.chaseline_tags ?? '').includes('chase:')).length,
    },
    shopify: {
      customersTagged: customers.filter((c) => c.tags.some((tag) => tag.startsWith('chase:'))).length,
      orderNotes: shop.orders().filter((o) => o.note?.includes('Recovered by Chaseline')).length,
      smsConsentWithdrawn: customers.filter((c) => c.smsMarketingConsent?.state === 'unsubscribed').length,
    },
    surprises: [],
  };
  report.surprises = surprises(tracked, report);
  return report;
}

function surprises(tracked: Tracked[], r: DemoReport): string[] {
  const found: string[] = [];
  for (const t of tracked) {
    if (!EXPECTED[t.shopper.kind.id](t.chase)) {
      const c = t.chase;
      found.push(
        `${t.shopper.name} (${intention(t.shopper)}): the chase ended ${c ? `${c.status}/${c.outcome ?? '-'} after ${c.timeline.map((e) => e.type).join(', ')}` : 'never started'}`,
      );
    }
  }
  const calls = tracked.reduce((n, t) => n + voiceCalls(t.chase).filter((a) => a.endedAt).length, 0);
  const texts = tracked.reduce((n, t) => n + (t.chase?.timeline.filter((e) => e.type === 'sms-sent').length ?? 0), 0);
  const expect = (what: string, got: number, wanted: number) => {
    if (got !== wanted) found.push(`${what}: ${got}, expected ${wanted}`);
  };
  expect('HubSpot call engagements', r.hubspot.callEngagements, calls);
  expect('HubSpot SMS communications', r.hubspot.smsCommunications, texts);
  expect('HubSpot contacts tagged with the outcome', r.hubspot.tagged, r.called);
  expect('HubSpot contacts marked do-not-call', r.hubspot.doNotCall, r.optedOut);
  expect('Shopify customers tagged', r.shopify.customersTagged, r.called);
  expect('Shopify customers whose SMS consent was withdrawn', r.shopify.smsConsentWithdrawn, r.optedOut);
  expect('Shopify order notes', r.shopify.orderNotes, r.recovered.orders);
  expect('orders recovered', r.recovered.orders, tracked.filter((t) => t.shopper.kind.paysAfterCall).length);
  return found;
}

export function formatReport(r: DemoReport, seconds: number): string[] {
  const row = (label: string, value: string | number, note = '') => `  ${label.padEnd(34)} ${String(value).padStart(5)}${note ? `   ${note}` : ''}`;
  return [
    `Report (${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s)`,
    row('abandoned checkouts', r.checkouts),
    row('chased', r.chased),
    row('called', r.called),
    row('reached (a person answered)', r.reached),
    row('  interested: link sent by SMS', r.interested),
    row('  not interested', r.notInterested),
    row('  opted out (every channel)', r.optedOut),
    row('no answer → SMS instead', r.noAnswerSms, r.voicemail ? `(${r.voicemail} of them after a voicemail)` : ''),
    row('canceled: ordered before the call', r.canceledBeforeCall),
    row('recovered revenue', `${r.recovered.total} ${r.recovered.currency}`, `from ${r.recovered.orders} orders placed after the call`),
    'What the vendors received:',
    row('HubSpot: call engagements', r.hubspot.callEngagements, 'associated to the contacts'),
    row('HubSpot: SMS communications', r.hubspot.smsCommunications),
    row('HubSpot: contacts tagged chase:*', r.hubspot.tagged),
    row('HubSpot: contacts set do-not-call', r.hubspot.doNotCall),
    row('Shopify: customers tagged chase:*', r.shopify.customersTagged),
    row('Shopify: order notes', r.shopify.orderNotes, '"Recovered by Chaseline …"'),
    row('Shopify: SMS consent withdrawn', r.shopify.smsConsentWithdrawn),
  ];
}
