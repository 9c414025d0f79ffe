/**
 * Twilio's side of how a call sounds and listens: the <Say> voice and language for a
 * prompt's language and style, and the <Gather> speech recognition language.
 * Voice names from Twilio's <Say> voices (its Google and Polly engines); recognition languages
 * from its <Gather> list (the SDK's GatherLanguage: Cantonese is yue-Hant-HK).
 * https://www.twilio.com/docs/voice/twiml/say/text-speech#available-voices-and-languages
 */
import type { Language } from '../../core/dialog/voice.ts';
import type { PromptVoice } from '../../core/dialog/turn.ts';

interface TwilioVoices {
  /** <Say> language and voices (calm, lively). */
  sayLanguage: string;
  say: [string, string];
  /** <Gather> speech recognition language. */
  listen: string;
}

const VOICES: Record<Language, TwilioVoices> = {
  'zh-CN': { sayLanguage: 'cmn-CN', say: ['Google.cmn-CN-Wavenet-A', 'Google.cmn-CN-Wavenet-B'], listen: 'cmn-Hans-CN' },
  'zh-TW': { sayLanguage: 'cmn-TW', say: ['Google.cmn-TW-Wavenet-A', 'Google.cmn-TW-Wavenet-B'], listen: 'cmn-Hant-TW' },
  yue: { sayLanguage: 'yue-HK', say: ['Google.yue-HK-Standard-A', 'Google.yue-HK-Standard-B'], listen: 'yue-Hant-HK' },
  'en-GB': { sayLanguage: 'en-GB', say: ['Google.en-GB-Neural2-C', 'Google.en-GB-Neural2-A'], listen: 'en-GB' },
  'en-US': { sayLanguage: 'en-US', say: ['Google.en-US-Neural2-C', 'Google.en-US-Neural2-F'], listen: 'en-US' },
};

/** A name Twilio's <Say> speaks: its Google and Polly voices. */
const TWILIO_VOICE = /^(?:Google|Polly)\.[\w-]+$/;

export interface SayVoice {
  voice: string;
  language: string;
  /** Percent, for SSML <prosody rate>. */
  ratePercent: number;
  /** Semitones, for SSML <prosody pitch>. */
  pitch: number;
  /** The script named a voice Twilio does not have (a speech service's voice): this is the default instead. */
  fellBack?: string;
}

/** The <Say> voice for a prompt: the script's own when it names a Twilio voice, else the default for its language and style. */
export function sayVoice(v: PromptVoice): SayVoice {
  const preset = VOICES[v.language];
  const own = v.name && TWILIO_VOICE.test(v.name) ? v.name : undefined;
  return {
    voice: own ?? preset.say[v.style === 'calm' ? 0 : 1],
    language: preset.sayLanguage,
    ratePercent: Math.round(v.rate * 100),
    pitch: v.pitch,
    ...(v.name && !own ? { fellBack: v.name } : {}),
  };
}

/** The <Gather> recognition language for a language. */
export const gatherLanguage = (language: Language): string => VOICES[language].listen;
