/**
 * The store and the CRM: the Shopify and HubSpot simulators, started on free ports and
 * connected to Chaseline through its own REST API, as an admin would connect the real ones.
 */
import { startHubspotSim, type HubspotSim, type PropertyInput } from '../sim/hubspot/index.ts';
import { startShopifySim, type ShopifySim } from '../sim/shopify/index.ts';
import { listAll, type Api } from './api.ts';
import type { Shopper } from './shoppers.ts';
import type { Teardown } from './teardown.ts';
import type { Waiter } from './wait.ts';

export interface Vendors {
  shop: ShopifySim;
  hubspot: HubspotSim;
}

/**
 * The contact properties the HubSpot connector reads and writes, defined in the portal: the
 * tags as a multiple-checkbox property (Chaseline adds its `chase:…` options), do-not-call.
 */
const HUBSPOT_PROPERTIES: PropertyInput[] = [
  { name: 'chaseline_tags', label: 'Chaseline tags', type: 'enumeration', fieldType: 'checkbox', options: [] },
  'chaseline_do_not_call',
  'mobilephone',
  'country',
];

export async function startVendors(chaselineUrl: string, teardown: Teardown): Promise<Vendors> {
  const shop = await startShopifySim({ webhookUrl: `${chaselineUrl}/webhooks/shopify` });
  teardown.add('the Shopify simulator', () => shop.close());
  const hubspot = await startHubspotSim({ contactProperties: HUBSPOT_PROPERTIES });
  teardown.add('the HubSpot simulator', () => hubspot.close());
  return { shop, hubspot };
}

export async function connectShopify(api: Api, shop: ShopifySim): Promise<void> {
  await api.put('/v1/connectors/shopify', {
    credentials: { shop: shop.shop, accessToken: shop.accessToken, apiSecret: shop.apiSecret, apiBaseUrl: shop.url },
  });
}

interface ConnectorState {
  type: string;
  syncStatus: 'queued' | 'running' | 'ok' | 'failed' | null;
  lastError: string | null;
  outbox: { pending: number; dead: number };
}

export const connectorStates = async (api: Api) => (await api.get<{ items: ConnectorState[] }>('/v1/connectors')).items;

/**
 * The shoppers are HubSpot contacts already (same numbers): seeded in the CRM, then HubSpot is
 * connected and synced. @returns how many contacts Chaseline now holds linked to HubSpot
 */
export async function syncHubspot(api: Api, hubspot: HubspotSim, shoppers: Shopper[], wait: Waiter): Promise<number> {
  for (const s of shoppers) hubspot.upsertContact({ firstname: s.name, phone: s.phone });
  await api.put('/v1/connectors/hubspot', { credentials: { accessToken: hubspot.accessToken, apiBaseUrl: hubspot.url } });
  await api.post('/v1/connectors/hubspot/sync');
  const state = await wait.until('the HubSpot sync to finish', async () => {
    const s = (await connectorStates(api)).find((c) => c.type === 'hubspot');
    return s && ['ok', 'failed'].includes(s.syncStatus ?? '') && s;
  });
  if (state.syncStatus === 'failed') throw new Error(`the HubSpot sync failed: ${state.lastError}`);
  const contacts = await listAll<{ crm: { system: string }[] }>(api, '/v1/contacts');
  return contacts.filter((c) => c.crm.some((r) => r.system === 'hubspot')).length;
}
