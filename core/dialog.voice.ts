/**
 * How a script sounds: the voice, rate and pitch for Google Text-to-Speech when it is
 * configured, or the <Say> voice and SSML prosody Twilio renders itself when it is not,
 * and the language the speech recogniser listens for.
 */
import type { SpeechRequest } from './ports.ts';
import type { Voice } from './dialog.schema.ts';

interface VoicePreset {
  /** Google TTS language code and voices (calm, lively). */
  ttsLanguage: string;
  tts: [string, string];
  /** Twilio <Say> language and voices (calm, lively). */
  sayLanguage: string;
  say: [string, string];
  /** Twilio <Gather> speech recognition language. */
  listen: string;
}

/**
 * The languages a script can speak. Cantonese (`yue`) is what Hong Kong and Macau callers
 * speak: a zh-HK, zh-MO or yue-* script gets Cantonese voices and Cantonese recognition,
 * while cmn-*-HK is Mandarin.
 */
export type Language = 'en-US' | 'en-GB' | 'zh-CN' | 'zh-TW' | 'yue';

// Voice names from Google's Text-to-Speech list and Twilio's <Say> voices; recognition
// languages from Twilio's <Gather> list (the SDK's GatherLanguage: Cantonese is yue-Hant-HK).
const PRESETS: Record<Language, VoicePreset> = {
  'zh-CN': { ttsLanguage: 'cmn-CN', tts: ['cmn-CN-Wavenet-A', 'cmn-CN-Wavenet-B'], sayLanguage: 'cmn-CN', say: ['Google.cmn-CN-Wavenet-A', 'Google.cmn-CN-Wavenet-B'], listen: 'cmn-Hans-CN' },
  'zh-TW': { ttsLanguage: 'cmn-TW', tts: ['cmn-TW-Wavenet-A', 'cmn-TW-Wavenet-B'], sayLanguage: 'cmn-TW', say: ['Google.cmn-TW-Wavenet-A', 'Google.cmn-TW-Wavenet-B'], listen: 'cmn-Hant-TW' },
  yue: { ttsLanguage: 'yue-HK', tts: ['yue-HK-Standard-A', 'yue-HK-Standard-B'], sayLanguage: 'yue-HK', say: ['Google.yue-HK-Standard-A', 'Google.yue-HK-Standard-B'], listen: 'yue-Hant-HK' },
  'en-GB': { ttsLanguage: 'en-GB', tts: ['en-GB-Neural2-C', 'en-GB-Neural2-A'], sayLanguage: 'en-GB', say: ['Google.en-GB-Neural2-C', 'Google.en-GB-Neural2-A'], listen: 'en-GB' },
  'en-US': { ttsLanguage: 'en-US', tts: ['en-US-Neural2-C', 'en-US-Neural2-F'], sayLanguage: 'en-US', say: ['Google.en-US-Neural2-C', 'Google.en-US-Neural2-F'], listen: 'en-US' },
};

/** yue, yue-HK, zh-HK, zh-Hant-HK → yue; zh-TW, cmn-Hant-TW, zh-Hant → zh-TW; zh-CN, cmn-Hans-CN, cmn-Hans-HK → zh-CN; … */
export function languageOf(locale: string): Language {
  const l = locale.toLowerCase();
  if (l.startsWith('yue') || /^zh(?:-hant)?-(?:hk|mo)\b/.test(l)) return 'yue';
  if (/^(?:zh|cmn)\b/.test(l)) return /-(?:tw|hant)\b/.test(l) ? 'zh-TW' : 'zh-CN';
  if (/^en-(?:gb|au|ie|nz)\b/.test(l)) return 'en-GB';
  return 'en-US';
}

const presetFor = (locale: string): VoicePreset => PRESETS[languageOf(locale)];

const STYLE = { calm: { rate: 0.95, pitch: -1 }, lively: { rate: 1.1, pitch: 2 } } as const;

export interface ScriptVoice {
  locale: string;
  voice: Voice;
}

export interface SayVoice {
  voice: string;
  language: string;
  /** Percent, for SSML <prosody rate>. */
  ratePercent: number;
  /** Semitones, for SSML <prosody pitch>. */
  pitch: number;
}

export function sayVoice(s: ScriptVoice): SayVoice {
  const p = presetFor(s.locale);
  const style = STYLE[s.voice.style];
  const custom = s.voice.name && /^(Google|Polly)\./.test(s.voice.name) ? s.voice.name : undefined;
  return {
    voice: custom ?? p.say[s.voice.style === 'calm' ? 0 : 1],
    language: p.sayLanguage,
    ratePercent: Math.round((s.voice.speakingRate ?? style.rate) * 100),
    pitch: style.pitch,
  };
}

/** The request that synthesises `text` in this script's voice (also the audio's cache key). */
export function speechRequest(s: ScriptVoice, text: string): SpeechRequest {
  const p = presetFor(s.locale);
  const style = STYLE[s.voice.style];
  const custom = s.voice.name && !/^(Google|Polly)\./.test(s.voice.name) ? s.voice.name : undefined;
  return {
    text,
    languageCode: p.ttsLanguage,
    voiceName: custom ?? p.tts[s.voice.style === 'calm' ? 0 : 1],
    speakingRate: s.voice.speakingRate ?? style.rate,
    pitch: style.pitch,
  };
}

export const listenLanguage = (locale: string): string => presetFor(locale).listen;
