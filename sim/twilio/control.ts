// The simulator's own control API, beside Twilio's on the same origin and without Twilio's
// auth (it changes only who the simulated callees are): list the personas, and set, read or
// reset the one a number gets.
//
//   GET    /sim/personas            { builtIn, bySuffix, numbers }
//   GET    /sim/personas/{E.164}    the persona a call to that number gets now, and why
//   PUT    /sim/personas/{E.164}    {"persona": "<built-in name>"} or a whole persona
//   DELETE /sim/personas/{E.164}    back to the persona its last digits choose
//   GET    /sim/calls?to=           the calls placed: what each callee heard and answered
//   GET    /sim/messages?to=        the SMS sent
import type { SimCall } from './calls.ts';
import type { SimMessage } from './messages.ts';
import { BUILT_IN_PERSONAS, parsePersona, PersonaError, type PersonaRef, type PersonaSpec } from './personas.ts';

export interface ControlResponse {
  status: number;
  json?: unknown;
}

export interface PersonaRegistry {
  bySuffix: Record<string, PersonaRef>;
  /** The personas set per number through this API. */
  numbers(): Map<string, PersonaSpec>;
  /** The persona a call to `number` gets, and where it comes from. */
  lookup(number: string): { persona: PersonaSpec | null; from: 'set' | 'suffix' | 'none'; suffix?: string };
  set(number: string, spec: PersonaSpec): void;
  reset(number: string): void;
  calls(): SimCall[];
  messages(): SimMessage[];
}

const E164 = /^\+[1-9]\d{1,14}$/;
const PERSONAS = '/sim/personas';

const problem = (status: number, message: string, field?: string): ControlResponse => ({
  status,
  json: { status, message, ...(field !== undefined ? { field } : {}) },
});

/** A call as a person trying the simulator wants to read it: who, how it ended, and the conversation. */
const callView = (c: SimCall) => ({
  sid: c.sid,
  to: c.to,
  from: c.from,
  status: c.status,
  answeredBy: c.answeredBy,
  startTime: c.startTime,
  endTime: c.endTime,
  conversation: c.heard.flatMap((h): Record<string, unknown>[] => {
    if (h.verb === 'Say') return [{ said: h.text ?? '' }];
    if (h.verb === 'Gather') return [{ replied: h.reply ?? null }];
    if (h.verb === 'Dial') return [{ dialled: h.text ?? '' }];
    return [];
  }),
});

const messageView = (m: SimMessage) => ({
  sid: m.sid,
  to: m.to,
  from: m.from,
  body: m.body,
  status: m.status,
  direction: m.direction,
  dateCreated: m.dateCreated,
});

export function handleControl(registry: PersonaRegistry, method: string, path: string, query: URLSearchParams, body: string): ControlResponse {
  if (path === '/sim/calls' || path === '/sim/messages') {
    if (method !== 'GET') return problem(405, `${method} ${path} is not allowed: GET lists them`);
    const to = query.get('to')?.trim();
    if (to !== undefined && !E164.test(to)) return problem(400, `to: "${to}" is not an E.164 number (write + as %2B in a query string)`, 'to');
    const wanted = <T extends { to: string }>(items: T[]) => items.filter((i) => to === undefined || i.to === to || i.to.includes(`${to}@`));
    return { status: 200, json: path === '/sim/calls' ? wanted(registry.calls()).map(callView) : wanted(registry.messages()).map(messageView) };
  }
  if (path === PERSONAS || path === `${PERSONAS}/`) {
    if (method !== 'GET') return problem(405, `${method} ${path} is not allowed: GET lists the personas`);
    return { status: 200, json: { builtIn: BUILT_IN_PERSONAS, bySuffix: registry.bySuffix, numbers: Object.fromEntries(registry.numbers()) } };
  }
  if (!path.startsWith(`${PERSONAS}/`)) return problem(404, `${path} is not part of the simulator's control API (see GET ${PERSONAS})`);
  const number = path.slice(PERSONAS.length + 1).trim();
  if (!E164.test(number))
    return problem(400, `"${number}" is not an E.164 number such as +14155550101 (write + as %2B if your client turns it into a space)`, 'number');
  switch (method) {
    case 'GET':
      return { status: 200, json: { number, ...registry.lookup(number) } };
    case 'PUT': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return problem(400, 'the body is not JSON: send {"persona": "<name>"} or a persona object');
      }
      try {
        registry.set(number, parsePersona(parsed));
      } catch (err) {
        if (err instanceof PersonaError) return problem(400, `${err.field || 'body'}: ${err.message}`, err.field);
        throw err;
      }
      return { status: 200, json: { number, ...registry.lookup(number) } };
    }
    case 'DELETE':
      registry.reset(number);
      return { status: 200, json: { number, ...registry.lookup(number) } };
    default:
      return problem(405, `${method} is not allowed: GET, PUT or DELETE a number's persona`);
  }
}
