/**
 * The record card's endpoints (plugins/hubspot/src/app/cards/ChaseCard.tsx), reached with
 * hubspot.fetch: HubSpot's proxy signs each request (v3) and adds portalId, userId,
 * userEmail and appId to the query. The card shows a contact's chases, starts one, and
 * shows the latest chase's timeline. A contact Chaseline does not know has no chases: an
 * empty list, not an error.
 * https://developers.hubspot.com/docs/apps/developer-platform/add-features/ui-extensibility/fetching-data
 */
import express from 'express';
import { z } from 'zod';
import type { Deps } from '../../../core/deps.ts';
import { AppError } from '../../../core/errors.ts';
import { chasesOfRecord } from '../../../core/chases/callbacks.ts';
import { listCampaigns } from '../../../core/campaigns/campaigns.ts';
import { startChase } from '../../../core/chases/chases.ts';
import { Id, PhoneText } from '../../schemas.ts';
import { SYSTEM, queryPortalTenant } from './hubspot.ts';

export const ObjectId = z.string().regex(/^\d{1,20}$/, 'must be a HubSpot record id (digits)');

const StartFromCard = z.object({
  objectId: z.union([ObjectId, z.number().int().positive().transform(String)]),
  campaignId: Id,
  phone: PhoneText.optional(),
  name: z.string().trim().min(1).max(200).optional(),
});

/** What the card lists of a chase: no PII, nothing a rep viewing the record cannot see. */
const chaseRow = (c: {
  id: string;
  status: string;
  outcome: string | null;
  campaignId: string;
  campaignName?: string;
  createdAt: string;
  updatedAt: string;
}) => ({
  id: c.id,
  status: c.status,
  outcome: c.outcome,
  campaignId: c.campaignId,
  campaignName: c.campaignName ?? '',
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
});

export function cardRoutes(deps: Deps): express.Router {
  const router = express.Router();

  router.get('/chases', async (req, res) => {
    const { tenantId } = await queryPortalTenant(deps, req);
    const { objectId } = z.looseObject({ objectId: ObjectId }).parse(req.query);
    const { chases, latest } = await chasesOfRecord(deps, tenantId, SYSTEM, objectId);
    res.json({
      chases: chases.map(chaseRow),
      latest: latest && {
        ...chaseRow({ ...latest, campaignName: chases[0]?.campaignName }),
        timeline: latest.timeline.map((e) => ({ at: e.at, type: e.type })),
      },
    });
  });

  router.get('/campaigns', async (req, res) => {
    const { tenantId } = await queryPortalTenant(deps, req);
    const page = await listCampaigns(deps, tenantId, { limit: 100, status: 'active' });
    res.json({ campaigns: page.items.map((c) => ({ id: c.id, name: c.name })) });
  });

  router.post('/chases', async (req, res) => {
    const { tenantId } = await queryPortalTenant(deps, req);
    const input = StartFromCard.parse(req.body ?? {});
    let chase: Awaited<ReturnType<typeof startChase>>;
    try {
      chase = await startChase(deps, tenantId, {
        campaignId: input.campaignId,
        contact: {
          crm: { system: SYSTEM, externalId: input.objectId },
          ...(input.phone ? { phone: input.phone } : {}),
          ...(input.name ? { name: input.name } : {}),
        },
      });
    } catch (err) {
      // The card sends the number as `phone`: a bad one is named the way the card sent it.
      if (err instanceof AppError && err.field === 'contact.phone') throw new AppError(err.code, err.message, { field: 'phone', cause: err });
      throw err;
    }
    res.status(201).json({ chase: chaseRow(chase) });
  });

  return router;
}
