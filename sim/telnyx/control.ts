// The simulator's own control API, beside Telnyx's on the same origin and without the API key:
//
//   GET    /sim/personas            { builtIn, bySuffix, numbers }
//   GET    /sim/personas/{E.164}    the persona a call to that number gets now, and why
//   PUT    /sim/personas/{E.164}    {"persona": "<built-in name>"} or a whole persona
//   DELETE /sim/personas/{E.164}    back to the persona its last digits choose
//   GET    /sim/calls?to=           the calls placed: state, hangup cause, what each callee heard
//   GET    /sim/messages?to=        the SMS sent and received
//   POST   /sim/messages            {"from", "to", "text"}: an SMS arrives (message.received)
//   POST   /sim/failures            {"count", "status", "code", "title"} or {"count", "hangupCause"}:
//                                   the next dials are refused, or accepted and hung up at once
import { BUILT_IN_PERSONAS, parsePersona, PersonaError } from '../twilio/personas.ts';
import type { HangupCause, SimTelnyxCall } from './call-types.ts';
import type { Callees } from './callees.ts';
import type { SimTelnyxMessage, InboundSms } from './messages.ts';
import type { DialFailure } from './index.ts';

export interface ControlDeps {
  callees: Callees;
  calls(): SimTelnyxCall[];
  messages(): SimTelnyxMessage[];
  receiveSms(sms: InboundSms): Promise<SimTelnyxMessage>;
  failNext(failure: DialFailure): void;
}

const E164 = /^\+[1-9]\d{1,14}$/;
const PERSONAS = '/sim/personas';
const HANGUP_CAUSES = ['call_rejected', 'normal_clearing', 'originator_cancel', 'timeout', 'time_limit', 'user_busy', 'not_found', 'no_answer', 'unspecified'];

const problem = (status: number, message: string, field?: string) => ({ status, json: { status, message, ...(field !== undefined ? { field } : {}) } });

const callView = (c: SimTelnyxCall) => ({
  callControlId: c.callControlId,
  to: c.to,
  from: c.from,
  state: c.state,
  hangupCause: c.hangupCause,
  hangupSource: c.hangupSource,
  amd: c.amd,
  createdAt: c.createdAt,
  answerTime: c.answerTime,
  endTime: c.endTime,
  conversation: c.heard.flatMap((h): Record<string, unknown>[] => {
    if (h.command === 'speak') return [{ said: h.text ?? '' }];
    if (h.command === 'gather_using_speak' || h.command === 'gather_using_ai') return [{ asked: h.text ?? '' }, { replied: h.reply ?? null }];
    if (h.command === 'playback_start') return [{ played: h.media?.url ?? h.attrs.media_name ?? '' }];
    if (h.command === 'transfer') return [{ transferred: h.transfer?.to, outcome: h.transfer?.outcome }];
    return [];
  }),
});
const messageView = (m: SimTelnyxMessage) => ({
  id: m.id,
  direction: m.direction,
  to: m.to,
  from: m.from,
  text: m.text,
  status: m.status,
  receivedAt: m.receivedAt,
});

function json(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function handleControl(deps: ControlDeps, method: string, path: string, query: URLSearchParams, body: string) {
  if (path === '/sim/calls' || (path === '/sim/messages' && method === 'GET')) {
    if (method !== 'GET') return problem(405, `${method} ${path} is not allowed: GET lists them`);
    const to = query.get('to')?.trim();
    if (to !== undefined && !E164.test(to)) return problem(400, `to: "${to}" is not an E.164 number (write + as %2B in a query string)`, 'to');
    const wanted = <T extends { to: string }>(items: T[]) => items.filter((i) => to === undefined || i.to === to || i.to.includes(`${to}@`));
    return { status: 200, json: path === '/sim/calls' ? wanted(deps.calls()).map(callView) : wanted(deps.messages()).map(messageView) };
  }
  if (path === '/sim/messages') {
    if (method !== 'POST') return problem(405, `${method} ${path} is not allowed: GET lists the messages, POST receives one`);
    const sms = json(body);
    if (!isObject(sms)) return problem(400, 'send {"from": "+1…", "to": "+1…", "text": "…"}');
    for (const field of ['from', 'to'])
      if (typeof sms[field] !== 'string' || !E164.test(sms[field])) return problem(400, `${field}: must be an E.164 number`, field);
    if (typeof sms.text !== 'string') return problem(400, 'text: must be a string', 'text');
    return { status: 200, json: messageView(await deps.receiveSms({ from: sms.from as string, to: sms.to as string, text: sms.text })) };
  }
  if (path === '/sim/failures') {
    if (method !== 'POST') return problem(405, `${method} ${path} is not allowed: POST queues failures of the next dials`);
    const f = json(body);
    if (!isObject(f)) return problem(400, 'send {"count": 1, "status": 503} or {"count": 1, "hangupCause": "not_found"}');
    const count = f.count ?? 1;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1000)
      return problem(400, 'count: must be an integer from 1 to 1000', 'count');
    if (f.hangupCause !== undefined) {
      if (typeof f.hangupCause !== 'string' || !HANGUP_CAUSES.includes(f.hangupCause))
        return problem(400, `hangupCause: must be one of ${HANGUP_CAUSES.join(', ')}`, 'hangupCause');
      deps.failNext({ count, hangupCause: f.hangupCause as HangupCause });
    } else {
      const status = f.status ?? 500;
      if (typeof status !== 'number' || status < 400 || status > 599) return problem(400, 'status: must be an HTTP error status, 400 to 599', 'status');
      deps.failNext({ count, status, ...(typeof f.code === 'string' ? { code: f.code } : {}), ...(typeof f.title === 'string' ? { title: f.title } : {}) });
    }
    return { status: 200, json: { queued: count } };
  }
  if (path === PERSONAS || path === `${PERSONAS}/`) {
    if (method !== 'GET') return problem(405, `${method} ${path} is not allowed: GET lists the personas`);
    return { status: 200, json: { builtIn: BUILT_IN_PERSONAS, bySuffix: deps.callees.bySuffix, numbers: Object.fromEntries(deps.callees.set) } };
  }
  if (!path.startsWith(`${PERSONAS}/`)) return problem(404, `${path} is not part of the simulator's control API (see GET ${PERSONAS})`);
  const number = path.slice(PERSONAS.length + 1).trim();
  if (!E164.test(number))
    return problem(400, `"${number}" is not an E.164 number such as +14155550101 (write + as %2B if your client turns it into a space)`, 'number');
  switch (method) {
    case 'GET':
      return { status: 200, json: { number, ...deps.callees.lookup(number) } };
    case 'PUT': {
      const parsed = json(body);
      if (parsed === undefined) return problem(400, 'the body is not JSON: send {"persona": "<name>"} or a persona object');
      try {
        deps.callees.setCallee(number, parsePersona(parsed));
      } catch (err) {
        if (err instanceof PersonaError) return problem(400, `${err.field || 'body'}: ${err.message}`, err.field);
        throw err;
      }
      return { status: 200, json: { number, ...deps.callees.lookup(number) } };
    }
    case 'DELETE':
      deps.callees.reset(number);
      return { status: 200, json: { number, ...deps.callees.lookup(number) } };
    default:
      return problem(405, `${method} is not allowed: GET, PUT or DELETE a number's persona`);
  }
}
