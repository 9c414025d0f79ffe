/**
 * Twilio's callbacks, HTTP only: verify X-Twilio-Signature over PUBLIC_BASE_URL + path + query
 * and the posted params (through the connector) → parse into the port's events
 * (connectors/twilio/webhook.ts) → dedupe (call id + status, by the job's id) and enqueue → 204.
 * The slow part (moving the chase on) runs in a worker from the call-status queue.
 */
import express from 'express';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { Deps } from '../core/deps.ts';
import { applySmsReport } from '../core/chases/sms-reports.ts';
import { jobIdFor, queues, type JobQueue } from '../core/jobs/queue.ts';
import type { WebhookVerifier } from '../core/ports.ts';
import { cleanVendorText } from '../core/common/text.ts';
import type { IntentClassifier } from '../core/intents/intents.ts';
import { parseCallStatus, parseMessageStatus } from '../connectors/twilio/webhook.ts';
import { voiceRoutes } from './twilio.voice.ts';
import { inboundSms } from './twilio.sms.ts';

export interface TwilioWebhookOptions {
  deps: Deps & { jobs: JobQueue };
  verifier: WebhookVerifier;
  /** Understands what the person said on the call. */
  classifier: IntentClassifier;
  publicBaseUrl: string;
  log: Logger;
}

const AttemptQuery = z.object({ attempt: z.uuid() });

export function twilioWebhooks(options: TwilioWebhookOptions): express.Router {
  const { deps, verifier, log } = options;
  const base = options.publicBaseUrl.replace(/\/$/, '');
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '64kb' }));

  // Verify before anything else: an unsigned request learns nothing, not even whether the attempt exists.
  router.use((req, res, next) => {
    const signature = req.get('x-twilio-signature') ?? '';
    const params = (req.body ?? {}) as Record<string, string>;
    if (!signature || !verifier.verify(signature, base + req.originalUrl, params)) {
      log.warn({ path: req.path }, 'twilio webhook with a bad or missing signature');
      res.status(403).type('text/plain').send('invalid signature');
      return;
    }
    // Verified as sent; what is stored from here on is text the database can hold (core/common/text.ts).
    req.body = cleanVendorText(params);
    next();
  });

  router.post('/status', async (req, res, next) => {
    try {
      const query = AttemptQuery.safeParse(req.query);
      if (!query.success) {
        res.status(400).type('text/plain').send('attempt must be a uuid');
        return;
      }
      const parsed = parseCallStatus(query.data.attempt, req.body as Record<string, string>);
      if (!parsed.ok) {
        res.status(400).type('text/plain').send('unexpected call status body');
        return;
      }
      const report = parsed.event;
      // Deduplicated by the job's id (call id + status): a callback Twilio sends twice is one
      // statement and no job the second time. The job itself is idempotent too, should a repeat
      // come after the first job was archived.
      await deps.jobs.send(deps.db, queues.callStatus, report, { id: jobIdFor(`call-status:${report.callId}:${report.status}`) });
      res.status(204).end();
    } catch (err) {
      next(err);
    }
  });

  router.post('/sms-status', async (req, res, next) => {
    try {
      const query = AttemptQuery.safeParse(req.query);
      const parsed = query.success ? parseMessageStatus(query.data.attempt, req.body as Record<string, string>) : null;
      if (!parsed?.ok) {
        res.status(400).type('text/plain').send('unexpected message status');
        return;
      }
      await applySmsReport(deps, parsed.event);
      res.status(204).end();
    } catch (err) {
      next(err);
    }
  });

  voiceRoutes(router, { deps, classifier: options.classifier, base, log });
  router.post('/sms', inboundSms({ deps, log }));
  return router;
}
