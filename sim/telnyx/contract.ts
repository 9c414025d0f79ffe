// The request bodies Telnyx accepts, for each operation the simulator serves: fields, their
// types and enumerations, which are required and the ranges stated. A field the operation does
// not have is refused with 422 (Telnyx ignores it; the simulator is stricter on purpose, so a
// misspelt field in the product fails a test instead of being dropped).
//
// The facts are written out here by hand from Telnyx's OpenAPI document
// (https://github.com/team-telnyx/openapi, `openapi/spec3.json` at commit
// 354b7445219ad71abdea2ee88afe8283a2124c09, 2026-02-26: the schemas `CallRequest`,
// `SpeakRequest`, `PlayAudioUrlRequest`, `GatherUsingSpeakRequest`, `GatherUsingAIRequest`,
// `TransferCallRequest`, `HangupRequest`, `StartRecordingRequest`, `CreateMessageRequest`, and
// the `NumberLookupType` parameter) and its reference pages
// (https://developers.telnyx.com/api/call-control/dial-call and the pages of the other
// commands). That repository carries no licence: no LICENSE file, nothing in its README, and
// the document's `info` block names none (its 2023 versions said `MIT`, with no text or
// holder). So the document is not copied into this repository or read at run time. Fields Chaseline has no use for (conference, streaming,
// SIP headers, voice settings of third-party TTS vendors…) are accepted by type only.
import { invalid, missing, type TelnyxApiError } from './errors.ts';

export type Shape =
  | { kind: 'string'; enum?: readonly string[] }
  | { kind: 'integer'; min?: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'array'; items: Shape }
  | { kind: 'object'; fields: Record<string, Shape>; required: readonly string[] }
  /** Any JSON object (a JSON Schema, a vendor's voice settings…). */
  | { kind: 'any-object' }
  | { kind: 'oneOf'; of: readonly Shape[] };

const str: Shape = { kind: 'string' };
const oneOf = (values: readonly string[]): Shape => ({ kind: 'string', enum: values });
const int = (min?: number, max?: number): Shape => ({ kind: 'integer', ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) });
const bool: Shape = { kind: 'boolean' };
const anyObject: Shape = { kind: 'any-object' };
const arr = (items: Shape): Shape => ({ kind: 'array', items });
const obj = (fields: Record<string, Shape>, required: readonly string[] = []): Shape => ({ kind: 'object', fields, required });
const either = (...of: Shape[]): Shape => ({ kind: 'oneOf', of });

const header = obj({ name: str, value: str }, ['name', 'value']);
const AMD = oneOf(['premium', 'detect', 'detect_beep', 'detect_words', 'greeting_end', 'disabled']);
const amdConfig = obj(
  Object.fromEntries(
    [
      'total_analysis_time_millis',
      'after_greeting_silence_millis',
      'between_words_silence_millis',
      'greeting_duration_millis',
      'initial_silence_millis',
      'maximum_number_of_words',
      'maximum_word_length_millis',
      'silence_threshold',
      'greeting_total_analysis_time_millis',
      'greeting_silence_duration_millis',
    ].map((k) => [k, int()]),
  ),
);
const LANGUAGES = [
  'arb',
  'cmn-CN',
  'cy-GB',
  'da-DK',
  'de-DE',
  'en-AU',
  'en-GB',
  'en-GB-WLS',
  'en-IN',
  'en-US',
  'es-ES',
  'es-MX',
  'es-US',
  'fr-CA',
  'fr-FR',
  'hi-IN',
  'is-IS',
  'it-IT',
  'ja-JP',
  'ko-KR',
  'nb-NO',
  'nl-NL',
  'pl-PL',
  'pt-BR',
  'pt-PT',
  'ro-RO',
  'ru-RU',
  'sv-SE',
  'tr-TR',
];
const record = {
  record: oneOf(['record-from-answer']),
  record_channels: oneOf(['single', 'dual']),
  record_format: oneOf(['wav', 'mp3']),
  record_max_length: int(),
  record_timeout_secs: int(),
  record_track: oneOf(['both', 'inbound', 'outbound']),
  record_trim: oneOf(['trim-silence']),
  record_custom_file_name: str,
};
const sip = {
  custom_headers: arr(header),
  sip_headers: arr(header),
  sip_auth_username: str,
  sip_auth_password: str,
  sip_transport_protocol: oneOf(['UDP', 'TCP', 'TLS']),
  sip_region: oneOf(['US', 'Europe', 'Canada', 'Australia', 'Middle East']),
  media_encryption: oneOf(['disabled', 'SRTP', 'DTLS']),
  preferred_codecs: str,
  sound_modifications: anyObject,
};
const command = { client_state: str, command_id: str };
const loop = either(str, int());

export const BODIES = {
  /** POST /v2/calls (CallRequest). */
  dial: obj(
    {
      to: either(str, arr(str)),
      from: str,
      from_display_name: str,
      connection_id: str,
      audio_url: str,
      media_name: str,
      timeout_secs: int(),
      time_limit_secs: int(30, 14400),
      answering_machine_detection: AMD,
      answering_machine_detection_config: amdConfig,
      conference_config: anyObject,
      billing_group_id: str,
      link_to: str,
      bridge_intent: bool,
      bridge_on_answer: bool,
      park_after_unbridge: str,
      stream_url: str,
      stream_track: oneOf(['inbound_track', 'outbound_track', 'both_tracks']),
      stream_codec: str,
      stream_bidirectional_mode: str,
      stream_bidirectional_codec: str,
      stream_bidirectional_target_legs: str,
      stream_bidirectional_sampling_rate: int(),
      stream_establish_before_call_originate: bool,
      send_silence_when_idle: bool,
      stream_auth_token: str,
      webhook_url: str,
      webhook_url_method: oneOf(['POST', 'GET']),
      supervise_call_control_id: str,
      supervisor_role: oneOf(['barge', 'whisper', 'monitor']),
      enable_dialogflow: bool,
      dialogflow_config: anyObject,
      transcription: bool,
      transcription_config: anyObject,
      ...record,
      ...sip,
      ...command,
    },
    ['to', 'from', 'connection_id'],
  ),
  /** POST /v2/calls/{id}/actions/speak (SpeakRequest). */
  speak: obj(
    {
      payload: str,
      payload_type: oneOf(['text', 'ssml']),
      service_level: oneOf(['basic', 'premium']),
      stop: str,
      voice: str,
      voice_settings: anyObject,
      language: oneOf(LANGUAGES),
      loop,
      target_legs: oneOf(['self', 'opposite', 'both']),
      ...command,
    },
    ['payload', 'voice'],
  ),
  /** POST /v2/calls/{id}/actions/playback_start (PlayAudioUrlRequest). */
  playback_start: obj({
    audio_url: str,
    media_name: str,
    loop,
    overlay: bool,
    stop: str,
    target_legs: str,
    cache_audio: bool,
    audio_type: oneOf(['mp3', 'wav']),
    playback_content: str,
    ...command,
  }),
  /** POST /v2/calls/{id}/actions/gather_using_speak (GatherUsingSpeakRequest). */
  gather_using_speak: obj(
    {
      payload: str,
      invalid_payload: str,
      payload_type: oneOf(['text', 'ssml']),
      service_level: oneOf(['basic', 'premium']),
      voice: str,
      voice_settings: anyObject,
      language: oneOf(LANGUAGES),
      minimum_digits: int(),
      maximum_digits: int(),
      maximum_tries: int(),
      timeout_millis: int(),
      terminating_digit: str,
      valid_digits: str,
      inter_digit_timeout_millis: int(),
      ...command,
    },
    ['payload', 'voice'],
  ),
  /** POST /v2/calls/{id}/actions/gather_using_ai (GatherUsingAIRequest). */
  gather_using_ai: obj(
    {
      parameters: anyObject,
      assistant: anyObject,
      transcription: anyObject,
      language: str,
      voice: str,
      voice_settings: anyObject,
      greeting: str,
      send_partial_results: bool,
      send_message_history_updates: bool,
      message_history: arr(obj({ content: str, role: oneOf(['assistant', 'user']) })),
      interruption_settings: obj({ enable: bool }),
      user_response_timeout_ms: int(),
      gather_ended_speech: str,
      ...command,
    },
    ['parameters'],
  ),
  /** POST /v2/calls/{id}/actions/transfer (TransferCallRequest). */
  transfer: obj(
    {
      to: str,
      from: str,
      from_display_name: str,
      audio_url: str,
      early_media: bool,
      media_name: str,
      timeout_secs: int(),
      time_limit_secs: int(30, 14400),
      park_after_unbridge: str,
      answering_machine_detection: AMD,
      answering_machine_detection_config: amdConfig,
      target_leg_client_state: str,
      webhook_url: str,
      webhook_url_method: oneOf(['POST', 'GET']),
      mute_dtmf: oneOf(['none', 'both', 'self', 'opposite']),
      webhook_urls: anyObject,
      webhook_urls_method: oneOf(['POST', 'GET']),
      webhook_retries_policies: anyObject,
      ...record,
      ...sip,
      ...command,
    },
    ['to'],
  ),
  /** POST /v2/calls/{id}/actions/hangup (HangupRequest). */
  hangup: obj({ custom_headers: arr(header), ...command }),
  /** POST /v2/calls/{id}/actions/record_start (StartRecordingRequest). */
  record_start: obj(
    {
      format: oneOf(['wav', 'mp3']),
      channels: oneOf(['single', 'dual']),
      play_beep: bool,
      max_length: int(),
      timeout_secs: int(),
      recording_track: oneOf(['both', 'inbound', 'outbound']),
      trim: oneOf(['trim-silence']),
      custom_file_name: str,
      transcription: bool,
      transcription_engine: oneOf(['A', 'B', 'deepgram/nova-3']),
      transcription_language: str,
      transcription_profanity_filter: bool,
      transcription_speaker_diarization: bool,
      transcription_min_speaker_count: int(),
      transcription_max_speaker_count: int(),
      ...command,
    },
    ['format', 'channels'],
  ),
  /** POST /v2/messages (CreateMessageRequest). */
  message: obj(
    {
      from: str,
      messaging_profile_id: str,
      to: str,
      text: str,
      subject: str,
      media_urls: arr(str),
      webhook_url: str,
      webhook_failover_url: str,
      use_profile_webhooks: bool,
      type: oneOf(['SMS', 'MMS']),
      auto_detect: bool,
      send_at: str,
      encoding: oneOf(['auto', 'gsm7', 'ucs2']),
    },
    ['to'],
  ),
} satisfies Record<string, Shape>;

export type BodyName = keyof typeof BODIES;

/** `type` of GET /v2/number_lookup/{phone_number} (the NumberLookupType parameter). */
export const LOOKUP_TYPES = ['carrier', 'caller-name'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function check(shape: Shape, value: unknown, field: string): TelnyxApiError | null {
  switch (shape.kind) {
    case 'string':
      if (typeof value !== 'string') return invalid(field, `'${field}' must be a string.`);
      if (shape.enum && !shape.enum.includes(value)) return invalid(field, `'${field}' must be one of ${shape.enum.join(', ')}.`);
      return null;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return invalid(field, `'${field}' must be an integer.`);
      if ((shape.min !== undefined && value < shape.min) || (shape.max !== undefined && value > shape.max)) {
        return invalid(field, `'${field}' must be between ${shape.min ?? '-∞'} and ${shape.max ?? '∞'}.`);
      }
      return null;
    case 'boolean':
      return typeof value === 'boolean' ? null : invalid(field, `'${field}' must be true or false.`);
    case 'array':
      if (!Array.isArray(value)) return invalid(field, `'${field}' must be an array.`);
      for (const [i, item] of value.entries()) {
        const e = check(shape.items, item, `${field}.${i}`);
        if (e) return e;
      }
      return null;
    case 'any-object':
      return isObject(value) ? null : invalid(field, `'${field}' must be an object.`);
    case 'oneOf':
      return shape.of.some((s) => check(s, value, field) === null) ? null : invalid(field, `'${field}' has the wrong type.`);
    case 'object': {
      if (!isObject(value)) return invalid(field || 'body', `${field ? `'${field}'` : 'The body'} must be a JSON object.`);
      const at = (k: string) => (field ? `${field}.${k}` : k);
      for (const k of shape.required) if (value[k] === undefined || value[k] === null) return missing(at(k));
      for (const [k, v] of Object.entries(value)) {
        const inner = shape.fields[k];
        if (!inner) return invalid(at(k), `'${at(k)}' is not a parameter of this operation.`);
        if (v === null) continue;
        const e = check(inner, v, at(k));
        if (e) return e;
      }
      return null;
    }
  }
}

/** The body, parsed from JSON and checked against the operation's contract; throws Telnyx's 422. */
export function checkBody(name: BodyName, raw: string): Record<string, unknown> {
  let body: unknown = {};
  if (raw.trim()) {
    try {
      body = JSON.parse(raw);
    } catch {
      throw invalid('body', 'The request body is not valid JSON.');
    }
  }
  const error = check(BODIES[name], body, '');
  if (error) throw error;
  return body as Record<string, unknown>;
}
