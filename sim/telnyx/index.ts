// startTelnyxSim(): a local, stateful stand-in for Telnyx's API v2 — Call Control (dial,
// commands on a live call), Messaging and Number Lookup — that places simulated calls on a
// simulated clock and sends the application its webhooks, signed with Ed25519, exactly where
// Telnyx would. Point the official `telnyx` SDK at it with `baseURL: sim.baseURL`.
import { randomBytes, randomUUID } from 'node:crypto';
import { createClock, type SimClock } from '../twilio/clock.ts';
import type { PersonaRef, PersonaSpec } from '../twilio/personas.ts';
import type { OutcomeProfile, Persona } from '../twilio/profiles.ts';
import { listen } from '../listen.ts';
import type { HangupCause, SimTelnyxCall } from './call-types.ts';
import { Callees, numberOf } from './callees.ts';
import { CallStore, type EarlyHangup } from './calls.ts';
import { checkBody, type BodyName } from './contract.ts';
import { handleControl } from './control.ts';
import { invalid, invalidNumber, missing, notFound, TelnyxApiError } from './errors.ts';
import { lookupNumber } from './lookup.ts';
import { MessageStore, type InboundSms, type SimTelnyxMessage } from './messages.ts';
import { createSimServer, type Route } from './server.ts';
import { createSigner } from './signature.ts';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type { SimTelnyxCall, HeardEntry, HangupCause, HangupSource, CallState } from './call-types.ts';
export type { SimTelnyxMessage, InboundSms, MessageStatus } from './messages.ts';
export type { Delivery } from './webhook.ts';
export { BUILT_IN_PERSONAS, DEFAULT_PERSONAS_BY_SUFFIX } from '../twilio/personas.ts';
export type { PersonaRef, PersonaSpec, BuiltInPersona } from '../twilio/personas.ts';
export type { OutcomeProfile, Persona, Utterance, LineType } from '../twilio/profiles.ts';

export interface TelnyxSimOptions {
  /** The account's API key (Bearer); default a generated `KEY…`. Two sims are two accounts. */
  apiKey?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Simulated seconds per real second; 100 makes a 30 s ring take 0.3 s. Default 1. */
  clockSpeed?: number;
  startAt?: Date;
  /** Outcome profile for numbers without their own; default: every call answered. */
  profile?: OutcomeProfile;
  /** Per number (E.164; for a SIP `to`, the E.164 in its user part), else per calling line (`from`). */
  profiles?: Record<string, OutcomeProfile>;
  /** Per callee: what they say. */
  personas?: Record<string, Persona>;
  /** Personas by the last digits of the number called (DEFAULT_PERSONAS_BY_SUFFIX is `npm start`'s set). */
  personasBySuffix?: Record<string, PersonaRef>;
  /**
   * The account's Call Control connections (applications), by id, with their webhook URL for
   * dials that give no `webhook_url`. When given, a dial on another connection_id is refused.
   */
  connections?: Record<string, { webhookUrl?: string }>;
  /** The messaging profile's webhook URL: status of sent messages without `webhook_url`, and inbound SMS. */
  messagingWebhookUrl?: string;
  /** Per-number inbound SMS webhook (E.164 → URL), over `messagingWebhookUrl`. */
  numbers?: Record<string, { webhookUrl?: string }>;
  /**
   * Simulated seconds of silence (nothing playing, no command) after which a callee hangs up
   * an answered call. Default: never — on Telnyx the application hangs up, and an application
   * that takes a real second to answer a webhook must not lose its call at 100× speed.
   */
  idleSeconds?: number;
}

/** How the next dials fail: refused with an HTTP error, or accepted and hung up before ringing. */
export type DialFailure =
  { count?: number; status?: number; code?: string; title?: string; detail?: string } | { count?: number; hangupCause: HangupCause; sipHangupCause?: string };

export interface LookupRecord {
  phoneNumber: string;
  type: string | null;
  at: Date;
}

export interface TelnyxSim {
  /** http://127.0.0.1:port — the origin; the control API is under /sim/. */
  url: string;
  /** `${url}/v2`: what the SDK takes as `baseURL` (it stands for https://api.telnyx.com/v2). */
  baseURL: string;
  apiKey: string;
  /** The webhook public key, base64 as the portal shows it: the SDK's `publicKey`. */
  publicKey: string;
  clock: SimClock;
  /** Every call dialled, in order (a snapshot). */
  calls(): SimTelnyxCall[];
  messages(): SimTelnyxMessage[];
  lookups(): LookupRecord[];
  setProfile(number: string, profile: OutcomeProfile): void;
  setPersona(number: string, persona: Persona): void;
  /** Sets both halves of a callee — who picks up and what they say — as PUT /sim/personas/{number} does. */
  setCallee(number: string, persona: PersonaSpec): void;
  setNumber(number: string, config: { webhookUrl?: string }): void;
  /** An SMS from `from` arrives at `to`: message.received goes to the number's webhook; resolves once delivered. */
  receiveSms(sms: InboundSms): Promise<SimTelnyxMessage>;
  /** Makes the next `count` dials (default 1) fail: refused with `status` (default 500), or hung up at once with `hangupCause`. */
  failNext(failure?: DialFailure): void;
  /** The signature headers for `body` at `timestamp` (Unix seconds): what a stale or replayed delivery carries. */
  signWebhook(body: string, timestamp?: number): Record<string, string>;
  /** Resolves once every webhook queued so far has been delivered. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const E164 = /^\+[1-9]\d{1,14}$/;
const SIP_URI = /^sips?:[^@\s]+@[^@\s]+$/i;
const ACTIONS = ['speak', 'playback_start', 'gather_using_speak', 'gather_using_ai', 'transfer', 'hangup', 'record_start'] as const;

function errorFor(status: number, code?: string, title?: string, detail?: string) {
  const [c, t] =
    status === 401
      ? ['10009', 'Authentication failed']
      : status === 403
        ? ['10010', 'Authorization failed']
        : status === 429
          ? ['10011', 'Too many requests']
          : status >= 500
            ? ['10007', 'Unexpected error']
            : ['10015', 'Bad Request'];
  return new TelnyxApiError(status, code ?? c, title ?? t, detail);
}

export async function startTelnyxSim(options: TelnyxSimOptions = {}): Promise<TelnyxSim> {
  const apiKey = options.apiKey ?? `KEY${randomBytes(16).toString('hex').toUpperCase()}_${randomBytes(12).toString('base64url')}`;
  const clock = createClock(options.clockSpeed ?? 1, options.startAt);
  const signer = createSigner();
  const callees = new Callees(options);
  const numbers = new Map(Object.entries(options.numbers ?? {}));
  const host = options.host ?? '127.0.0.1';
  const failures: DialFailure[] = [];
  const lookups: LookupRecord[] = [];
  let origin = '';

  const store = new CallStore({
    clock,
    signer,
    persona: (to) => callees.persona(to),
    connectionWebhook: (id) => options.connections?.[id]?.webhookUrl,
    idleSeconds: options.idleSeconds,
    recordingsBase: () => `${origin}/sim/recordings`,
  });
  store.transferDraw = (to) => callees.drawCall(to, '');
  const messages = new MessageStore({ clock, signer, messagingProfileId: randomUUID(), organizationId: randomUUID() });
  const receiveSms = (sms: InboundSms) => messages.receive(sms, numbers.get(sms.to)?.webhookUrl ?? options.messagingWebhookUrl ?? null);

  const endpoint = (field: string, value: unknown) => {
    if (typeof value !== 'string' || !(E164.test(value) || SIP_URI.test(value))) throw invalidNumber(field, String(value));
    return value;
  };
  const body = (name: BodyName, raw: string) => checkBody(name, raw);

  const routes: Route[] = [
    {
      method: 'POST',
      pattern: /^\/v2\/calls$/,
      handler: ({ body: raw }) => {
        const failure = failures.shift();
        if (failure && !('hangupCause' in failure)) throw errorFor(failure.status ?? 500, failure.code, failure.title, failure.detail);
        const req = body('dial', raw);
        const again = store.byDialCommand(typeof req.command_id === 'string' ? req.command_id : undefined);
        if (again) return { status: 200, json: { data: store.toJson(again) } };
        const targets = Array.isArray(req.to) ? req.to : [req.to];
        if (targets.length !== 1) throw invalid('to', 'Dialling several destinations at once is not simulated; give one.');
        const to = endpoint('to', targets[0]);
        endpoint('from', req.from);
        if (options.connections && !(String(req.connection_id) in options.connections)) {
          throw new TelnyxApiError(
            422,
            '10015',
            'Invalid connection_id',
            `No Call Control connection ${String(req.connection_id)} on this account.`,
            '/connection_id',
          );
        }
        if (typeof req.client_state === 'string' && !/^[A-Za-z0-9+/]*={0,2}$/.test(req.client_state))
          throw invalid('client_state', "'client_state' must be base64.");
        // A well-formed number that no plan allocates never rings: the call is hung up as not_found.
        const unallocated = E164.test(numberOf(to)) && !parsePhoneNumberFromString(numberOf(to))?.isValid();
        const early: EarlyHangup | undefined =
          failure && 'hangupCause' in failure
            ? { cause: failure.hangupCause, ...(failure.sipHangupCause ? { sip: failure.sipHangupCause } : {}) }
            : unallocated
              ? { cause: 'not_found', sip: '404' }
              : undefined;
        const call = store.create(req, to, callees.drawCall(to, String(req.from)), early);
        return { status: 200, json: { data: store.toJson(call) } };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v2\/calls\/([^/]+)$/,
      handler: ({ match }) => {
        const entry = store.get(match[1] ?? '');
        if (!entry) throw notFound(`Call ${match[1]}`);
        return { status: 200, json: { data: store.toJson(entry.call) } };
      },
    },
    {
      method: 'POST',
      pattern: /^\/v2\/calls\/([^/]+)\/actions\/([a-z_]+)$/,
      handler: ({ match, body: raw }) => {
        const [, id = '', action = ''] = match;
        if (!(ACTIONS as readonly string[]).includes(action)) throw notFound(`The command ${action} (not simulated)`);
        if (!store.get(id)) throw notFound(`Call ${id}`);
        const req = body(action as BodyName, raw);
        if (action === 'transfer') endpoint('to', req.to);
        if (action === 'playback_start' && req.audio_url === undefined && req.media_name === undefined && req.playback_content === undefined)
          throw missing('audio_url');
        store.command(id, action, req);
        return { status: 200, json: { data: { result: 'ok', ...(action === 'gather_using_ai' ? { conversation_id: randomUUID() } : {}) } } };
      },
    },
    {
      method: 'POST',
      pattern: /^\/v2\/messages$/,
      handler: ({ body: raw }) => {
        const req = body('message', raw);
        if (typeof req.to !== 'string' || !E164.test(req.to))
          throw new TelnyxApiError(422, '40310', "Invalid 'to' address", `The 'to' address ${String(req.to)} is not a valid E.164 number.`, '/to');
        if (typeof req.from !== 'string') throw missing('from'); // number pools and alphanumeric senders are not simulated
        if (!E164.test(req.from))
          throw new TelnyxApiError(422, '40013', 'Invalid source number', `The 'from' number ${req.from} is not a number of this account.`, '/from');
        if (typeof req.text !== 'string' || req.text === '') throw missing('text');
        const webhookUrl = typeof req.webhook_url === 'string' ? req.webhook_url : (options.messagingWebhookUrl ?? null);
        const m = messages.send(req.from, req.to, req.text, webhookUrl, callees.drawSms(req.to, req.from));
        return { status: 200, json: { data: messages.toJson(m) } };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v2\/messages\/([^/]+)$/,
      handler: ({ match }) => {
        const m = messages.messages.find((x) => x.id === match[1]);
        if (!m) throw notFound(`Message ${match[1]}`);
        return { status: 200, json: { data: messages.toJson(m) } };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v2\/number_lookup\/([^/]+)$/,
      handler: ({ match, query }) => {
        const number = match[1] ?? '';
        lookups.push({ phoneNumber: number, type: query.get('type'), at: clock.now() });
        return { status: 200, json: { data: lookupNumber(number, query, (e164) => callees.lineTypeOf(e164)) } };
      },
    },
  ];

  const failNext = (failure: DialFailure = {}) => {
    for (let i = 0; i < (failure.count ?? 1); i++) failures.push(failure);
  };
  const server = createSimServer(routes, apiKey, (method, path, query, raw) =>
    handleControl(
      {
        callees,
        calls: () => store.calls,
        messages: () => messages.messages,
        receiveSms,
        failNext,
      },
      method,
      path,
      query,
      raw,
    ),
  );
  const { port } = await listen(server, options.port ?? 0, host);
  origin = `http://${host}:${port}`;

  return {
    url: origin,
    baseURL: `${origin}/v2`,
    apiKey,
    publicKey: signer.publicKey,
    clock,
    calls: () => structuredClone(store.calls),
    messages: () => structuredClone(messages.messages),
    lookups: () => structuredClone(lookups),
    setProfile: (number, profile) => callees.setProfile(number, profile),
    setPersona: (number, persona) => callees.setPersona(number, persona),
    setCallee: (number, persona) => callees.setCallee(number, persona),
    setNumber: (number, config) => void numbers.set(number, config),
    receiveSms,
    failNext,
    signWebhook: (raw, timestamp) => signer.headers(raw, timestamp),
    settled: async () => {
      await store.settled();
      await messages.settled();
    },
    close: async () => {
      store.close();
      messages.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
