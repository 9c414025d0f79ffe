// Answering machine detection: what Twilio reports (AnsweredBy) and after how long
// (MachineDetectionDuration), for who the profile says picked up.
// https://www.twilio.com/docs/voice/answering-machine-detection
import { first, type Params } from './contract.ts';
import { badParam, type TwilioApiError } from './errors.ts';
import type { CallDraw } from './profiles.ts';

export type AnsweredBy = 'human' | 'machine_start' | 'machine_end_beep' | 'machine_end_silence' | 'machine_end_other' | 'fax' | 'unknown';

export interface AmdResult {
  answeredBy: AnsweredBy;
  /** Simulated ms from answer to the result: MachineDetectionDuration. */
  durationMs: number;
  /** AsyncAmd: the TwiML ran from the answer and the result was POSTed to AsyncAmdStatusCallback. */
  async: boolean;
}

// A person says "hello?" and stops, a machine's greeting runs on: both are told apart
// within a few seconds. DetectMessageEnd waits for the greeting to end (beep or silence).
const IDENTIFY_MS = 2500;
const MESSAGE_END_MS = 8000;

/** The checks Twilio makes on the AMD parameters of Calls create; null when they pass. */
export function checkAmdParams(params: Params): TwilioApiError | null {
  const mode = first(params, 'MachineDetection');
  if (mode !== undefined && mode !== 'Enable' && mode !== 'DetectMessageEnd') {
    return badParam(20001, `Invalid MachineDetection: "${mode}" is not one of Enable, DetectMessageEnd`);
  }
  const asyncAmd = first(params, 'AsyncAmd');
  if (asyncAmd !== undefined && !/^(true|false)$/.test(asyncAmd)) return badParam(20001, `Invalid AsyncAmd: "${asyncAmd}" is not true or false`);
  const timeout = first(params, 'MachineDetectionTimeout');
  if (timeout !== undefined && (Number(timeout) < 3 || Number(timeout) > 59)) {
    return badParam(20001, 'MachineDetectionTimeout must be between 3 and 59 seconds.');
  }
  return null;
}

/** The detection for an answered call, or null when none was asked for (SendDigits turns it off). */
export function detectionFor(params: Params, draw: CallDraw): AmdResult | null {
  const mode = first(params, 'MachineDetection');
  if (!mode || params.has('SendDigits')) return null;
  const timeoutMs = 1000 * Number(first(params, 'MachineDetectionTimeout') ?? 30);
  const async = first(params, 'AsyncAmd') === 'true';
  let result: Omit<AmdResult, 'async'>;
  if (draw.amdUnknown) result = { answeredBy: 'unknown', durationMs: timeoutMs };
  else if (draw.pickup === 'human') result = { answeredBy: 'human', durationMs: IDENTIFY_MS };
  else if (draw.pickup === 'fax') result = { answeredBy: 'fax', durationMs: IDENTIFY_MS };
  else if (mode === 'Enable') result = { answeredBy: 'machine_start', durationMs: IDENTIFY_MS };
  else result = { answeredBy: draw.machineEnd ?? 'machine_end_beep', durationMs: MESSAGE_END_MS };
  // Past MachineDetectionTimeout Twilio gives up and says it does not know.
  if (result.durationMs > timeoutMs) result = { answeredBy: 'unknown', durationMs: timeoutMs };
  return { ...result, async };
}
