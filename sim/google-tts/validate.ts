/**
 * Checks a `text:synthesize` body the way the API does
 * (https://cloud.google.com/text-to-speech/docs/reference/rest/v1/text/synthesize and the
 * SynthesizeSpeechRequest proto): proto3 JSON (camelCase or snake_case field names, enums as
 * names or numbers), unknown fields refused, exactly one input, 5,000-byte limit, required
 * voice.languageCode and audioConfig.audioEncoding, and the documented numeric ranges.
 */
import { audioEncodingNumbers, audioEncodings, type AudioEncoding } from './audio.ts';

export interface SynthesisRequest {
  text?: string;
  ssml?: string;
  languageCode: string;
  name?: string;
  ssmlGender?: string;
  audioEncoding: AudioEncoding;
  speakingRate: number;
  pitch: number;
  volumeGainDb: number;
  sampleRateHertz?: number;
}

export type Checked = { ok: true; request: SynthesisRequest } | { ok: false; message: string };

/** The API's 5,000-byte limit on input.text / input.ssml (UTF-8 bytes, not characters). */
export const MAX_INPUT_BYTES = 5000;

// Known fields per message (camelCase; snake_case is accepted too, as proto3 JSON allows).
const FIELDS = {
  '': ['input', 'voice', 'audioConfig', 'advancedVoiceOptions'],
  input: ['text', 'ssml', 'markup', 'multiSpeakerMarkup', 'customPronunciations', 'prompt'],
  voice: ['languageCode', 'name', 'ssmlGender', 'customVoice', 'voiceClone', 'modelName', 'multiSpeakerVoiceConfig'],
  audioConfig: ['audioEncoding', 'speakingRate', 'pitch', 'volumeGainDb', 'sampleRateHertz', 'effectsProfileId'],
} as const;

const GENDERS = ['SSML_VOICE_GENDER_UNSPECIFIED', 'MALE', 'FEMALE', 'NEUTRAL'];

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The object with snake_case keys renamed; an unknown key is Google's "Cannot find field". */
function fields(value: unknown, at: keyof typeof FIELDS): Record<string, unknown> | string {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    return `Invalid JSON payload received. Expected an object at '${at || 'root'}'.`;
  }
  const known: readonly string[] = FIELDS[at];
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const name = camel(key);
    if (!known.includes(name)) return `Invalid JSON payload received. Unknown name "${key}"${at ? ` at '${at}'` : ''}: Cannot find field.`;
    out[name] = v;
  }
  return out;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function checkSynthesize(body: unknown): Checked {
  const fail = (message: string): Checked => ({ ok: false, message });
  const root = fields(body, '');
  if (typeof root === 'string') return fail(root);
  const input = fields(root.input, 'input');
  if (typeof input === 'string') return fail(input);
  const voice = fields(root.voice, 'voice');
  if (typeof voice === 'string') return fail(voice);
  const audio = fields(root.audioConfig, 'audioConfig');
  if (typeof audio === 'string') return fail(audio);

  const given = (['text', 'ssml', 'markup'] as const).filter((k) => input[k] !== undefined && input[k] !== '');
  if (given.length > 1) return fail(`Invalid JSON payload received. Oneof field 'input_source' is already set. Cannot set '${given[1]}'`);
  if (given.length === 0) return fail('Either `input.text` or `input.ssml` is required.');
  if (given[0] === 'markup') return fail('input.markup is not supported by this simulator.');
  const source = input[given[0]!];
  if (typeof source !== 'string') return fail(`Invalid value at 'input.${given[0]}' (TYPE_STRING)`);
  if (Buffer.byteLength(source, 'utf8') > MAX_INPUT_BYTES) {
    return fail(
      `Either \`input.text\` or \`input.ssml\` is longer than the limit of ${MAX_INPUT_BYTES} bytes. This limit is different from quotas. To fix, reduce the byte length of the characters in this request, or consider using the Long Audio API.`,
    );
  }
  if (given[0] === 'ssml' && !/^\s*<speak(\s[^>]*)?>[\s\S]*<\/speak>\s*$/.test(source)) {
    return fail('Invalid SSML: the document must have a single <speak> root element.');
  }

  if (typeof voice.languageCode !== 'string' || voice.languageCode === '') return fail('Voice.language_code is required.');
  if (voice.name !== undefined && typeof voice.name !== 'string') return fail("Invalid value at 'voice.name' (TYPE_STRING)");
  let ssmlGender: string | undefined;
  if (voice.ssmlGender !== undefined) {
    ssmlGender = typeof voice.ssmlGender === 'number' ? GENDERS[voice.ssmlGender] : String(voice.ssmlGender);
    if (!ssmlGender || !GENDERS.includes(ssmlGender))
      return fail(
        `Invalid value at 'voice.ssml_gender' (type.googleapis.com/google.cloud.texttospeech.v1.SsmlVoiceGender), ${JSON.stringify(voice.ssmlGender)}`,
      );
  }

  const rawEncoding = audio.audioEncoding;
  const encoding = typeof rawEncoding === 'number' ? audioEncodingNumbers[rawEncoding] : rawEncoding;
  if (encoding === undefined || encoding === 'AUDIO_ENCODING_UNSPECIFIED') return fail('AudioConfig.audio_encoding is required.');
  if (typeof encoding !== 'string' || !(encoding in { PCM: 1, M4A: 1 } || (audioEncodings as readonly string[]).includes(encoding))) {
    return fail(
      `Invalid value at 'audio_config.audio_encoding' (type.googleapis.com/google.cloud.texttospeech.v1.AudioEncoding), ${JSON.stringify(rawEncoding)}`,
    );
  }
  if (!(audioEncodings as readonly string[]).includes(encoding)) return fail(`AudioConfig.audio_encoding ${encoding} is not supported by this simulator.`);

  // Unset (0) means the voice's natural rate and pitch, as in the API.
  const speakingRate = audio.speakingRate ?? 0;
  if (!isNumber(speakingRate) || (speakingRate !== 0 && (speakingRate < 0.25 || speakingRate > 4))) {
    return fail('AudioConfig.speaking_rate must be between 0.25 and 4.0.');
  }
  const pitch = audio.pitch ?? 0;
  if (!isNumber(pitch) || pitch < -20 || pitch > 20) return fail('AudioConfig.pitch must be between -20.0 and 20.0.');
  const volumeGainDb = audio.volumeGainDb ?? 0;
  if (!isNumber(volumeGainDb) || volumeGainDb < -96 || volumeGainDb > 16) return fail('AudioConfig.volume_gain_db must be between -96.0 and 16.0.');
  const sampleRateHertz = audio.sampleRateHertz;
  if (
    sampleRateHertz !== undefined &&
    sampleRateHertz !== 0 &&
    (!Number.isInteger(sampleRateHertz) || (sampleRateHertz as number) < 8000 || (sampleRateHertz as number) > 48000)
  ) {
    return fail('AudioConfig.sample_rate_hertz is not supported.');
  }

  return {
    ok: true,
    request: {
      ...(given[0] === 'text' ? { text: source } : { ssml: source }),
      languageCode: voice.languageCode,
      ...(voice.name ? { name: voice.name as string } : {}),
      ...(ssmlGender ? { ssmlGender } : {}),
      audioEncoding: encoding as AudioEncoding,
      speakingRate: speakingRate || 1,
      pitch,
      volumeGainDb,
      ...(sampleRateHertz ? { sampleRateHertz: sampleRateHertz as number } : {}),
    },
  };
}

/** What a listener would hear of SSML: the text without tags, plus `<break time=…>` pauses as characters' worth. */
export function spokenText(request: SynthesisRequest): string {
  if (request.text !== undefined) return request.text;
  const ssml = request.ssml ?? '';
  let pauses = '';
  for (const m of ssml.matchAll(/<break\b[^>]*\btime="(\d+(?:\.\d+)?)(ms|s)"/g)) {
    const ms = Number(m[1]) * (m[2] === 's' ? 1000 : 1);
    pauses += ' '.repeat(Math.round(ms / 80));
  }
  return ssml.replace(/<[^>]*>/g, '') + pauses;
}
