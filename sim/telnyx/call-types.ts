// What tests read through `sim.calls()`: one entry per dial, with everything the callee heard.
import type { CallDraw, Utterance } from '../twilio/profiles.ts';
import type { Delivery, MediaResponse } from './webhook.ts';

export type CallState = 'dialing' | 'ringing' | 'answered' | 'ended';

/** Call.hangup's `hangup_cause`, as the spec lists them. */
export type HangupCause =
  'call_rejected' | 'normal_clearing' | 'originator_cancel' | 'timeout' | 'time_limit' | 'user_busy' | 'not_found' | 'no_answer' | 'unspecified';
export type HangupSource = 'caller' | 'callee' | 'unknown';

export type MediaCommand = 'speak' | 'playback_start' | 'gather_using_speak' | 'gather_using_ai';

export interface HeardEntry {
  command: MediaCommand | 'transfer' | 'record_start';
  /** Simulated time the callee started hearing it (for transfer and record_start: when issued). */
  at: Date;
  /** What was said: speak's `payload`, the gather's prompt, the AI gather's `greeting` (SSML read as its text). */
  text?: string;
  /** The command's other settings as given (voice, language, payload_type, service_level, valid_digits…). */
  attrs: Record<string, unknown>;
  /** For a gather: the callee's answer as the persona's script gave it (null = silence). */
  reply?: Utterance;
  /** How it ended: the status of its `*.ended` webhook. */
  status?: string;
  /** gather_using_speak: the digits reported. */
  digits?: string;
  /** gather_using_ai: the result reported. */
  result?: Record<string, unknown>;
  /** A prompt the callee talked (or keyed) over: cut short after `playedMs`. */
  interrupted?: boolean;
  playedMs?: number;
  /** playback_start: what fetching `audio_url` returned. */
  media?: MediaResponse & { url: string };
  /** transfer: who was dialled and how that leg ended (`bridged`, or its hangup cause). */
  transfer?: { to: string; callControlId: string; outcome: string };
  error?: string;
}

export interface SimTelnyxCall {
  callControlId: string;
  callLegId: string;
  callSessionId: string;
  connectionId: string;
  to: string;
  from: string;
  /** The dial request's body as received. */
  request: Record<string, unknown>;
  /** The latest client_state (base64) — the dial's, or the last command's that set one. */
  clientState: string | null;
  state: CallState;
  hangupCause: HangupCause | null;
  hangupSource: HangupSource | null;
  /** Answering machine detection: `call.machine.(premium.)detection.ended`'s result, and the greeting's. */
  amd: { result: string; greeting?: string } | null;
  /** What the profile decided for this call. */
  draw: CallDraw;
  heard: HeardEntry[];
  /** The commands received, in order (repeats of a command_id included, marked `duplicate`). */
  commands: { name: string; at: Date; commandId?: string; duplicate?: boolean }[];
  /** Simulator faults that ended the call (a bug: never expected in a test). */
  errors: string[];
  /** Every webhook delivered for this call (and its transfer legs), in order. */
  webhooks: Delivery[];
  createdAt: Date;
  answerTime: Date | null;
  endTime: Date | null;
}
