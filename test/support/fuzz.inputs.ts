/**
 * Valid inputs for the operations whose rules a schema cannot spell out (a phone number, a
 * region, 'HH:MM' times, a connector's credentials): the fuzz mutates these, so that a bad
 * value in one field is not hidden behind another field's validation error and reaches the
 * handler and the database. Operations not listed use a sample made from their schema.
 */
import { cnMobile } from './api.ts';
import { ALL_DAY, campaignBody } from './data.ts';

/**
 * Where connectors configured by the fuzz point: a local port nothing listens on, so that
 * anything trying them (a sync, a check on save) fails at once instead of reaching a vendor.
 */
export const NOWHERE = 'http://127.0.0.1:9';

export interface FuzzIds {
  contact: string;
  segment: string;
  /** A campaign the fuzz may pause, cancel and change. */
  campaign: string;
  /** A campaign left active, to start chases in. */
  activeCampaign: string;
}

export interface ValidInput {
  body?: Record<string, unknown>;
  /** Path parameters other than ids. */
  path?: Record<string, string>;
}

export function validInputs(ids: FuzzIds): Record<string, ValidInput> {
  const shopify = { credentials: { shop: 'fuzz.myshopify.com', accessToken: 'shpat_fuzz0123456789', apiSecret: 'fuzz-secret', apiBaseUrl: NOWHERE } };
  return {
    'tenants.create': { body: { name: 'Fuzz tenant', defaultRegion: 'CN' } },
    'tenants.update': { body: { name: 'default', defaultRegion: 'CN' } },
    'contacts.validate': { body: { phones: [cnMobile(2), '12'], defaultRegion: 'CN' } },
    'contacts.upsert': {
      body: {
        name: 'Fuzz Person',
        phone: cnMobile(3),
        email: 'fuzz@example.com',
        tags: ['vip', 'fuzz'],
        timeZone: 'Asia/Shanghai',
        country: 'CN',
        attributes: { note: 'hello', orderValue: 120, nested: { k: ['v'] } },
        crm: { system: 'hubspot', externalId: '4242' },
      },
    },
    'optOuts.create': { body: { phone: cnMobile(4), channel: 'sms', note: 'asked by letter' } },
    'segments.create': {
      body: {
        name: 'fuzz segment',
        definition: {
          kind: 'rules',
          tiers: [
            { name: 'high', when: { all: [{ attribute: 'orderValue', op: 'gte', value: 100 }, { tag: 'vip' }] } },
            { name: 'rest', when: { notTag: 'none' } },
          ],
        },
      },
    },
    'campaigns.create': { body: campaignBody({ trigger: { type: 'segment-entry', segmentId: ids.segment, tiers: ['high'] } }) },
    'campaigns.update': { body: { name: 'Renamed', rules: { window: ALL_DAY, caps: { callsPerDay: 3 } } } },
    'chaseRules.set': { body: { window: { ...ALL_DAY, exclude: [{ start: '11:30', end: '13:30' }] }, caps: { callsPerDay: 2 } } },
    'chases.start': {
      body: { campaignId: ids.activeCampaign, contact: { phone: cnMobile(5) }, context: { link: 'https://example.com/c', sku: 'A1', cart: { items: [1, 2] } } },
    },
    'chases.startBulk': { body: { campaignId: ids.activeCampaign, segmentId: ids.segment, tiers: ['high'] } },
    'lines.create': { body: { name: 'fuzz line 2', fromNumber: '+14155550101', costPerMinute: 0.01, region: 'US' } },
    'lines.update': { body: { name: 'fuzz line', costPerMinute: 0.02 } },
    'connectors.put': { path: { type: 'shopify' }, body: shopify },
    'connectors.delete': { path: { type: 'shopify' } },
    'connectors.sync': { path: { type: 'shopify' }, body: {} },
    'connectors.outbox': { path: { type: 'shopify' } },
    'connectors.outboxRetry': { path: { type: 'shopify' }, body: {} },
  };
}
