/**
 * POST /plugins/shopify/flow/start-chase: the "Start Chaseline chase" Flow action
 * (plugins/shopify/extensions/start-chase). Flow signs the raw body with the app's secret
 * (X-Shopify-Hmac-SHA256); the shop's tenant starts a chase for the customer in the campaign the
 * merchant named. Flow shows a 4xx as the step's failure and retries a 5xx or a 429, and repeats
 * a request it got no answer to with the same action_run_id, which starts one chase only.
 * https://shopify.dev/docs/apps/build/flow/actions/endpoints
 */
import express from 'express';
import { z } from 'zod';
import type { Shopify } from '@shopify/shopify-api';
import type { Deps } from '../../../core/deps.ts';
import { AppError } from '../../../core/errors.ts';
import { assertAcceptedText } from '../../../core/common/text.ts';
import { accountTenant } from '../../../core/integrations/installs.ts';
import { connectorCredentials } from '../../../core/integrations/connectors.ts';
import { campaignByRef, startKeyedChase } from '../../../core/chases/keyed.ts';
import { STORE_SYSTEM, type RawPhone } from '../../../core/commerce/commerce.ts';
import { connectors } from '../../../connectors/registry.ts';
import { checkVendorUrls } from '../../../connectors/vendor-urls.ts';
import type { ShopifyCredentials } from '../../../connectors/shopify/schemas.ts';

const FlowActionRequest = z.object({
  shopify_domain: z.string().min(1),
  action_run_id: z.string().min(1).max(200),
  properties: z.object({
    // A customer_reference field arrives as the customer's id (number or GID).
    customer_id: z.union([z.string().min(1), z.number().int().positive()]).transform(String),
    campaign: z.string().trim().min(1).max(200),
  }),
});

/** Numeric id, as checkouts carry it and the contact's reference keeps it. */
const customerKey = (id: string) => id.replace(/^gid:\/\/shopify\/Customer\//, '');

/** The customer as the store has them, through the shop's connector; 4xx naming the field when they cannot be chased. */
async function storeCustomer(deps: Deps, tenantId: string, customerId: string): Promise<{ phone: RawPhone; name: string | null }> {
  const credentials = (await connectorCredentials(deps, tenantId, STORE_SYSTEM)) as ShopifyCredentials | null;
  if (!credentials) throw new AppError('NOT_FOUND', 'the shop has not installed Chaseline', { field: 'shopify_domain' });
  checkVendorUrls(credentials, connectors.shopify.urls, deps.allowedVendorHosts);
  const customer = await connectors.shopify.create(credentials).customer(customerId);
  if (!customer) throw new AppError('NOT_FOUND', 'the store has no such customer', { field: 'properties.customer_id' });
  if (!customer.phone) throw new AppError('VALIDATION', 'the customer has no phone number in the store', { field: 'properties.customer_id' });
  return { phone: customer.phone, name: customer.name };
}

export function flowRoutes(deps: Deps, shopify: Shopify): express.Router {
  const router = express.Router();
  router.post('/flow/start-chase', express.raw({ type: () => true, limit: '256kb' }), async (req, res) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const check = await shopify.flow.validate({ rawBody, rawRequest: req, rawResponse: res });
    if (!check.valid) throw new AppError('UNAUTHENTICATED', 'the Flow request is not signed with the app secret');
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      throw new AppError('MALFORMED_JSON', 'the body is not JSON');
    }
    // Text the database cannot hold, or JSON nested past reason, is the sender's error (core/common/text.ts).
    assertAcceptedText(body);
    const action = FlowActionRequest.parse(body);
    const tenantId = await accountTenant(deps, STORE_SYSTEM, action.shopify_domain);
    if (!tenantId) throw new AppError('NOT_FOUND', 'the shop has not installed Chaseline', { field: 'shopify_domain' });
    const campaign = await campaignByRef(deps, tenantId, action.properties.campaign, 'properties.campaign');
    const externalId = customerKey(action.properties.customer_id);
    if (!/^\d+$/.test(externalId)) throw new AppError('VALIDATION', 'is not a Shopify customer id', { field: 'properties.customer_id' });
    const crm = { system: STORE_SYSTEM, externalId };
    const key = `flow:${action.action_run_id}`;
    let started;
    try {
      started = await startKeyedChase(deps, tenantId, { campaignId: campaign.id, contact: { crm } }, key);
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'NOT_FOUND' && err.field === 'contact.crm')) throw err;
      // A customer Chaseline has not met yet: their number and name come from the store.
      const customer = await storeCustomer(deps, tenantId, externalId);
      started = await startKeyedChase(
        deps,
        tenantId,
        { campaignId: campaign.id, contact: { crm, phone: customer.phone, ...(customer.name ? { name: customer.name } : {}) } },
        key,
      );
    }
    const { chase, repeated } = started;
    req.log.info({ tenantId, chaseId: chase.id, repeated }, 'shopify flow action started a chase');
    res.status(200).json({ chaseId: chase.id, status: chase.status });
  });
  return router;
}
