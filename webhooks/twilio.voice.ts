/**
 * The call dialog's TwiML: Twilio asks what to do when the call is answered (/voice), after
 * each answer (/gather), after a transfer (/dial), what the agent hears first (/whisper),
 * and reports an answering machine (/amd). Mounted behind the signature check in
 * twilio.ts. HTTP only: the request is read into a dialog event (connectors/twilio/webhook.ts),
 * the dialog decides the next turn (core/dialog/session.ts), and the turn is rendered as
 * TwiML (connectors/twilio/twiml.ts). Audio was synthesised before the call, slow actions are jobs.
 */
import type express from 'express';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { Deps } from '../core/deps.ts';
import type { JobQueue } from '../core/jobs/queue.ts';
import { applyMachineVerdict } from '../core/chases/outcomes.ts';
import { dialogSession, type DialogEvent } from '../core/dialog/session.ts';
import type { IntentClassifier } from '../core/intents/intents.ts';
import { renderTwiml, type TwimlUrls } from '../connectors/twilio/twiml.ts';
import { answeredEvent, gatherQuery, heardEvent, parseMachineVerdict, transferEndedEvent, voicemailEvent, whisperEvent } from '../connectors/twilio/webhook.ts';

export interface VoiceWebhookOptions {
  deps: Deps & { jobs: JobQueue };
  classifier: IntentClassifier;
  /** PUBLIC_BASE_URL without the trailing slash. */
  base: string;
  log: Logger;
}

const CallQuery = z.object({ attempt: z.uuid() });

type Params = Record<string, unknown>;

export function voiceRoutes(router: express.Router, options: VoiceWebhookOptions): void {
  const { deps, classifier, base, log } = options;
  const session = dialogSession({ deps, classifier, publicBaseUrl: base });
  const url = (path: string, query: Record<string, string>) => `${base}/webhooks/twilio/${path}?${new URLSearchParams(query).toString()}`;
  const urlsFor = (attemptId: string): TwimlUrls => ({
    gather: (at) => url('gather', gatherQuery(attemptId, at)),
    dial: url('dial', { attempt: attemptId }),
    whisper: url('whisper', { attempt: attemptId }),
  });
  // A script naming a voice Twilio does not speak is said in the default voice: said once per process and voice, not per prompt.
  const warned = new Set<string>();
  const onVoiceFallback = (name: string) => {
    if (warned.has(name) || warned.size > 1000) return;
    warned.add(name);
    log.warn({ voice: name }, "a script's voice is not one of Twilio's <Say> voices: speaking with the default voice for its language");
  };

  const handle =
    (fn: (req: express.Request, res: express.Response) => Promise<void>): express.RequestHandler =>
    (req, res, next) => {
      fn(req, res).catch(next);
    };

  /** A dialog route: the request read into an event, the next turn as TwiML. A request that is no event hangs up (or is a 400). */
  const dialogRoute = (path: string, read: (query: Params, body: Params) => DialogEvent | null, malformed: 'hang-up' | 400 = 'hang-up') => {
    router.post(
      path,
      handle(async (req, res) => {
        const event = read(req.query as Params, (req.body ?? {}) as Params);
        if (!event && malformed === 400) {
          res
            .status(400)
            .type('text/plain')
            .send(`unexpected ${path.slice(1)} request`);
          return;
        }
        const turn = event ? await session.next(event) : null;
        if (!turn && path === '/voice') log.warn({ path: req.path }, 'TwiML asked for an unknown attempt: hanging up');
        res.type('text/xml').send(renderTwiml(turn, urlsFor(event?.attemptId ?? ''), { onVoiceFallback }));
      }),
    );
  };

  dialogRoute('/voice', answeredEvent);
  dialogRoute('/gather', heardEvent, 400);
  dialogRoute('/dial', transferEndedEvent);
  dialogRoute('/voicemail', voicemailEvent);
  dialogRoute('/whisper', whisperEvent);

  router.post(
    '/amd',
    handle(async (req, res) => {
      const query = CallQuery.safeParse(req.query);
      const parsed = query.success ? parseMachineVerdict(query.data.attempt, req.body as Params) : null;
      if (!parsed?.ok) {
        res.status(400).type('text/plain').send('unexpected answering machine result');
        return;
      }
      await applyMachineVerdict(deps, parsed.event);
      res.status(204).end();
    }),
  );
}
