/**
 * The call dialog's TwiML: Twilio asks what to do when the call is answered (/voice), after
 * each answer (/gather), after a transfer (/dial), what the agent hears first (/whisper),
 * and reports an answering machine (/amd). Mounted behind the signature check in
 * twilio.ts. Each request is a query or two and the TwiML: audio was synthesised before
 * the call, slow actions are jobs.
 */
import type express from 'express';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { Deps } from '../core/deps.ts';
import type { JobQueue } from '../core/jobs/queue.ts';
import { queues } from '../core/jobs/queue.ts';
import { withTransaction } from '../core/db/pool.ts';
import { DIGIT_INTENTS, nextTurn, replyTo, type Answer } from '../core/dialog.ts';
import { whisperText } from '../core/dialog.defaults.ts';
import { loadCall, prompt, promptText, recordAnswer, recordTransfer, type LiveCall } from '../core/dialog.calls.ts';
import { listenLanguage } from '../core/dialog.voice.ts';
import type { DialogNode } from '../core/dialog.ts';
import type { IntentClassifier, IntentResult } from '../core/intents/intents.ts';
import { renderText } from '../core/campaigns.rules.ts';
import { listenTwiml, sayAndHangUp, transferTwiml, whisperTwiml, type SpokenPrompt } from '../connectors/twilio/twiml.ts';
import { parseMachineVerdict } from '../connectors/twilio/webhook.ts';
import { isMachine } from '../core/carrier.ts';

export interface VoiceWebhookOptions {
  deps: Deps & { jobs: JobQueue };
  classifier: IntentClassifier;
  /** PUBLIC_BASE_URL without the trailing slash. */
  base: string;
  log: Logger;
}

const CallQuery = z.object({ attempt: z.uuid() });
const GatherQuery = CallQuery.extend({
  node: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/),
  r: z.coerce.number().int().min(0).max(10).default(0),
  t: z.coerce.number().int().min(0).max(200).default(0),
});
const GatherBody = z.object({
  CallSid: z.string().regex(/^CA[0-9a-f]{32}$/),
  SpeechResult: z.string().max(5000).optional(),
  Digits: z.string().max(50).optional(),
  To: z.string().optional(),
});
const DialBody = z.object({
  CallSid: z.string().regex(/^CA[0-9a-f]{32}$/),
  DialCallStatus: z.string().optional(),
  DialCallDuration: z.coerce.number().int().min(0).optional(),
  QueueResult: z.string().optional(),
});

const HANG_UP = sayAndHangUp(null);
const twiml = (res: express.Response, xml: string) => res.type('text/xml').send(xml);

/** The callee's number from Twilio's `To`: E.164 as is, or the number inside a SIP address. */
const calleeOf = (to: string | undefined) => to?.match(/^(?:sip:)?(\+[1-9]\d{6,14})(?:@|$)/)?.[1];

/**
 * A call's script, contact and line do not change while it is on, and Twilio asks for TwiML
 * several times per call: each process keeps the calls it served for a few minutes, so an
 * answer costs one statement, not two. A miss (another process served the last request) reads it again.
 */
function callCache(deps: Deps, ttlMs = 10 * 60_000, max = 20_000) {
  const calls = new Map<string, { call: LiveCall; until: number }>();
  return async (attemptId: string): Promise<LiveCall | null> => {
    const now = Date.now();
    const hit = calls.get(attemptId);
    if (hit && hit.until > now) return hit.call;
    const call = await loadCall(deps, attemptId);
    if (call) {
      calls.delete(attemptId);
      calls.set(attemptId, { call, until: now + ttlMs });
      // Oldest first: a Map iterates in insertion order.
      for (const key of calls.keys()) {
        if (calls.size <= max) break;
        calls.delete(key);
      }
    }
    return call;
  };
}

export function voiceRoutes(router: express.Router, options: VoiceWebhookOptions): void {
  const { deps, classifier, base, log } = options;
  const cachedCall = callCache(deps);
  const url = (path: string, query: Record<string, string | number>) =>
    `${base}/webhooks/twilio/${path}?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString()}`;
  const spoken = (call: LiveCall, text: string): SpokenPrompt => {
    const p = prompt(deps, call, text);
    return { text: p.text, voice: p.voice, ...(p.mediaKey ? { audioUrl: `${base}/media/${p.mediaKey}` } : {}) };
  };

  /** The TwiML of a node: listen, transfer, or say and hang up. */
  const nodeTwiml = (call: LiveCall, node: DialogNode, reprompt: number, turn: number): string => {
    const p = spoken(call, promptText(call.script, node, reprompt, call.values));
    if (node.do === 'transfer' && call.call.transferTo) {
      return transferTwiml(p, {
        target: call.call.transferTo,
        callerId: call.from,
        actionUrl: url('dial', { attempt: call.attemptId }),
        whisperUrl: url('whisper', { attempt: call.attemptId }),
        headers: { 'X-Chaseline-Chase': call.chaseId, 'X-Chaseline-Attempt': call.attemptId },
      });
    }
    if (!node.listen) return sayAndHangUp(p);
    return listenTwiml(p, {
      actionUrl: url('gather', { attempt: call.attemptId, node: node.id, r: reprompt, t: turn }),
      language: listenLanguage(call.script.locale),
      timeoutSeconds: call.call.listenSeconds,
      ...(call.call.hints ? { hints: call.call.hints } : {}),
    });
  };

  const handle = (fn: (req: express.Request, res: express.Response) => Promise<void>): express.RequestHandler => (req, res, next) => {
    fn(req, res).catch(next);
  };

  router.post('/voice', handle(async (req, res) => {
    const query = CallQuery.safeParse(req.query);
    const call = query.success ? await cachedCall(query.data.attempt) : null;
    if (!call) {
      log.warn({ path: req.path }, 'TwiML asked for an unknown attempt: hanging up');
      twiml(res, HANG_UP);
      return;
    }
    twiml(res, nodeTwiml(call, call.dialog.get('start')!, 0, 0));
  }));

  router.post('/gather', handle(async (req, res) => {
    const query = GatherQuery.safeParse(req.query);
    const body = GatherBody.safeParse(req.body);
    if (!query.success || !body.success) {
      res.status(400).type('text/plain').send('unexpected gather request');
      return;
    }
    const { attempt, node: nodeId, r, t } = query.data;
    const call = await cachedCall(attempt);
    const from = call?.dialog.get(nodeId);
    if (!call || !from) {
      twiml(res, HANG_UP);
      return;
    }
    const { SpeechResult: speech, Digits: digits } = body.data;
    let heard: IntentResult | null = null;
    if (digits && DIGIT_INTENTS[digits[0]!]) heard = { intent: DIGIT_INTENTS[digits[0]!]!, confidence: 1 };
    else if (speech?.trim()) heard = await classifier.classify(speech, call.script.locale);
    const answer: Answer = heard ? { intent: heard.intent, reply: replyTo(from, speech, digits) } : { noInput: true };
    const next = nextTurn(call.dialog, call.call, from, answer, r);
    const callee = calleeOf(body.data.To);
    await recordAnswer(deps, call, { callSid: body.data.CallSid, turn: t, node: nodeId, heard, next, ...(callee ? { callee } : {}) });
    twiml(res, nodeTwiml(call, next.node, next.reprompt, t + 1));
  }));

  router.post('/dial', handle(async (req, res) => {
    const query = CallQuery.safeParse(req.query);
    const body = DialBody.safeParse(req.body);
    const call = query.success && body.success ? await loadCall(deps, query.data.attempt) : null;
    if (!call || !body.success) {
      twiml(res, HANG_UP);
      return;
    }
    // <Dial> reports DialCallStatus; <Enqueue> reports QueueResult ('bridged' when an agent took the call).
    const status = body.data.DialCallStatus ?? (body.data.QueueResult === 'bridged' ? 'completed' : (body.data.QueueResult ?? 'failed'));
    const fresh = await withTransaction(deps.db, async (tx) => {
      const { rowCount } = await tx.query(`insert into webhook_deliveries (vendor, delivery_id) values ('twilio-dial', $1) on conflict do nothing`, [body.data.CallSid]);
      return Boolean(rowCount);
    });
    if (fresh) await recordTransfer(deps, call, status, body.data.DialCallDuration ?? null);
    const noAgent = call.dialog.get('no_agent')!;
    twiml(res, status === 'completed' ? HANG_UP : sayAndHangUp(spoken(call, promptText(call.script, noAgent, 0, call.values))));
  }));

  router.post('/voicemail', handle(async (req, res) => {
    const query = CallQuery.safeParse(req.query);
    const call = query.success ? await loadCall(deps, query.data.attempt) : null;
    const text = call?.script.voicemail ? renderText(call.script.voicemail, call.values) : null;
    twiml(res, call && text ? sayAndHangUp(spoken(call, text)) : HANG_UP);
  }));

  router.post('/whisper', handle(async (req, res) => {
    const query = CallQuery.safeParse(req.query);
    const call = query.success ? await loadCall(deps, query.data.attempt) : null;
    if (!call) {
      twiml(res, HANG_UP);
      return;
    }
    const text = whisperText(call.script.locale, call.campaignName, call.values.name ? renderText('{{name}}', call.values) : null);
    // The agent's leg: spoken, not synthesised ahead (it is not the customer's call path).
    twiml(res, whisperTwiml({ text, voice: prompt(deps, { ...call, tts: false }, text).voice }));
  }));

  router.post('/amd', handle(async (req, res) => {
    const query = CallQuery.safeParse(req.query);
    const parsed = query.success ? parseMachineVerdict(query.data.attempt, req.body as Record<string, string>) : null;
    if (!parsed?.ok) {
      res.status(400).type('text/plain').send('unexpected answering machine result');
      return;
    }
    const { attemptId: attempt, callId: CallSid, answeredBy: AnsweredBy } = parsed.event;
    // The verdict is recorded once per call (deduplicated by CallSid); a machine also queues its job.
    const record = `with fresh as (insert into webhook_deliveries (vendor, delivery_id) values ('twilio', $1) on conflict do nothing returning 1)
                    update attempts set answered_by = $3 where id = $2 and channel = 'voice' and exists (select 1 from fresh)`;
    if (isMachine(AnsweredBy)) {
      await withTransaction(deps.db, async (tx) => {
        const { rows } = await tx.query(`${record} returning 1`, [`${CallSid}:amd`, attempt, AnsweredBy]);
        if (rows.length) await deps.jobs.send(tx, queues.callMachine, { attemptId: attempt, callSid: CallSid });
      });
    } else {
      await deps.db.query(record, [`${CallSid}:amd`, attempt, AnsweredBy]);
    }
    res.status(204).end();
  }));
}
