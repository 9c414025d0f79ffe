// startTwilioSim(): a local, stateful stand-in for Twilio's REST API (Calls, Messages,
// Lookup v2) that places simulated calls on a simulated clock and calls the
// application back — signed — exactly where real Twilio would.
import { randomBytes } from 'node:crypto';
import { accountJson } from './account-json.ts';
import { checkAmdParams } from './amd.ts';
import { listCalls } from './call-list.ts';
import { CallStore, type SimCall } from './calls.ts';
import { createClock, type SimClock } from './clock.ts';
import { CONTRACT_PATH, first, isHttpUrl, loadFormSchemas, loadQuerySchemas, parseForm, validateForm } from './contract.ts';
import { badParam, notFound, TwilioApiError } from './errors.ts';
import { receiveSms, type InboundSms, type InboundSmsResult, type SmsNumberConfig } from './inbound-sms.ts';
import { lookupPhoneNumber } from './lookups.ts';
import { listMessages } from './message-list.ts';
import { MessageStore, type SimMessage } from './messages.ts';
import { DEFAULT_PROFILE, drawCall, pickWeighted, seededRandom, type OutcomeProfile, type Persona } from './profiles.ts';
import { createSimServer, type Fault, type Route } from './server.ts';
import { handleControl, type PersonaRegistry } from './control.ts';
import { personaBySuffix, personaParts, type PersonaRef, type PersonaSpec } from './personas.ts';
import { listen } from '../listen.ts';

export type { SimCall, CallStatus, CallbackDelivery } from './calls.ts';
export type { SimMessage, MessageDirection } from './messages.ts';
export type { HeardEntry, GatherRecord } from './dialog.ts';
export type { DialRecord, DialTarget } from './dial.ts';
export type { AmdResult, AnsweredBy } from './amd.ts';
export type { InboundSms, InboundSmsResult, SmsNumberConfig } from './inbound-sms.ts';
export type { MediaResponse } from './webhook.ts';
export type { OutcomeProfile, Persona, Utterance, LineType } from './profiles.ts';
export type { SimClock } from './clock.ts';
export type { Answers, PersonaSpec, PersonaRef, BuiltInPersona } from './personas.ts';
export { BUILT_IN_PERSONAS, DEFAULT_PERSONAS_BY_SUFFIX } from './personas.ts';
export { twilioSignature } from './signature.ts';

export interface TwilioSimOptions {
  /** Default: a generated `AC` + 32 hex. */
  accountSid?: string;
  /** Default: generated, 32 hex. */
  authToken?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Simulated seconds per real second; 100 makes a 30 s ring take 0.3 s. Default 1. */
  clockSpeed?: number;
  /** Simulated time at start; default now. */
  startAt?: Date;
  /** Outcome profile for numbers without their own; default: every call answered. */
  profile?: OutcomeProfile;
  /**
   * Per-number (E.164) profiles: the number called (for a SIP `To`, the E.164 in its user
   * part), else the BYOC trunk (its `BY…` sid, for calls with `Byoc`), else the line
   * calling (its From — a number or a SIP trunk's caller id), else `profile`.
   */
  profiles?: Record<string, OutcomeProfile>;
  /** Per callee (E.164, or the E.164 in a SIP URI): who answers and what they say. */
  personas?: Record<string, Persona>;
  /**
   * Personas (who picks up and what they say) by the last digits of the number called, for
   * numbers without a profile or persona of their own: `{ '1': 'price-then-yes', '42': {…} }`
   * (the longest matching suffix wins; DEFAULT_PERSONAS_BY_SUFFIX is `npm start`'s set). Also
   * enables the control API under /sim/ (GET /sim/personas, PUT /sim/personas/{E.164}).
   */
  personasBySuffix?: Record<string, PersonaRef>;
  /** Where an SMS to any of the account's numbers is POSTed (see `receiveSms`). */
  smsUrl?: string;
  /** Per-number messaging configuration (E.164 → smsUrl, …), over `smsUrl`. */
  numbers?: Record<string, SmsNumberConfig>;
  /** Twilio dequeues 1 call per second per account by default. */
  callsPerSecond?: number;
  /** Twilio's OpenAPI document; default the copy in sim/contracts/twilio. */
  contractPath?: string;
}

export interface LookupRecord {
  phoneNumber: string;
  fields: string | null;
  at: Date;
}

export interface TwilioSim {
  /** http://127.0.0.1:port — stands for both https://api.twilio.com and https://lookups.twilio.com. */
  url: string;
  accountSid: string;
  authToken: string;
  clock: SimClock;
  /** Every Calls create request, in order (a snapshot). */
  calls(): SimCall[];
  messages(): SimMessage[];
  lookups(): LookupRecord[];
  setProfile(number: string, profile: OutcomeProfile): void;
  setPersona(number: string, persona: Persona): void;
  /** Sets both halves of a callee — who picks up and what they say — as PUT /sim/personas/{number} does. */
  setCallee(number: string, persona: PersonaSpec): void;
  /** Sets (or replaces) a number's messaging configuration. */
  setNumber(number: string, config: SmsNumberConfig): void;
  /**
   * An SMS from `from` arrives at `to`: POSTed to its smsUrl as Twilio does (signed), and
   * each <Message> of the TwiML answer is sent back as an outbound-reply message.
   */
  receiveSms(sms: InboundSms): Promise<InboundSmsResult>;
  /**
   * Makes the next `count` authenticated requests (default 1) fail with Twilio's error JSON
   * and `status` (default 500; code 20500, or 20503 for a 503). With `processed`, each
   * request is still carried out — a call is placed — and only its answer is lost: the
   * case where the client cannot know whether Twilio acted.
   */
  failNext(options?: { count?: number; status?: number; code?: number; processed?: boolean }): void;
  /** Resolves once every status callback queued so far has been delivered. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const CALLS = '/2010-04-01/Accounts/{AccountSid}/Calls.json';
const CALL = '/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json';
const MESSAGES = '/2010-04-01/Accounts/{AccountSid}/Messages.json';
const ENDPOINT = /^(\+[1-9]\d{1,14}|(sip|client|sim):.+)$/; // what a call's To/From may be
const SIP_URI = /^sips?:([^@;]+)@[^@\s]+$/i;
const E164 = /^\+[1-9]\d{1,14}$/;
/** The phone number an endpoint reaches: itself, or the E.164 user part of a SIP URI. */
const numberOf = (endpoint: string) => {
  const user = SIP_URI.exec(endpoint)?.[1];
  return user && E164.test(user) ? user : endpoint;
};

export async function startTwilioSim(options: TwilioSimOptions = {}): Promise<TwilioSim> {
  const accountSid = options.accountSid ?? `AC${randomBytes(16).toString('hex')}`;
  const authToken = options.authToken ?? randomBytes(16).toString('hex');
  const clock = createClock(options.clockSpeed ?? 1, options.startAt);
  const schemas = loadFormSchemas(options.contractPath ?? CONTRACT_PATH, [
    [CALLS, 'post'],
    [CALL, 'post'],
    [MESSAGES, 'post'],
  ]);
  const querySchemas = loadQuerySchemas(options.contractPath ?? CONTRACT_PATH, [
    [CALLS, 'get'],
    [MESSAGES, 'get'],
  ]);
  const callEvents = { StatusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'] };
  const profiles = new Map(Object.entries(options.profiles ?? {}));
  const personas = new Map(Object.entries(options.personas ?? {}));
  const defaultProfile = options.profile ?? DEFAULT_PROFILE;
  // One generator per profile owner, so a number's own seed makes its draws repeatable.
  const randoms = new Map<string, () => number>();
  const randomFor = (key: string, profile: OutcomeProfile) => {
    let r = randoms.get(key);
    if (!r) randoms.set(key, (r = profile.seed === undefined ? Math.random : seededRandom(profile.seed)));
    return r;
  };
  const bySuffix = options.personasBySuffix ?? {};
  // Parsed once per persona, not per call.
  const suffixParts = new Map<string, ReturnType<typeof personaParts>>();
  const suffixCallee = (number: string | undefined) => {
    const found = number === undefined ? undefined : personaBySuffix(bySuffix, number);
    if (!found) return undefined;
    let parts = suffixParts.get(found.suffix);
    if (!parts) suffixParts.set(found.suffix, (parts = personaParts(found.spec)));
    return { key: `suffix:${found.suffix}`, ...parts };
  };
  /** The profile of the first key that has one; a callee's persona by suffix comes after the numbers called (first `calleeKeys`). */
  const profileOf = (calleeKeys: number, ...keys: (string | undefined)[]): [OutcomeProfile, () => number] => {
    for (const [i, key] of keys.entries()) {
      const own = key === undefined ? undefined : profiles.get(key);
      if (own) return [own, randomFor(key!, own)];
      const callee = i === calleeKeys - 1 ? suffixCallee(key) : undefined;
      if (callee) return [callee.profile, randomFor(callee.key, callee.profile)];
    }
    return [defaultProfile, randomFor('*', defaultProfile)];
  };
  const numbers = new Map(Object.entries(options.numbers ?? {}));

  const store = new CallStore({
    clock,
    accountSid,
    authToken,
    callsPerSecond: options.callsPerSecond ?? 1,
    persona: (to) => personas.get(to) ?? personas.get(numberOf(to)) ?? suffixCallee(numberOf(to))?.persona,
  });
  // Callees set through the control API (or setCallee), by number.
  const callees = new Map<string, PersonaSpec>();
  const setCallee = (number: string, spec: PersonaSpec) => {
    const { profile, persona } = personaParts(spec);
    callees.set(number, spec);
    profiles.set(number, profile);
    randoms.delete(number);
    personas.set(number, persona);
  };
  const registry: PersonaRegistry = {
    bySuffix,
    numbers: () => new Map(callees),
    lookup: (number) => {
      const own = callees.get(number);
      if (own) return { persona: own, from: 'set' };
      const found = personaBySuffix(bySuffix, number);
      return found ? { persona: found.spec, from: 'suffix', suffix: found.suffix } : { persona: null, from: 'none' };
    },
    set: setCallee,
    calls: () => store.calls,
    messages: () => messages.messages,
    reset: (number) => {
      callees.delete(number);
      profiles.delete(number);
      randoms.delete(number);
      personas.delete(number);
    },
  };
  const messages = new MessageStore({ clock, accountSid, authToken });
  const lookups: LookupRecord[] = [];
  const faults: Fault[] = [];

  const account = (match: RegExpExecArray) => {
    if (match[1] !== accountSid) throw notFound(match[0]);
  };
  const check = (key: string, body: string) => {
    const params = parseForm(body);
    const error = validateForm(schemas.get(key) ?? { properties: {}, required: [] }, params, key === `POST ${CALLS}` ? callEvents : {});
    if (error) throw error;
    return params;
  };
  const fail = (e: TwilioApiError | null) => {
    if (e) throw e;
  };
  const callPath = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\/([^/]+)\.json$/;
  const callsPath = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\.json$/;

  const created = clock.now();
  const routes: Route[] = [
    {
      // What a client fetches to learn whether its credentials work (the auth is the server's).
      method: 'GET',
      pattern: /^\/2010-04-01\/Accounts\/([^/]+)\.json$/,
      handler: ({ match }) => {
        account(match);
        return { status: 200, json: accountJson(accountSid, authToken, created) };
      },
    },
    {
      method: 'GET',
      pattern: callsPath,
      handler: ({ match, path, query }) => {
        account(match);
        const params = parseForm(query.toString());
        fail(validateForm(querySchemas.get(`GET ${CALLS}`) ?? { properties: {}, required: [] }, params));
        return { status: 200, json: listCalls(store.calls, params, path, (c) => store.toJson(c)) };
      },
    },
    {
      method: 'POST',
      pattern: callsPath,
      handler: ({ body, match }) => {
        account(match);
        const params = check(`POST ${CALLS}`, body);
        const to = first(params, 'To') ?? '';
        fail(ENDPOINT.test(to) ? null : badParam(21211, `Invalid 'To' Phone Number: ${to}`));
        fail(ENDPOINT.test(first(params, 'From') ?? '') ? null : badParam(21212, `Invalid 'From' Phone Number: ${first(params, 'From')}`));
        const sources = ['Url', 'Twiml', 'ApplicationSid'].filter((n) => params.has(n));
        fail(sources.length === 0 ? badParam(21205, 'Url parameter is required.') : null);
        fail(sources.length > 1 ? badParam(21205, `${sources.join(' and ')} are mutually exclusive.`) : null);
        fail(params.has('ApplicationSid') ? badParam(21218, 'ApplicationSid is not simulated; use Url or Twiml.') : null);
        fail(to.startsWith('sip') && !SIP_URI.test(to) ? badParam(21211, `Invalid 'To' SIP address: ${to}`) : null);
        const timeout = Number(first(params, 'Timeout') ?? 60);
        fail(timeout < 1 || timeout > 600 ? badParam(20001, 'Timeout must be between 1 and 600 seconds.') : null);
        fail(checkAmdParams(params));
        // Byoc only means something when To is a phone number; Twilio ignores it otherwise.
        const byoc = E164.test(to) ? first(params, 'Byoc') : undefined;
        const [profile, random] = profileOf(2, to, numberOf(to), byoc, first(params, 'From'));
        return { status: 201, json: store.toJson(store.create(params, drawCall(profile, random))) };
      },
    },
    {
      method: 'GET',
      pattern: callPath,
      handler: ({ match, path }) => {
        account(match);
        const entry = store.get(match[2] ?? '');
        if (!entry) throw notFound(path);
        return { status: 200, json: store.toJson(entry.call) };
      },
    },
    {
      method: 'POST',
      pattern: callPath,
      handler: ({ match, path, body }) => {
        account(match);
        const params = check(`POST ${CALL}`, body);
        fail(params.has('Url') && params.has('Twiml') ? badParam(21205, 'Url and Twiml are mutually exclusive.') : null);
        const call = store.update(match[2] ?? '', params);
        if (!call) throw notFound(path);
        return { status: 200, json: store.toJson(call) };
      },
    },
    {
      method: 'POST',
      pattern: /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/,
      handler: ({ match, body }) => {
        account(match);
        const params = check(`POST ${MESSAGES}`, body);
        const to = first(params, 'To') ?? '';
        fail(E164.test(to.replace(/^whatsapp:/, '')) ? null : badParam(21211, `Invalid 'To' Phone Number: ${to}`));
        fail(params.has('From') || params.has('MessagingServiceSid') ? null : badParam(21603, "A 'From' phone number is required."));
        fail(['Body', 'MediaUrl', 'ContentSid'].some((n) => params.has(n)) ? null : badParam(21602, 'Message body is required.'));
        fail([...(first(params, 'Body') ?? '')].length > 1600 ? badParam(21617, 'The concatenated message body exceeds the 1600 character limit.') : null);
        const sc = first(params, 'StatusCallback');
        fail(sc && !isHttpUrl(sc) ? badParam(21609, `Invalid StatusCallback: ${sc}`) : null);
        const [profile, random] = profileOf(1, to, first(params, 'From'));
        return { status: 201, json: messages.toJson(messages.create(params, pickWeighted(profile.sms ?? {}, 'delivered', random))) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/,
      handler: ({ match, path, query }) => {
        account(match);
        const params = parseForm(query.toString());
        fail(validateForm(querySchemas.get(`GET ${MESSAGES}`) ?? { properties: {}, required: [] }, params));
        return { status: 200, json: listMessages(messages.messages, params, path, (m) => messages.toJson(m)) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\.json$/,
      handler: ({ match, path }) => {
        account(match);
        const msg = messages.get(match[2] ?? '');
        if (!msg) throw notFound(path);
        return { status: 200, json: messages.toJson(msg) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v2\/PhoneNumbers\/([^/]+)$/,
      handler: ({ match, query }) => {
        const number = match[1] ?? '';
        lookups.push({ phoneNumber: number, fields: query.get('Fields'), at: clock.now() });
        const out = lookupPhoneNumber(number, query, (e164) => profiles.get(e164)?.lineType ?? defaultProfile.lineType);
        if (out instanceof TwilioApiError) throw out;
        return { status: 200, json: out };
      },
    },
  ];

  const control = options.personasBySuffix
    ? (method: string, path: string, query: URLSearchParams, body: string) => handleControl(registry, method, path, query, body)
    : undefined;
  const server = createSimServer(routes, { accountSid, authToken }, () => faults.shift(), control);
  const { port } = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    accountSid,
    authToken,
    clock,
    calls: () => structuredClone(store.calls),
    messages: () => structuredClone(messages.messages),
    lookups: () => structuredClone(lookups),
    setProfile: (number, profile) => {
      profiles.set(number, profile);
      randoms.delete(number);
    },
    setPersona: (number, persona) => void personas.set(number, persona),
    setCallee,
    setNumber: (number, config) => void numbers.set(number, config),
    receiveSms: (sms) =>
      receiveSms(
        {
          accountSid,
          authToken,
          messages,
          config: (to) => ({ ...(options.smsUrl ? { smsUrl: options.smsUrl } : {}), ...numbers.get(to) }),
          outcome: (to, from) => {
            const [profile, random] = profileOf(0, to, from);
            return pickWeighted(profile.sms ?? {}, 'delivered', random);
          },
        },
        sms,
      ),
    failNext: ({ count = 1, status = 500, code = status === 503 ? 20503 : 20500, processed = false } = {}) => {
      const message = status === 503 ? 'Service Unavailable' : 'Internal Server Error';
      for (let i = 0; i < count; i++) faults.push({ error: new TwilioApiError(status, code, message), processed });
    },
    settled: () => store.settled(),
    close: async () => {
      store.close();
      messages.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
