/**
 * The "Start Chaseline chase" custom workflow action (plugins/hubspot/src/app/workflow-actions).
 * HubSpot POSTs each enrolled contact to the actionUrl (signed v2): the callback id, the
 * portal, the contact with the properties the action asked for (objectRequestOptions) and
 * the input fields. Chaseline starts the chase and answers BLOCK, so the enrollment waits
 * until the chase ends (up to hs_expiration_duration); the chase's end completes it through
 * the callbacks API with the outcome (core/events/results.ts → the outbox). The same callback
 * sent again (HubSpot retries) answers BLOCK for the chase it already started.
 * The optionsUrl answers the campaign field's options.
 * https://developers.hubspot.com/docs/api-reference/automation-actions-v4-v4/custom-action-guide
 */
import express from 'express';
import { z } from 'zod';
import type { Deps } from '../../../core/deps.ts';
import { AppError } from '../../../core/errors.ts';
import { callbackChase, rememberCallback } from '../../../core/chases/callbacks.ts';
import { listCampaigns } from '../../../core/campaigns/campaigns.ts';
import { startChase, type ChaseDetail } from '../../../core/chases/chases.ts';
import { phoneFromHubspot } from '../../../connectors/hubspot/mapping.ts';
import { SYSTEM, tenantOfPortal } from './hubspot.ts';

const PortalId = z.union([z.number().int().positive(), z.string().regex(/^\d{1,20}$/)]).transform(String);
const Origin = z.looseObject({ portalId: PortalId });

const ActionRequest = z.looseObject({
  callbackId: z.string().min(1).max(200),
  origin: Origin,
  object: z.looseObject({
    objectId: z.union([z.number().int().positive(), z.string().regex(/^\d{1,20}$/)]).transform(String),
    properties: z.record(z.string(), z.string().nullable()).default({}),
  }),
  inputFields: z.looseObject({ campaignId: z.uuid('must be a Chaseline campaign (choose one in the action)') }),
});

const OptionsRequest = z.looseObject({
  origin: Origin,
  fetchOptions: z.looseObject({ q: z.string().max(200).optional() }).optional(),
});

/** An ISO 8601 duration HubSpot waits before giving up: until the chase's deadline, and a day more for its last attempt to report. */
export function expirationDuration(chase: Pick<ChaseDetail, 'deadlineAt'>, now = Date.now()): string {
  const seconds = Math.max(3600, Math.ceil((Date.parse(chase.deadlineAt) - now) / 1000) + 86_400);
  return `PT${seconds}S`;
}

const blocked = (chase: ChaseDetail) => ({ outputFields: { hs_execution_state: 'BLOCK', hs_expiration_duration: expirationDuration(chase) } });

const nameOf = (p: Record<string, string | null>) =>
  [p.firstname, p.lastname]
    .filter((s): s is string => !!s?.trim())
    .join(' ')
    .trim() || undefined;

export function workflowRoutes(deps: Deps): express.Router {
  const router = express.Router();

  router.post('/start-chase', async (req, res) => {
    const input = ActionRequest.parse(req.body ?? {});
    const tenantId = await tenantOfPortal(deps, input.origin.portalId);
    const already = await callbackChase(deps, tenantId, SYSTEM, input.callbackId);
    if (already) return void res.json(blocked(already));
    const { campaignId } = input.inputFields;
    const phone = phoneFromHubspot(input.object.properties) ?? undefined;
    const name = nameOf(input.object.properties);
    let chase: ChaseDetail;
    try {
      chase = await startChase(deps, tenantId, {
        campaignId,
        contact: { crm: { system: SYSTEM, externalId: input.object.objectId }, ...(phone ? { phone } : {}), ...(name ? { name } : {}) },
      });
    } catch (err) {
      // The same callback racing itself: the other request started the chase.
      const raced = err instanceof AppError && err.code === 'CONFLICT' ? await callbackChase(deps, tenantId, SYSTEM, input.callbackId) : null;
      if (raced) return void res.json(blocked(raced));
      throw err;
    }
    await rememberCallback(deps, tenantId, SYSTEM, input.callbackId, chase.id);
    res.json(blocked(chase));
  });

  router.post('/campaign-options', async (req, res) => {
    const input = OptionsRequest.parse(req.body ?? {});
    const tenantId = await tenantOfPortal(deps, input.origin.portalId);
    const q = input.fetchOptions?.q?.toLowerCase();
    const page = await listCampaigns(deps, tenantId, { limit: 100, status: 'active' });
    const options = page.items.filter((c) => !q || c.name.toLowerCase().includes(q)).map((c) => ({ label: c.name, value: c.id }));
    res.json({ options, searchable: true });
  });

  return router;
}
