/**
 * POST /webhooks/salesforce?campaign={id}&key={inboundSecret}: Salesforce starts chases.
 *
 * - A workflow or Flow's Outbound Message (SOAP): each notification's Contact or Lead
 *   (Id, Phone, MobilePhone, FirstName, LastName, as the message's fields were chosen) is
 *   chased; the answer is the Ack Salesforce waits for, and a notification it sends again
 *   is acted on once (by its Id).
 *   https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_understanding.htm
 * - A Flow's HTTP callout (JSON): `{ organizationId, requestId?, records: [{ Id, Phone?,
 *   MobilePhone?, FirstName?, LastName? }] }`.
 *
 * Both are parsed by connectors/salesforce/webhook.ts; each notification is acted on once by
 * core/crm/inbound.ts (through core/inbound/deliveries.ts). Outbound Messages are not signed: the tenant
 * is found by the org's id and the URL's key must be its connector's inboundSecret (compared
 * in constant time; the access log drops the query string). The campaign is the URL's
 * `campaign`.
 */
import { timingSafeEqual } from 'node:crypto';
import express from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Deps } from '../core/deps.ts';
import type { JobQueue } from '../core/jobs/queue.ts';
import { connectorsForAccount } from '../core/integrations/connectors.ts';
import { AppError } from '../core/errors.ts';
import { cleanVendorText } from '../core/common/text.ts';
import { startChasesFromCrm } from '../core/crm/inbound.ts';
import { salesforceCredentials, salesforceOrgKey } from '../connectors/salesforce/schemas.ts';
import { ACK, parseSalesforceDelivery, type SalesforceDelivery } from '../connectors/salesforce/webhook.ts';

const SYSTEM = 'salesforce';

const sameSecret = (given: string, expected: string | undefined) => {
  if (!expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

export function salesforceWebhook(options: { deps: Deps & { jobs: JobQueue }; log: Logger }): express.Router {
  const { deps, log } = options;
  const router = express.Router();
  router.post('/', express.text({ type: () => true, limit: '5mb' }), async (req, res, next) => {
    try {
      let delivery: SalesforceDelivery;
      try {
        // Salesforce's own text is kept, cleaned of what the database cannot hold (core/common/text.ts).
        delivery = cleanVendorText(parseSalesforceDelivery(typeof req.body === 'string' ? req.body : '', req.get('content-type') ?? ''));
      } catch (err) {
        const why =
          err instanceof z.ZodError ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : err instanceof Error ? err.message : String(err);
        res.status(400).type('text/plain').send(`unreadable delivery: ${why}`);
        return;
      }
      const key = typeof req.query.key === 'string' ? req.query.key : '';
      const tenant = (await connectorsForAccount(deps, SYSTEM, salesforceOrgKey(delivery.orgId))).find((c) =>
        sameSecret(key, salesforceCredentials.safeParse(c.credentials).data?.inboundSecret),
      );
      if (!tenant) {
        log.warn('salesforce delivery for an unknown org or with a wrong key');
        res.status(401).type('text/plain').send('unknown org or wrong key');
        return;
      }
      const campaignId = typeof req.query.campaign === 'string' ? req.query.campaign : '';
      if (!z.uuid().safeParse(campaignId).success) {
        res.status(400).type('text/plain').send('the URL needs ?campaign= with the id of the campaign to chase in');
        return;
      }
      const counts: Record<string, number> = {};
      for (const n of delivery.notifications) {
        const result = await startChasesFromCrm(deps, tenant.tenantId, { system: SYSTEM, deliveryId: n.id, campaignId, records: [n.record] });
        for (const r of result.duplicate ? [{ outcome: 'duplicate' }] : result.records) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
      }
      log.info({ tenantId: tenant.tenantId, ...counts }, 'salesforce delivery');
      if (delivery.soap) res.status(200).type('text/xml').send(ACK);
      else res.status(200).json({ counts });
    } catch (err) {
      if (err instanceof AppError && (err.code === 'NOT_FOUND' || err.code === 'CONFLICT')) {
        res
          .status(err.code === 'NOT_FOUND' ? 404 : 409)
          .type('text/plain')
          .send(err.message);
        return;
      }
      next(err);
    }
  });
  return router;
}
