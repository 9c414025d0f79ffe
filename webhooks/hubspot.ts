/**
 * POST /webhooks/hubspot: a HubSpot app's webhook, a JSON array of events. Fresh timestamp →
 * verify (X-HubSpot-Signature-v3 over PUBLIC_BASE_URL + path, the raw body and the timestamp,
 * with the client secret of each tenant whose HubSpot connector is the events' portal) →
 * parse → dedupe per tenant → act → 200. Acting is short: do-not-call set to 'true' on a
 * linked contact is a sticky voice opt-out (the SMS opt-out property, when configured, an SMS
 * one); anything else about a contact's data queues the connector's incremental sync (one
 * waits at a time, so a burst of events queues one pull).
 * https://developers.hubspot.com/docs/api/webhooks
 */
import express from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type pg from 'pg';
import type { Deps } from '../core/deps.ts';
import type { JobQueue } from '../core/jobs/queue.ts';
import { connectorsForAccount } from '../core/connectors.ts';
import { recordOptOuts, type Channel, type OptOutRequest } from '../core/consent.ts';
import { requestSync } from '../core/crm.sync.ts';
import { withTransaction } from '../core/db/pool.ts';
import { cleanVendorText } from '../core/text.ts';
import { hubspotCredentials } from '../connectors/hubspot/schemas.ts';
import { freshTimestamp, verifySignatureV3 } from '../connectors/hubspot/webhook.ts';

const SYSTEM = 'hubspot';
/** Events that may change what a sync pulls; deletion is acknowledged only (a deleted record is not chased from HubSpot again, and erasure is the API's). */
const SYNC_EVENTS = new Set(['contact.creation', 'contact.propertyChange', 'contact.merge', 'contact.restore']);

const HubspotEvent = z.looseObject({
  eventId: z.number().int(),
  subscriptionId: z.number().int().optional(),
  portalId: z.number().int(),
  subscriptionType: z.string(),
  objectId: z.number().int().optional(),
  propertyName: z.string().optional(),
  propertyValue: z.string().optional(),
});
type HubspotEvent = z.infer<typeof HubspotEvent>;

interface Tenant {
  tenantId: string;
  doNotCallProperty: string;
  smsOptOutProperty: string | undefined;
}

/** The opt-out channel an event sets, if it sets one: the configured property turned 'true'. */
function optOutChannel(e: HubspotEvent, t: Tenant): Channel | null {
  if (e.subscriptionType !== 'contact.propertyChange' || e.propertyValue !== 'true') return null;
  if (e.propertyName === t.doNotCallProperty) return 'voice';
  if (t.smsOptOutProperty && e.propertyName === t.smsOptOutProperty) return 'sms';
  return null;
}

/** The events not seen before for this tenant (inserted as seen, in the caller's transaction). */
async function freshEvents(tx: pg.PoolClient, tenantId: string, events: HubspotEvent[]): Promise<HubspotEvent[]> {
  const keyOf = (e: { event_id: string | number; subscription_id: string | number; object_id: string | number }) => `${e.event_id}:${e.subscription_id}:${e.object_id}`;
  const rows = events.map((e) => ({ event_id: e.eventId, subscription_id: e.subscriptionId ?? 0, object_id: e.objectId ?? 0, subscription_type: e.subscriptionType }));
  const { rows: inserted } = await tx.query<{ event_id: string; subscription_id: string; object_id: string }>(
    `insert into hubspot_events (tenant_id, event_id, subscription_id, object_id, subscription_type)
     select $1, u.event_id, u.subscription_id, u.object_id, u.subscription_type
       from jsonb_to_recordset($2::jsonb) as u(event_id bigint, subscription_id bigint, object_id bigint, subscription_type text)
     on conflict do nothing
     returning event_id::text, subscription_id::text, object_id::text`,
    [tenantId, JSON.stringify(rows)],
  );
  const fresh = new Set(inserted.map(keyOf));
  return events.filter((e, i) => fresh.delete(keyOf(rows[i]!)));
}

/** Applies one tenant's fresh events: opt-outs recorded in `tx`; whether a sync is wanted. */
async function act(deps: Deps, tx: pg.PoolClient, t: Tenant, events: HubspotEvent[]): Promise<{ optOuts: number; sync: boolean }> {
  const wanted = events.flatMap((e) => {
    const channel = optOutChannel(e, t);
    return channel && e.objectId !== undefined ? [{ externalId: String(e.objectId), channel }] : [];
  });
  const { rows } = wanted.length
    ? await tx.query<{ external_id: string; phone_hash: Buffer; phone_enc: string }>(
      `select r.external_id, c.phone_hash, c.phone_enc from contact_crm_refs r join contacts c on c.tenant_id = r.tenant_id and c.id = r.contact_id
        where r.tenant_id = $1 and r.system = $2 and r.external_id = any($3::text[]) and c.phone_hash is not null and c.phone_invalid_reason is null`,
      [t.tenantId, SYSTEM, wanted.map((w) => w.externalId)],
    )
    : { rows: [] };
  const linked = new Map(rows.map((r) => [r.external_id, r]));
  const requests: OptOutRequest[] = wanted.flatMap((w) => {
    const c = linked.get(w.externalId);
    return c ? [{ phoneHash: c.phone_hash, phoneEnc: c.phone_enc, channel: w.channel, source: 'crm' as const, note: `${w.channel === 'voice' ? 'do-not-call' : 'SMS opt-out'} set in HubSpot`, origin: SYSTEM }] : [];
  });
  if (requests.length) await recordOptOuts(deps, t.tenantId, requests, tx);
  // An opt-out for a contact not linked yet, or any other change, is for the sync to pull.
  const sync = events.some((e) => {
    if (optOutChannel(e, t)) return !linked.has(String(e.objectId));
    return SYNC_EVENTS.has(e.subscriptionType) && !(e.subscriptionType === 'contact.propertyChange' && isOptOutProperty(e, t));
  });
  return { optOuts: requests.length, sync };
}

/** A change of an opt-out property to anything but 'true' (a clearing) is nothing to pull: opt-outs are sticky. */
const isOptOutProperty = (e: HubspotEvent, t: Tenant) => e.propertyName === t.doNotCallProperty || (!!t.smsOptOutProperty && e.propertyName === t.smsOptOutProperty);

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
      const portals = [...new Set(payload.map((e) => (e as { portalId?: unknown } | null)?.portalId).filter((p) => typeof p === 'number' || typeof p === 'string').map(String))];
      const candidates = (await Promise.all(portals.map(async (portal) => (await connectorsForAccount(deps, SYSTEM, portal)).map((c) => ({ ...c, portal }))))).flat();
      const url = base + req.originalUrl;
      const verified = candidates.flatMap((c) => {
        const creds = hubspotCredentials.safeParse(c.credentials);
        if (!creds.success || !creds.data.clientSecret) return [];
        if (!verifySignatureV3({ clientSecret: creds.data.clientSecret, method: req.method, url, body, timestamp, signature })) return [];
        return [{ portal: c.portal, tenant: { tenantId: c.tenantId, doNotCallProperty: creds.data.doNotCallProperty, smsOptOutProperty: creds.data.smsOptOutProperty } }];
      });
      if (!verified.length) {
        log.warn({ portals: portals.length }, 'hubspot webhook with a bad signature or an unknown portal');
        res.status(401).type('text/plain').send('invalid signature');
        return;
      }
      const parsed = z.array(HubspotEvent).safeParse(cleanVendorText(payload));
      if (!parsed.success) {
        res.status(400).type('text/plain').send(`unexpected payload: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
        return;
      }
      for (const { portal, tenant } of verified) {
        const events = parsed.data.filter((e) => String(e.portalId) === portal);
        // Seen, acted on and the sync queued together: a failure leaves nothing marked seen, and HubSpot's retry redoes it.
        const outcome = await withTransaction(deps.db, async (tx) => {
          const fresh = await freshEvents(tx, tenant.tenantId, events);
          const done = await act(deps, tx, tenant, fresh);
          if (done.sync) await requestSync(deps, tenant.tenantId, SYSTEM);
          return { ...done, fresh: fresh.length };
        });
        log.info({ tenantId: tenant.tenantId, events: events.length, duplicates: events.length - outcome.fresh, optOuts: outcome.optOuts, syncQueued: outcome.sync }, 'hubspot webhook');
      }
      res.status(200).end();
    } catch (err) {
      next(err);
    }
  });
  return router;
}
