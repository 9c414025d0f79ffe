// Calls placed with POST /v2/calls and their life on the simulated clock, as the
// application's webhook sees it: call.initiated → call.answered (then answering machine
// detection) or call.hangup (busy, rang out, rejected…), the media commands played to the
// callee one after another, and call.hangup when either side hangs up.
// https://developers.telnyx.com/docs/voice/programmable-voice/receiving-webhooks
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { SimClock } from '../twilio/clock.ts';
import type { CallDraw, Persona, Utterance } from '../twilio/profiles.ts';
import type { HangupCause, HangupSource, HeardEntry, SimTelnyxCall } from './call-types.ts';
import { callEnded } from './errors.ts';
import { playMedia, type MediaHost } from './media.ts';
import type { WebhookSigner } from './signature.ts';
import { deliver, eventOf, fetchMedia } from './webhook.ts';

interface Runtime {
  hangup: AbortController;
  /** Media commands run one after another, as Telnyx queues speak and playback, from the answer on. */
  media: Promise<void>;
  answered(): void;
  queued: number;
  /** Simulated ms when the callee last heard something end; they hang up after `idleMs` of nothing. */
  lastActivity: number;
  gathers: number;
  commandIds: Set<string>;
  deliveries: Promise<void>;
  recording?: { id: string; format: string; channels: string; startedAt: Date };
  webhookUrl: string | undefined;
}

export interface CallDeps {
  clock: SimClock;
  signer: WebhookSigner;
  persona(to: string): Persona | undefined;
  /** The webhook URL of a connection, for dials without `webhook_url`. */
  connectionWebhook(connectionId: string): string | undefined;
  /** Simulated seconds of silence after which the callee hangs up an answered call; undefined: never. */
  idleSeconds: number | undefined;
  /** The base URL of the recordings' download links. */
  recordingsBase(): string;
}

/** An injected way for the next dial to fail once accepted: an immediate call.hangup. */
export interface EarlyHangup {
  cause: HangupCause;
  sip?: string;
}

const FAR_LEG_MS = 5000; // a transfer target answers and talks this long, then hangs up

export class CallStore {
  readonly calls: SimTelnyxCall[] = [];
  private readonly byId = new Map<string, { call: SimTelnyxCall; rt: Runtime }>();
  private readonly byCommandId = new Map<string, SimTelnyxCall>();
  private readonly closing = (() => {
    const c = new AbortController();
    setMaxListeners(0, c.signal); // every live call listens for close()
    return c;
  })();

  constructor(private readonly deps: CallDeps) {}

  /** The call a dial with this command_id already placed, if any. */
  byDialCommand(commandId: string | undefined) {
    return commandId === undefined ? undefined : this.byCommandId.get(commandId);
  }

  get(id: string) {
    return this.byId.get(id);
  }

  create(body: Record<string, unknown>, to: string, draw: CallDraw, early?: EarlyHangup): SimTelnyxCall {
    const now = this.deps.clock.now();
    const call: SimTelnyxCall = {
      callControlId: `v3:${randomUUID().replaceAll('-', '')}`,
      callLegId: randomUUID(),
      callSessionId: randomUUID(),
      connectionId: String(body.connection_id),
      to,
      from: String(body.from),
      request: structuredClone(body),
      clientState: typeof body.client_state === 'string' ? body.client_state : null,
      state: 'dialing',
      hangupCause: null,
      hangupSource: null,
      amd: null,
      draw,
      heard: [],
      errors: [],
      commands: [],
      webhooks: [],
      createdAt: now,
      answerTime: null,
      endTime: null,
    };
    const hangup = new AbortController();
    const onClose = () => hangup.abort(new Error('simulator closed'));
    this.closing.signal.addEventListener('abort', onClose, { once: true });
    const webhookUrl = typeof body.webhook_url === 'string' ? body.webhook_url : this.deps.connectionWebhook(call.connectionId);
    // Media commands wait for the answer: nothing is heard while the phone rings.
    let answered = () => {};
    const rt: Runtime = {
      hangup,
      media: new Promise<void>((resolve) => (answered = resolve)),
      answered: () => answered(),
      queued: 0,
      lastActivity: 0,
      gathers: 0,
      commandIds: new Set(),
      deliveries: Promise.resolve(),
      webhookUrl,
    };
    this.calls.push(call);
    this.byId.set(call.callControlId, { call, rt });
    if (typeof body.command_id === 'string') this.byCommandId.set(body.command_id, call);
    this.run(call, rt, early)
      .catch((err: unknown) => {
        if (hangup.signal.aborted) return; // ended by a command or by close(); already reported
        call.errors.push(String(err instanceof Error ? err.message : err));
        this.finish(call, rt, 'unspecified', 'unknown');
      })
      .finally(() => this.closing.signal.removeEventListener('abort', onClose));
    return call;
  }

  /** The Call resource of GET /v2/calls/{id} and of the dial's answer. */
  toJson(call: SimTelnyxCall) {
    const end = call.endTime ?? this.deps.clock.now();
    return {
      record_type: 'call',
      call_session_id: call.callSessionId,
      call_leg_id: call.callLegId,
      call_control_id: call.callControlId,
      is_alive: call.state !== 'ended',
      ...(call.clientState !== null ? { client_state: call.clientState } : {}),
      call_duration: call.answerTime ? Math.round((end.getTime() - call.answerTime.getTime()) / 1000) : 0,
      start_time: call.createdAt.toISOString(),
      ...(call.endTime ? { end_time: call.endTime.toISOString() } : {}),
    };
  }

  /**
   * Runs a command on a live call: `false` when its command_id was seen on this call already
   * (Telnyx ignores the repeat). Throws Telnyx's 422 on a call that has ended.
   */
  command(id: string, name: string, body: Record<string, unknown>): { call: SimTelnyxCall; ran: boolean } | undefined {
    const entry = this.byId.get(id);
    if (!entry) return undefined;
    const { call, rt } = entry;
    const commandId = typeof body.command_id === 'string' ? body.command_id : undefined;
    const duplicate = commandId !== undefined && rt.commandIds.has(commandId);
    call.commands.push({ name, at: this.deps.clock.now(), ...(commandId !== undefined ? { commandId } : {}), ...(duplicate ? { duplicate } : {}) });
    if (call.state === 'ended') throw callEnded();
    if (duplicate) return { call, ran: false };
    if (commandId !== undefined) rt.commandIds.add(commandId);
    // client_state on a command is carried by every later webhook of the call.
    if (typeof body.client_state === 'string') call.clientState = body.client_state;
    switch (name) {
      case 'hangup':
        this.finish(call, rt, 'normal_clearing', 'caller');
        break;
      case 'transfer':
        this.transfer(call, rt, body);
        break;
      case 'record_start':
        rt.recording = { id: randomUUID(), format: String(body.format), channels: String(body.channels), startedAt: this.deps.clock.now() };
        call.heard.push({ command: 'record_start', at: this.deps.clock.now(), attrs: { format: body.format, channels: body.channels } });
        break;
      case 'speak':
      case 'playback_start':
      case 'gather_using_speak':
      case 'gather_using_ai':
        rt.queued++;
        rt.media = rt.media
          .then(() => playMedia(this.mediaHost(call, rt), name, body, rt.hangup.signal))
          .catch(() => undefined)
          .finally(() => {
            rt.queued--;
            rt.lastActivity = this.deps.clock.now().getTime();
          });
        break;
      default:
        throw new Error(`command ${name} is not simulated`);
    }
    return { call, ran: true };
  }

  close() {
    this.closing.abort(new Error('simulator closed'));
  }

  /** Resolves once every webhook queued so far has been delivered (or has failed). */
  async settled(): Promise<void> {
    await Promise.all([...this.byId.values()].map((e) => e.rt.deliveries));
  }

  private base(call: SimTelnyxCall, withEnds = true): Record<string, unknown> {
    return {
      call_control_id: call.callControlId,
      connection_id: call.connectionId,
      call_leg_id: call.callLegId,
      call_session_id: call.callSessionId,
      ...(call.clientState !== null ? { client_state: call.clientState } : {}),
      ...(withEnds ? { from: call.from, to: call.to } : {}),
    };
  }

  /** Queues a webhook; one call's deliveries go out in order. */
  private emit(call: SimTelnyxCall, rt: Runtime, eventType: string, payload: Record<string, unknown>, url = rt.webhookUrl) {
    const event = eventOf(this.deps.clock, eventType, payload);
    if (!url) {
      call.webhooks.push({ eventType, url: '', body: JSON.stringify({ data: event }), response: 'no webhook_url on the dial or its connection' });
      return;
    }
    rt.deliveries = rt.deliveries.then(async () => {
      call.webhooks.push(await deliver(this.deps.signer, url, event, this.closing.signal));
    });
  }

  private mediaHost(call: SimTelnyxCall, rt: Runtime): MediaHost {
    const { clock } = this.deps;
    return {
      clock,
      emit: (eventType, payload, withEnds = false) => this.emit(call, rt, eventType, { ...this.base(call, withEnds), ...payload }),
      log: (entry: HeardEntry) => void call.heard.push(entry),
      fetchMedia: (url, signal) => fetchMedia(url, signal),
      nextReply: () => {
        const persona = this.deps.persona(call.to);
        const index = rt.gathers++;
        // Machines and faxes hear every prompt and never answer one.
        const utterance: Utterance = call.draw.pickup === 'human' ? (persona?.script[index] ?? null) : null;
        const own = utterance !== null && typeof utterance === 'object' ? utterance.bargeIn : undefined;
        return {
          utterance,
          confidence: persona?.confidence ?? 0.92,
          bargeIn: own ?? persona?.bargeIn ?? false,
          bargeInAfterMs: 1000 * (persona?.bargeInAfter ?? 1),
        };
      },
    };
  }

  private async run(call: SimTelnyxCall, rt: Runtime, early: EarlyHangup | undefined) {
    const { clock } = this.deps;
    const signal = rt.hangup.signal;
    const body = call.request;
    this.emit(call, rt, 'call.initiated', { ...this.base(call), direction: 'outgoing', state: 'bridging', start_time: call.createdAt.toISOString() });
    await clock.sleep(500, signal); // dialling
    if (early) return this.finish(call, rt, early.cause, early.cause === 'not_found' ? 'unknown' : 'callee', early.sip);
    if (call.draw.outcome === 'failed') return this.finish(call, rt, 'call_rejected', 'callee', '603');
    call.state = 'ringing';
    const timeoutMs = 1000 * (typeof body.timeout_secs === 'number' ? body.timeout_secs : 30);
    if (call.draw.outcome === 'busy') {
      await clock.sleep(Math.min(call.draw.ringMs, 3000), signal);
      return this.finish(call, rt, 'user_busy', 'callee', '486');
    }
    if (call.draw.outcome === 'no-answer' || call.draw.ringMs >= timeoutMs) {
      await clock.sleep(timeoutMs, signal);
      return this.finish(call, rt, 'timeout', 'unknown', '487');
    }
    await clock.sleep(call.draw.ringMs, signal);
    call.answerTime = clock.now();
    call.state = 'answered';
    rt.lastActivity = call.answerTime.getTime();
    this.emit(call, rt, 'call.answered', { ...this.base(call), start_time: call.createdAt.toISOString(), state: 'answered' });
    rt.answered();
    const amd = typeof body.answering_machine_detection === 'string' ? body.answering_machine_detection : 'disabled';
    if (amd !== 'disabled') void this.detect(call, rt, amd).catch(() => undefined);
    const limitAt = call.answerTime.getTime() + 1000 * (typeof body.time_limit_secs === 'number' ? body.time_limit_secs : 14400);
    const idleMs = this.deps.idleSeconds === undefined ? Infinity : 1000 * this.deps.idleSeconds;
    // The callee stays on the line while anything plays, and hangs up after a stretch of silence.
    for (;;) {
      const now = clock.now().getTime();
      if (now >= limitAt) return this.finish(call, rt, 'time_limit', 'unknown');
      if (rt.queued === 0 && now - rt.lastActivity >= idleMs) return this.finish(call, rt, 'normal_clearing', 'callee', '200');
      await clock.sleep(Math.min(limitAt - now, rt.queued === 0 ? Math.max(250, rt.lastActivity + idleMs - now) : 1000, 60_000), signal);
    }
  }

  /**
   * Answering machine detection: `detect` (and `detect_words`) reports human / machine /
   * not_sure; `detect_beep` and `greeting_end` also report when a machine's greeting ends;
   * `premium` uses the premium events and results.
   */
  private async detect(call: SimTelnyxCall, rt: Runtime, mode: string) {
    const { clock } = this.deps;
    const signal = rt.hangup.signal;
    const { pickup, amdUnknown, machineEnd } = call.draw;
    const premium = mode === 'premium';
    const config = (call.request.answering_machine_detection_config ?? {}) as Record<string, number>;
    const result = amdUnknown
      ? 'not_sure'
      : pickup === 'machine'
        ? 'machine'
        : pickup === 'fax'
          ? premium
            ? 'fax_detected'
            : 'machine'
          : premium
            ? 'human_residence'
            : 'human';
    const totalMs = config.total_analysis_time_millis ?? 3500;
    await clock.sleep(amdUnknown ? totalMs : pickup === 'human' ? Math.min(2500, totalMs) : Math.min(3000, totalMs), signal);
    call.amd = { result };
    this.emit(call, rt, premium ? 'call.machine.premium.detection.ended' : 'call.machine.detection.ended', { ...this.base(call), result });
    if (result !== 'machine' || !['detect_beep', 'greeting_end', 'premium'].includes(mode)) return;
    await clock.sleep(5000, signal); // the rest of the greeting
    const beep = (machineEnd ?? 'machine_end_beep') === 'machine_end_beep';
    const greeting = premium ? (beep ? 'beep_detected' : 'no_beep_detected') : beep ? 'beep_detected' : 'ended';
    call.amd = { result, greeting };
    this.emit(call, rt, premium ? 'call.machine.premium.greeting.ended' : 'call.machine.greeting.ended', { ...this.base(call), result: greeting });
  }

  /**
   * Transfer: a new leg to `to` (its webhooks go to the transfer's `webhook_url`, else the
   * call's). The target's persona decides: answered → call.answered and call.bridged on both
   * legs, talk, then both hang up; busy, no answer or rejected → call.hangup for the new leg
   * only, and the original call stays up for more commands.
   */
  private transfer(call: SimTelnyxCall, rt: Runtime, body: Record<string, unknown>) {
    const { clock } = this.deps;
    const to = String(body.to);
    const url = typeof body.webhook_url === 'string' ? body.webhook_url : rt.webhookUrl;
    const leg = {
      call_control_id: `v3:${randomUUID().replaceAll('-', '')}`,
      connection_id: call.connectionId,
      call_leg_id: randomUUID(),
      call_session_id: call.callSessionId,
      ...(typeof body.target_leg_client_state === 'string' ? { client_state: body.target_leg_client_state } : {}),
      from: typeof body.from === 'string' ? body.from : call.from,
      to,
    };
    const entry: HeardEntry = {
      command: 'transfer',
      at: clock.now(),
      attrs: { to },
      transfer: { to, callControlId: leg.call_control_id, outcome: 'dialling' },
    };
    call.heard.push(entry);
    const draw = this.transferDraw(to);
    const signal = rt.hangup.signal;
    rt.queued++; // the caller is busy with the transfer; nobody hangs up for silence meanwhile
    void (async () => {
      this.emit(call, rt, 'call.initiated', { ...leg, direction: 'outgoing', state: 'bridging', start_time: clock.now().toISOString() }, url);
      await clock.sleep(Math.min(draw.ringMs, 1000 * (typeof body.timeout_secs === 'number' ? body.timeout_secs : 30)), signal);
      if (draw.outcome !== 'answered') {
        const cause: HangupCause = draw.outcome === 'busy' ? 'user_busy' : draw.outcome === 'failed' ? 'call_rejected' : 'timeout';
        entry.transfer!.outcome = cause;
        this.emit(call, rt, 'call.hangup', { ...leg, state: 'hangup', hangup_cause: cause, hangup_source: 'callee' }, url);
        return;
      }
      this.emit(call, rt, 'call.answered', { ...leg, state: 'answered' }, url);
      this.emit(call, rt, 'call.bridged', this.base(call));
      this.emit(call, rt, 'call.bridged', leg, url);
      entry.transfer!.outcome = 'bridged';
      await clock.sleep(FAR_LEG_MS, signal);
      this.emit(call, rt, 'call.hangup', { ...leg, state: 'hangup', hangup_cause: 'normal_clearing', hangup_source: 'caller' }, url);
      this.finish(call, rt, 'normal_clearing', 'callee', '200');
    })()
      .catch(() => undefined)
      .finally(() => {
        rt.queued--;
        rt.lastActivity = clock.now().getTime();
      });
  }

  /** How the transfer target answers: its persona's profile, or answered after 2 s. */
  transferDraw: (to: string) => CallDraw = () => ({ outcome: 'answered', pickup: 'human', ringMs: 2000 });

  private finish(call: SimTelnyxCall, rt: Runtime, cause: HangupCause, source: HangupSource, sip?: string) {
    if (call.state === 'ended') return;
    const { clock } = this.deps;
    call.state = 'ended';
    call.endTime = clock.now();
    call.hangupCause = cause;
    call.hangupSource = source;
    rt.hangup.abort(new Error(`call ended: ${cause}`));
    rt.answered(); // commands left waiting for an answer that never came are dropped
    this.emit(call, rt, 'call.hangup', {
      ...this.base(call),
      start_time: call.createdAt.toISOString(),
      state: 'hangup',
      hangup_cause: cause,
      hangup_source: source,
      ...(sip ? { sip_hangup_cause: sip } : {}),
    });
    if (rt.recording) {
      const { id, format, channels, startedAt } = rt.recording;
      const url = `${this.deps.recordingsBase()}/${id}.${format}`;
      this.emit(call, rt, 'call.recording.saved', {
        call_leg_id: call.callLegId,
        call_session_id: call.callSessionId,
        connection_id: call.connectionId,
        ...(call.clientState !== null ? { client_state: call.clientState } : {}),
        recording_started_at: startedAt.toISOString(),
        recording_ended_at: call.endTime.toISOString(),
        channels,
        recording_urls: { mp3: format === 'mp3' ? url : null, wav: format === 'wav' ? url : null },
        public_recording_urls: { mp3: null, wav: null },
      });
    }
  }
}
