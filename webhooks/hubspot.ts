/**
 * POST /webhooks/hubspot: a HubSpot app's webhook, a JSON array of events. Fresh timestamp →
 * verify (X-HubSpot-Signature-v3 over PUBLIC_BASE_URL + path, the raw body and the timestamp,
 * with the client secret of each tenant whose HubSpot connector is the events' portal) →
 * parse (connectors/hubspot/webhook.ts) → dedupe per tenant and act (core/crm/events.ts) → 200.
 * Acting is short: do-not-call set to 'true' on a linked contact is a sticky voice opt-out (the
 * SMS opt-out property, when configured, an SMS one); anything else about a contact's data
 * queues the connector's incremental sync (one waits at a time, so a burst of events queues one
 * pull).
 * https://developers.hubspot.com/docs/api/webhooks
 */
import express from 'express';
import type { Logger } from 'pino';
import type { Deps } from '../core/deps.ts';
import type { JobQueue } from '../core/jobs/queue.ts';
import { connectorsForAccount } from '../core/integrations/connectors.ts';
import { receiveCrmEvents } from '../core/crm/events.ts';
import { cleanVendorText } from '../core/common/text.ts';
import { hubspotCredentials } from '../connectors/hubspot/schemas.ts';
import { crmEventOf, deliveryPortals, freshTimestamp, parseHubspotEvents, verifySignatureV3 } from '../connectors/hubspot/webhook.ts';

const SYSTEM = 'hubspot';

export function hubspotWebhook(options: { deps: Deps & { jobs: JobQueue }; publicBaseUrl: string; log: Logger }): express.Router {
  const { deps, log } = options;
  const base = options.publicBaseUrl.replace(/\/$/, '');
  const router = express.Router();
  // The signature is over the exact bytes HubSpot sent: read them raw, parse after verifying.
  router.post('/', express.raw({ type: () => true, limit: '5mb' }), async (req, res, next) => {
    try {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const signature = req.get('x-hubspot-signature-v3') ?? '';
      const timestamp = req.get('x-hubspot-request-timestamp') ?? '';
      if (!signature || !freshTimestamp(timestamp)) {
        log.warn({ stale: Boolean(signature) }, 'hubspot webhook without a signature or with a stale timestamp');
        res.status(401).type('text/plain').send('missing signature or stale timestamp');
        return;
      }
      let payload: unknown;
      try {
        payload = JSON.parse(body.toString('utf8'));
      } catch {
        payload = undefined;
      }
      if (!Array.isArray(payload)) {
        res.status(400).type('text/plain').send('the body is not a JSON array of events');
        return;
      }
      // The portals the events name pick the candidate tenants; the secret that verifies the body decides.
      const portals = deliveryPortals(payload);
      const candidates = (
        await Promise.all(portals.map(async (portal) => (await connectorsForAccount(deps, SYSTEM, portal)).map((c) => ({ ...c, portal }))))
      ).flat();
      const url = base + req.originalUrl;
      const verified = candidates.flatMap((c) => {
        const creds = hubspotCredentials.safeParse(c.credentials);
        if (!creds.success || !creds.data.clientSecret) return [];
        if (!verifySignatureV3({ clientSecret: creds.data.clientSecret, method: req.method, url, body, timestamp, signature })) return [];
        return [
          {
            portal: c.portal,
            tenantId: c.tenantId,
            props: { doNotCallProperty: creds.data.doNotCallProperty, smsOptOutProperty: creds.data.smsOptOutProperty },
          },
        ];
      });
      if (!verified.length) {
        log.warn({ portals: portals.length }, 'hubspot webhook with a bad signature or an unknown portal');
        res.status(401).type('text/plain').send('invalid signature');
        return;
      }
      const parsed = parseHubspotEvents(cleanVendorText(payload));
      if (!parsed.success) {
        res
          .status(400)
          .type('text/plain')
          .send(`unexpected payload: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
        return;
      }
      for (const { portal, tenantId, props } of verified) {
        const events = parsed.data.filter((e) => String(e.portalId) === portal).map((e) => crmEventOf(e, props));
        // Seen, acted on and the sync queued together: a failure leaves nothing marked seen, and HubSpot's retry redoes it.
        const outcome = await receiveCrmEvents(deps, tenantId, SYSTEM, events);
        log.info(
          { tenantId, events: events.length, duplicates: events.length - outcome.fresh, optOuts: outcome.optOuts, syncQueued: outcome.syncQueued },
          'hubspot webhook',
        );
      }
      res.status(200).end();
    } catch (err) {
      next(err);
    }
  });
  return router;
}
