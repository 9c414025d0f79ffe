// The call resource and its lifecycle on the simulated clock:
// queued → (initiated) → ringing → in-progress → completed, or busy / no-answer /
// failed / canceled, with status callbacks for the subscribed events, in order.
// https://www.twilio.com/docs/voice/api/call-resource
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { rfc2822, type SimClock } from './clock.ts';
import { detectionFor, type AmdResult } from './amd.ts';
import { first, type Params } from './contract.ts';
import { runDialog, type DocumentSource, type HeardEntry } from './dialog.ts';
import { callJson } from './call-json.ts';
import { badParam } from './errors.ts';
import type { CallDraw, Persona, Utterance } from './profiles.ts';
import type { FormParams } from './signature.ts';
import { fetchMedia, sendWebhook } from './webhook.ts';

export type CallStatus = 'queued' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'failed' | 'no-answer' | 'canceled';
const TERMINAL = new Set<CallStatus>(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

export interface CallbackDelivery {
  /** `amd`: the AsyncAmdStatusCallback request. */
  event: 'initiated' | 'ringing' | 'answered' | 'completed' | 'amd';
  callStatus: string;
  url: string;
  /** HTTP status the application answered with, or the network error. */
  response: number | string;
}

/** What tests read through `sim.calls()`: one entry per Calls create request. */
export interface SimCall {
  sid: string;
  to: string;
  from: string;
  /** The create request's parameters as received. */
  request: Record<string, string[]>;
  status: CallStatus;
  /** Every status (plus the `initiated` event) with its simulated time. */
  history: { status: string; at: Date }[];
  answeredBy: string | null;
  /** Answering machine detection, once it has a result: what, after how long, sync or async. */
  amd: (AmdResult & { at: Date }) | null;
  /** What the profile decided for this call. */
  draw: CallDraw;
  /** The TwiML verbs executed, what was said, and the callee's replies. */
  heard: HeardEntry[];
  callbacks: CallbackDelivery[];
  errors: string[];
  dateCreated: Date;
  /** When the call was dialled (left the account's queue); null while queued, as start_time. */
  startTime: Date | null;
  /** When it was answered; the talk time (duration) runs from here. */
  answerTime: Date | null;
  endTime: Date | null;
}

interface Runtime {
  hangup: AbortController;
  /** Aborted when the call is redirected (Url/Twiml update) mid-document. */
  document?: AbortController;
  redirect?: DocumentSource;
  gathers: number;
  sequence: number;
  callbacks: Promise<void>;
  dateUpdated: Date;
}

export interface CallDeps {
  clock: SimClock;
  accountSid: string;
  authToken: string;
  persona(to: string): Persona | undefined;
  /** Real-time delay budget: Twilio dequeues this many calls per second per account. */
  callsPerSecond: number;
}

export const newSid = (prefix: string) => prefix + randomBytes(16).toString('hex');

export class CallStore {
  readonly calls: SimCall[] = [];
  private readonly bySid = new Map<string, { call: SimCall; rt: Runtime; params: Params }>();
  private nextSlot = 0; // simulated ms when the next queued call may be dialled
  private readonly closing = (() => {
    const c = new AbortController();
    // Every live call and in-flight callback listens for close(); thousands at once is normal here.
    setMaxListeners(0, c.signal);
    return c;
  })();

  constructor(private readonly deps: CallDeps) {}

  create(params: Params, draw: CallDraw): SimCall {
    const now = this.deps.clock.now();
    const call: SimCall = {
      sid: newSid('CA'),
      to: first(params, 'To') ?? '',
      from: first(params, 'From') ?? '',
      request: Object.fromEntries(params),
      status: 'queued',
      history: [{ status: 'queued', at: now }],
      answeredBy: null,
      amd: null,
      draw,
      heard: [],
      callbacks: [],
      errors: [],
      dateCreated: now,
      startTime: null,
      answerTime: null,
      endTime: null,
    };
    const hangup = new AbortController();
    const onClose = () => hangup.abort();
    this.closing.signal.addEventListener('abort', onClose, { once: true });
    const rt: Runtime = { hangup, gathers: 0, sequence: 0, callbacks: Promise.resolve(), dateUpdated: now };
    this.calls.push(call);
    this.bySid.set(call.sid, { call, rt, params });
    this.run(call, rt, params, draw)
      .catch((err: unknown) => {
        if (hangup.signal.aborted) return; // ended by the API or by close(); state already set
        call.errors.push(String(err instanceof Error ? err.message : err));
        this.finish(call, rt, params, 'failed');
      })
      .finally(() => this.closing.signal.removeEventListener('abort', onClose));
    return call;
  }

  get(sid: string) {
    return this.bySid.get(sid);
  }

  /** POST Calls/{Sid}.json: cancel, hang up, redirect, or change the status callback. */
  update(sid: string, params: Params): SimCall | undefined {
    const entry = this.bySid.get(sid);
    if (!entry) return undefined;
    const { call, rt } = entry;
    if (TERMINAL.has(call.status)) throw badParam(21220, 'Call is not in-progress. Cannot redirect.');
    for (const name of ['StatusCallback', 'StatusCallbackMethod', 'Url', 'Method', 'Twiml']) {
      const value = params.get(name);
      if (value) entry.params.set(name, value);
      if (name === 'Url' && value) entry.params.delete('Twiml');
      if (name === 'Twiml' && value) entry.params.delete('Url');
    }
    const status = first(params, 'Status');
    if (status === 'canceled' || status === 'completed') {
      // canceled only stops calls not yet answered; completed also hangs up a live one.
      if (call.status === 'in-progress') {
        if (status === 'completed') this.finish(call, rt, entry.params, 'completed');
      } else this.finish(call, rt, entry.params, 'canceled');
    } else if (call.status === 'in-progress' && (params.has('Url') || params.has('Twiml'))) {
      rt.redirect = this.documentOf(entry.params);
      rt.document?.abort(new Error('redirected'));
    }
    return call;
  }

  /** The Call resource JSON, as api.v2010.account.call. */
  toJson(call: SimCall) {
    return callJson(call, this.deps.accountSid, this.bySid.get(call.sid)?.rt.dateUpdated ?? call.dateCreated);
  }

  close() {
    this.closing.abort(new Error('simulator closed'));
  }

  private documentOf(params: Params): DocumentSource {
    const twiml = first(params, 'Twiml');
    return twiml !== undefined ? { twiml } : { url: first(params, 'Url') ?? '', method: first(params, 'Method') ?? 'POST' };
  }

  private async run(call: SimCall, rt: Runtime, params: Params, draw: CallDraw) {
    const { clock } = this.deps;
    const signal = rt.hangup.signal;
    // Twilio's 1 CPS per account: excess calls wait in the queue, they are not refused.
    const now = clock.now().getTime();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / this.deps.callsPerSecond;
    await clock.sleep(slot - now, signal);
    call.startTime = clock.now();
    this.event(call, rt, params, 'initiated', 'initiated');
    await clock.sleep(500, signal); // dialling
    if (draw.outcome === 'failed') return this.finish(call, rt, params, 'failed');
    this.setStatus(call, rt, 'ringing');
    this.event(call, rt, params, 'ringing', 'ringing');
    const timeoutMs = 1000 * Number(first(params, 'Timeout') ?? 60);
    if (draw.outcome === 'busy') {
      await clock.sleep(Math.min(draw.ringMs, 3000), signal);
      return this.finish(call, rt, params, 'busy');
    }
    if (draw.outcome === 'no-answer' || draw.ringMs >= timeoutMs) {
      await clock.sleep(timeoutMs, signal);
      return this.finish(call, rt, params, 'no-answer');
    }
    await clock.sleep(draw.ringMs, signal);
    call.answerTime = clock.now();
    this.setStatus(call, rt, 'in-progress');
    const amd = detectionFor(params, draw);
    if (amd && !amd.async) {
      // Synchronous AMD: the result is known before anything else is told about the answer.
      call.answeredBy = amd.answeredBy;
      call.amd = { ...amd, at: new Date(clock.now().getTime() + amd.durationMs) };
    }
    this.event(call, rt, params, 'answered', 'in-progress');
    if (amd && !amd.async) await clock.sleep(amd.durationMs, signal); // detection before the TwiML request
    if (amd?.async) this.asyncAmd(call, rt, params, amd);
    await this.converse(call, rt, params, draw);
    this.finish(call, rt, params, 'completed');
  }

  /**
   * AsyncAmd: the TwiML already runs; the result comes later, to AsyncAmdStatusCallback,
   * signed like every callback. A call that ends first gets no result.
   */
  private asyncAmd(call: SimCall, rt: Runtime, params: Params, amd: AmdResult) {
    const { clock, accountSid } = this.deps;
    clock.sleep(amd.durationMs, rt.hangup.signal).then(
      () => {
        call.answeredBy = amd.answeredBy;
        call.amd = { ...amd, at: clock.now() };
        const url = first(params, 'AsyncAmdStatusCallback');
        if (!url) return; // Twilio's warning 21262: the result is only on the Call resource
        const body = { AccountSid: accountSid, CallSid: call.sid, AnsweredBy: amd.answeredBy, MachineDetectionDuration: String(amd.durationMs) };
        const method = first(params, 'AsyncAmdStatusCallbackMethod') ?? 'POST';
        rt.callbacks = rt.callbacks.then(() => this.deliver(call, { event: 'amd', callStatus: call.status, url, response: 0 }, method, body));
      },
      () => undefined /* the call ended before detection finished */,
    );
  }

  private async converse(call: SimCall, rt: Runtime, params: Params, draw: CallDraw) {
    let source: DocumentSource | undefined = this.documentOf(params);
    while (source) {
      rt.document = new AbortController();
      rt.redirect = undefined;
      try {
        await runDialog(this.dialogHost(call, rt, draw), source, AbortSignal.any([rt.hangup.signal, rt.document.signal]));
        return;
      } catch (err) {
        if (rt.hangup.signal.aborted) throw err;
        if (!rt.redirect) {
          // Twilio says "an application error has occurred" and hangs up.
          call.errors.push(String(err instanceof Error ? err.message : err));
          call.heard.push({ verb: 'Error', at: this.deps.clock.now(), attrs: {}, error: String(err) });
          return;
        }
      }
      source = rt.redirect;
    }
  }

  private dialogHost(call: SimCall, rt: Runtime, draw: CallDraw) {
    const { clock, authToken } = this.deps;
    return {
      clock,
      log: (entry: Omit<HeardEntry, 'at'>) => void call.heard.push({ ...entry, at: clock.now() }),
      nextUtterance: () => {
        const persona = this.deps.persona(call.to);
        const index = rt.gathers++;
        // Machines and faxes hear every prompt and never answer one.
        const utterance: Utterance = draw.pickup === 'human' ? (persona?.script[index] ?? null) : null;
        const own = utterance !== null && typeof utterance === 'object' ? utterance.bargeIn : undefined;
        return {
          utterance,
          confidence: persona?.confidence ?? 0.92,
          bargeIn: own ?? persona?.bargeIn ?? false,
          bargeInAfterMs: 1000 * (persona?.bargeInAfter ?? 1),
        };
      },
      fetchMedia: (url: string, signal: AbortSignal) => fetchMedia(url, authToken, signal),
      fetchTwiml: async (url: string, method: string, extra: FormParams, signal: AbortSignal) => {
        const res = await sendWebhook({ url, method, params: { ...this.voiceParams(call), ...extra }, authToken, signal });
        if (res.status < 200 || res.status >= 300) throw new Error(`11200: ${method} ${url} answered HTTP ${res.status}`);
        return res.body;
      },
      newCallSid: () => newSid('CA'),
    };
  }

  private voiceParams(call: SimCall): Record<string, string> {
    return {
      AccountSid: this.deps.accountSid,
      ApiVersion: '2010-04-01',
      CallSid: call.sid,
      CallStatus: call.status,
      Called: call.to,
      Caller: call.from,
      Direction: 'outbound-api',
      From: call.from,
      To: call.to,
      ...(call.answeredBy ? { AnsweredBy: call.answeredBy } : {}),
      ...(call.amd && !call.amd.async ? { MachineDetectionDuration: String(call.amd.durationMs) } : {}),
    };
  }

  private setStatus(call: SimCall, rt: Runtime, status: CallStatus) {
    call.status = status;
    rt.dateUpdated = this.deps.clock.now();
    call.history.push({ status, at: rt.dateUpdated });
  }

  private finish(call: SimCall, rt: Runtime, params: Params, status: CallStatus) {
    if (TERMINAL.has(call.status)) return;
    this.setStatus(call, rt, status);
    call.endTime = rt.dateUpdated;
    rt.hangup.abort(new Error(`call ${status}`));
    const duration = call.answerTime ? Math.round((call.endTime.getTime() - call.answerTime.getTime()) / 1000) : 0;
    this.event(call, rt, params, 'completed', status, { CallDuration: String(duration), Duration: String(Math.ceil(duration / 60)) });
  }

  /** Queues a status callback if the event is subscribed; deliveries stay in order per call. */
  private event(call: SimCall, rt: Runtime, params: Params, event: CallbackDelivery['event'], callStatus: string, extra: Record<string, string> = {}) {
    if (event === 'initiated') call.history.push({ status: 'initiated', at: this.deps.clock.now() });
    const url = first(params, 'StatusCallback');
    const events = params.get('StatusCallbackEvent') ?? ['completed'];
    if (!url || !events.includes(event)) return;
    const body = {
      ...this.voiceParams(call),
      CallStatus: callStatus,
      CallbackSource: 'call-progress-events',
      Timestamp: rfc2822(this.deps.clock.now()),
      SequenceNumber: String(rt.sequence++),
      ...extra,
    };
    const method = first(params, 'StatusCallbackMethod') ?? 'POST';
    rt.callbacks = rt.callbacks.then(() => this.deliver(call, { event, callStatus, url, response: 0 }, method, body));
  }

  private async deliver(call: SimCall, delivery: CallbackDelivery, method: string, params: FormParams) {
    try {
      delivery.response = (await sendWebhook({ url: delivery.url, method, params, authToken: this.deps.authToken, signal: this.closing.signal })).status;
    } catch (err) {
      delivery.response = String(err instanceof Error ? err.message : err);
    }
    call.callbacks.push(delivery);
  }

  /** Resolves when every callback queued so far has been delivered (or failed). */
  async settled(): Promise<void> {
    await Promise.all([...this.bySid.values()].map((e) => e.rt.callbacks));
  }
}
