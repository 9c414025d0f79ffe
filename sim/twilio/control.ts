// The simulator's own control API, beside Twilio's on the same origin and without Twilio's
// auth (it changes only who the simulated callees are): list the personas, and set, read or
// reset the one a number gets.
//
//   GET    /sim/personas            { builtIn, bySuffix, numbers }
//   GET    /sim/personas/{E.164}    the persona a call to that number gets now, and why
//   PUT    /sim/personas/{E.164}    {"persona": "<built-in name>"} or a whole persona
//   DELETE /sim/personas/{E.164}    back to the persona its last digits choose
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
}

const E164 = /^\+[1-9]\d{1,14}$/;
const PERSONAS = '/sim/personas';

const problem = (status: number, message: string, field?: string): ControlResponse => ({ status, json: { status, message, ...(field !== undefined ? { field } : {}) } });

export function handleControl(registry: PersonaRegistry, method: string, path: string, body: string): ControlResponse {
  if (path === PERSONAS || path === `${PERSONAS}/`) {
    if (method !== 'GET') return problem(405, `${method} ${path} is not allowed: GET lists the personas`);
    return { status: 200, json: { builtIn: BUILT_IN_PERSONAS, bySuffix: registry.bySuffix, numbers: Object.fromEntries(registry.numbers()) } };
  }
  if (!path.startsWith(`${PERSONAS}/`)) return problem(404, `${path} is not part of the simulator's control API (see GET ${PERSONAS})`);
  const number = path.slice(PERSONAS.length + 1).trim();
  if (!E164.test(number)) return problem(400, `"${number}" is not an E.164 number such as +14155550101 (write + as %2B if your client turns it into a space)`, 'number');
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
