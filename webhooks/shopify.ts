/**
 * POST /webhooks/shopify: a shop's webhook. Verify (X-Shopify-Hmac-Sha256 over the raw body,
 * with the secret of the tenant whose Shopify connector is that shop) → parse into a commerce
 * event (connectors/shopify/webhook.ts) → dedupe (X-Shopify-Webhook-Id), store encrypted and
 * enqueue (core/commerce/chases.ts) → 200. The job starts, moves or ends the chases.
 * https://shopify.dev/docs/apps/build/webhooks/subscribe/https
 */
import express from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import type { Deps } from '../core/deps.ts';
import type { JobQueue } from '../core/jobs/queue.ts';
import { connectorsForAccount } from '../core/integrations/connectors.ts';
import { receiveCommerceEvent } from '../core/commerce/chases.ts';
import { cleanVendorText } from '../core/common/text.ts';
import { connectors } from '../connectors/registry.ts';
import type { ShopifyCredentials } from '../connectors/shopify/schemas.ts';
import { AFTER_UNINSTALL_TOPICS } from '../connectors/shopify/webhook.ts';

// plugins/shopify/shopify.app.toml subscribes to these (a test holds it so).
export { HANDLED_TOPICS } from '../connectors/shopify/webhook.ts';

export function shopifyWebhook(options: { deps: Deps & { jobs: JobQueue }; log: Logger }): express.Router {
  const { deps, log } = options;
  const router = express.Router();
  // The signature is over the exact bytes Shopify sent: read them raw, parse after verifying.
  router.post('/', express.raw({ type: () => true, limit: '5mb' }), async (req, res, next) => {
    try {
      const shop = req.get('x-shopify-shop-domain') ?? '';
      const topic = req.get('x-shopify-topic') ?? '';
      const deliveryId = req.get('x-shopify-webhook-id') ?? '';
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      // Every tenant connected to this shop is a candidate; the secret that verifies the body decides.
      const candidates = shop ? await connectorsForAccount(deps, 'shopify', shop, { includeDisabled: AFTER_UNINSTALL_TOPICS.has(topic) }) : [];
      const match = candidates
        .map((c) => ({ tenantId: c.tenantId, shopify: connectors.shopify.create(c.credentials as ShopifyCredentials) }))
        .find((c) => c.shopify.verifyWebhook(body, req.get('x-shopify-hmac-sha256')));
      if (!match) {
        log.warn({ topic }, 'shopify webhook with a bad signature or an unknown shop');
        res.status(401).type('text/plain').send('invalid signature');
        return;
      }
      if (!deliveryId) {
        res.status(400).type('text/plain').send('missing X-Shopify-Webhook-Id');
        return;
      }
      let payload: unknown;
      try {
        payload = JSON.parse(body.toString('utf8'));
      } catch {
        res.status(400).type('text/plain').send('the body is not JSON');
        return;
      }
      const event = match.shopify.webhookEvent(topic, payload);
      if (!event) {
        // Acknowledged so Shopify does not retry or disable the subscription; not acted on.
        log.warn({ topic, tenantId: match.tenantId }, 'shopify webhook topic not handled');
        res.status(200).end();
        return;
      }
      // The shop's own text is kept, cleaned of what the database cannot hold (core/common/text.ts).
      const fresh = await receiveCommerceEvent(deps, match.tenantId, deliveryId, topic, cleanVendorText(event));
      log.info({ topic, tenantId: match.tenantId, deliveryId, duplicate: !fresh }, 'shopify webhook');
      res.status(200).end();
    } catch (err) {
      if (err instanceof ZodError) {
        res
          .status(400)
          .type('text/plain')
          .send(`unexpected payload: ${err.issues.map((i) => i.path.join('.')).join(', ')}`);
        return;
      }
      next(err);
    }
  });
  return router;
}
