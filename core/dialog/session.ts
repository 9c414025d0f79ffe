/**
 * The call dialog's one entry point for every carrier: the carrier's adapter turns what its
 * call reports (answered, an answer heard, a transfer ended, a voicemail or the agent's
 * whisper due) into a `DialogEvent`, and renders the `DialogTurn` it gets back as its own
 * instructions. Everything decided in between is here: which call this is, what was meant,
 * what the dialog does next, and what is recorded (consent, intents, transfers) — once per
 * call and turn, so a carrier repeating a request gets the same turn and changes nothing.
 * The state travels with the turn (its position, handed back with the answer), so no
 * session is kept beyond a cache of the calls.
 */
import type { Deps } from '../deps.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { IntentClassifier, IntentResult } from '../intents/intents.ts';
import { renderText } from '../campaigns/rules.ts';
import { DIGIT_INTENTS, nextTurn, replyTo, type Answer, type DialogNode } from './dialog.ts';
import { whisperText } from './defaults.ts';
import { loadCall, prompt, promptText, recordAnswer, recordTransfer, type LiveCall, type TransferStatus } from './calls.ts';
import { HANG_UP, type DialogTurn, type Prompt, type TurnPosition } from './turn.ts';

export type DialogEvent =
  /**
   * The call was answered: the dialog starts. `machine` when the carrier already knows an
   * answering machine picked up (by the engine's one machine decision); the verdict itself
   * is recorded where the carrier reports it, not here.
   */
  | { type: 'answered'; attemptId: string; answeredBy?: 'human' | 'machine' | 'unknown' }
  /**
   * An answer to a listening turn, at the position that turn carried: the words recognised
   * (with the recogniser's confidence), the keys pressed, or neither (silence).
   */
  | {
      type: 'heard';
      attemptId: string;
      /** The carrier's id of the call: with the turn number, what makes a repeated request the same answer. */
      callId: string;
      at: TurnPosition;
      speech?: { text: string; confidence?: number };
      digits?: string;
      /** The E.164 number the carrier says it called, when it says. */
      callee?: string;
    }
  /** The transfer to an agent ended. */
  | { type: 'transfer-ended'; attemptId: string; callId: string; status: TransferStatus; durationSeconds: number | null }
  /** An answering machine's greeting ended: leave the voicemail. */
  | { type: 'voicemail-due'; attemptId: string }
  /** The agent picked up a transfer: tell them who this is before connecting. */
  | { type: 'whisper-due'; attemptId: string };

/** Attempt ids are uuids: anything else names no call (and is never sent to the database). */
const ATTEMPT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface DialogSessionOptions {
  deps: Deps & { jobs: JobQueue };
  classifier: IntentClassifier;
  /** PUBLIC_BASE_URL: synthesised audio is served under it. */
  publicBaseUrl: string;
  /** How long a process keeps a call it served, and how many (see callCache). */
  cache?: { ttlMs?: number; max?: number };
}

export interface DialogSession {
  /** The next turn of the call, or null when the call is unknown or its dialog is over (the carrier hangs up). */
  next(event: DialogEvent): Promise<DialogTurn | null>;
}

export function dialogSession(options: DialogSessionOptions): DialogSession {
  const { deps, classifier, publicBaseUrl } = options;
  const cachedCall = callCache(deps, options.cache?.ttlMs, options.cache?.max);
  const say = (call: LiveCall, text: string): Prompt => prompt(deps, call, text, publicBaseUrl);

  /** What a node does: listen, transfer, or say and hang up. */
  const nodeTurn = (call: LiveCall, node: DialogNode, reprompt: number, turn: number): DialogTurn => {
    const p = say(call, promptText(call.script, node, reprompt, call.values));
    const { transferTo, listenSeconds, hints } = call.call;
    if (node.do === 'transfer' && transferTo) {
      return {
        say: [p],
        next: { do: 'transfer', transfer: { target: transferTo, callerId: call.from, whisper: true, tags: { chase: call.chaseId, attempt: call.attemptId } } },
      };
    }
    if (!node.listen) return { say: [p], next: { do: 'hangup' } };
    const language = p.voice.language;
    return {
      say: [p],
      next: {
        do: 'listen',
        listen: {
          input: ['speech', 'keys'],
          bargeIn: true,
          language,
          locale: call.script.locale,
          timeoutSeconds: listenSeconds,
          maxDigits: 1,
          ...(hints ? { hints } : {}),
          at: { node: node.id, reprompt, turn },
        },
      },
    };
  };

  const voicemail = (call: LiveCall): DialogTurn => {
    const text = call.script.voicemail ? renderText(call.script.voicemail, call.values) : null;
    return text ? { say: [say(call, text)], next: { do: 'voicemail' } } : HANG_UP;
  };

  async function heard(call: LiveCall, from: DialogNode, e: Extract<DialogEvent, { type: 'heard' }>): Promise<DialogTurn> {
    const speech = e.speech?.text;
    const key = e.digits?.[0];
    let intent: IntentResult | null = null;
    if (key && DIGIT_INTENTS[key]) intent = { intent: DIGIT_INTENTS[key], confidence: 1 };
    else if (speech?.trim()) intent = await classifier.classify(speech, call.script.locale);
    const answer: Answer = intent ? { intent: intent.intent, reply: replyTo(from, speech, e.digits) } : { noInput: true };
    const next = nextTurn(call.dialog, call.call, from, answer, e.at.reprompt);
    await recordAnswer(deps, call, { callId: e.callId, turn: e.at.turn, node: from.id, heard: intent, next, ...(e.callee ? { callee: e.callee } : {}) });
    return nodeTurn(call, next.node, next.reprompt, e.at.turn + 1);
  }

  return {
    async next(event) {
      const call = ATTEMPT_ID.test(event.attemptId) ? await cachedCall(event.attemptId) : null;
      if (!call) return null;
      switch (event.type) {
        case 'answered':
          return event.answeredBy === 'machine' ? voicemail(call) : nodeTurn(call, call.dialog.get('start')!, 0, 0);
        case 'heard': {
          const from = call.dialog.get(event.at.node);
          return from ? heard(call, from, event) : null;
        }
        case 'transfer-ended': {
          await recordTransfer(deps, call, event.callId, event.status, event.durationSeconds);
          if (event.status === 'completed') return HANG_UP;
          return { say: [say(call, promptText(call.script, call.dialog.get('no_agent')!, 0, call.values))], next: { do: 'hangup' } };
        }
        case 'voicemail-due':
          return voicemail(call);
        case 'whisper-due': {
          const text = whisperText(call.script.locale, call.campaignName, call.values.name ? renderText('{{name}}', call.values) : null);
          // The agent's leg: spoken by the carrier, not synthesised ahead (it is not the customer's call path).
          return { say: [say({ ...call, tts: false }, text)], next: { do: 'connect' } };
        }
      }
    },
  };
}

/**
 * A call's script, contact and line do not change while it is on, and the carrier asks for
 * its next turn several times per call: each process keeps the calls it served for a few
 * minutes, so an answer costs one statement, not two. A miss (another process served the
 * last request) reads it again.
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
