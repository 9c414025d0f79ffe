/**
 * Twilio's callbacks: verify X-Twilio-Signature over PUBLIC_BASE_URL + path + query and the
 * posted params → parse → dedupe (CallSid + status, by the job's id) and enqueue → 204. The slow part (moving
 * the chase on) runs in a worker from the call-status queue.
 */
import express from 'express';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { Deps } from '../core/deps.ts';
import { applySmsReport } from '../core/chases.script.ts';
import type { CallReport } from '../core/chases.outcomes.ts';
import { jobIdFor, queues, type JobQueue } from '../core/jobs/queue.ts';
import type { WebhookVerifier } from '../core/ports.ts';
import { cleanVendorText } from '../core/text.ts';
import type { IntentClassifier } from '../core/intents/intents.ts';
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
const CallStatusBody = z.object({
  CallSid: z.string().regex(/^CA[0-9a-f]{32}$/),
  CallStatus: z.enum(['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled']),
  AnsweredBy: z.string().optional(),
  CallDuration: z.coerce.number().int().min(0).optional(),
});
const SmsStatusBody = z.object({
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-f]{32}$/),
  MessageStatus: z.string(),
  ErrorCode: z.string().regex(/^\d{1,8}$/).optional(),
});

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
    // Verified as sent; what is stored from here on is text the database can hold (core/text.ts).
    req.body = cleanVendorText(params);
    next();
  });

  router.post('/status', async (req, res, next) => {
    try {
      const query = AttemptQuery.safeParse(req.query);
      const body = CallStatusBody.safeParse(req.body);
      if (!query.success || !body.success) {
        res.status(400).type('text/plain').send(query.success ? 'unexpected call status body' : 'attempt must be a uuid');
        return;
      }
      const b = body.data;
      const report: CallReport = {
        attemptId: query.data.attempt,
        callSid: b.CallSid,
        status: b.CallStatus,
        answeredBy: b.AnsweredBy ?? null,
        durationSeconds: b.CallDuration ?? null,
      };
      // Deduplicated by the job's id (CallSid + status): a callback Twilio sends twice is one
      // statement and no job the second time. The job itself is idempotent too, should a repeat
      // come after the first job was archived.
      await deps.jobs.send(deps.db, queues.callStatus, report, { id: jobIdFor(`call-status:${b.CallSid}:${b.CallStatus}`) });
      res.status(204).end();
    } catch (err) {
      next(err);
    }
  });

  router.post('/sms-status', async (req, res, next) => {
    try {
      const query = AttemptQuery.safeParse(req.query);
      const body = SmsStatusBody.safeParse(req.body);
      if (!query.success || !body.success) {
        res.status(400).type('text/plain').send('unexpected message status');
        return;
      }
      await applySmsReport(deps, query.data.attempt, body.data.MessageStatus, body.data.ErrorCode);
      res.status(204).end();
    } catch (err) {
      next(err);
    }
  });

  voiceRoutes(router, { deps, classifier: options.classifier, base, log });
  router.post('/sms', inboundSms({ deps, log }));
  return router;
}
