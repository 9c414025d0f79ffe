/**
 * Shopify credentials tried with the cheapest Admin API read there is, the store itself
 * (`{ shop { name } }`, cost 1): a wrong token is Shopify's 401, a wrong shop domain no answer.
 */
import type { CredentialCheck } from '../../core/integrations/connectors.ts';
import { tryCredentials } from '../check.ts';
import { createAdminApi } from './admin.ts';
import { shopifyCredentials, type ShopifyCredentials } from './schemas.ts';

export function checkShopifyCredentials(credentials: ShopifyCredentials): Promise<CredentialCheck> {
  return tryCredentials('Shopify', () => createAdminApi(shopifyCredentials.parse(credentials)).request('query ChaselineCheck { shop { name } }', {}));
}
