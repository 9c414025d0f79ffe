/**
 * How a script sounds: its language, voice style, rate and pitch — what the call's prompts
 * carry for the carrier to speak them — and, when a speech service is configured, the
 * voice the prompts are synthesised in ahead of the call.
 */
import type { SpeechRequest } from '../ports.ts';
import type { Voice } from './schema.ts';
import type { Language, PromptVoice } from './turn.ts';

export { languages, type Language } from './turn.ts';

/** The speech service's language code and voices (calm, lively), from its published voice list. */
const SYNTHESIS: Record<Language, { languageCode: string; voices: [string, string] }> = {
  'zh-CN': { languageCode: 'cmn-CN', voices: ['cmn-CN-Wavenet-A', 'cmn-CN-Wavenet-B'] },
  'zh-TW': { languageCode: 'cmn-TW', voices: ['cmn-TW-Wavenet-A', 'cmn-TW-Wavenet-B'] },
  yue: { languageCode: 'yue-HK', voices: ['yue-HK-Standard-A', 'yue-HK-Standard-B'] },
  'en-GB': { languageCode: 'en-GB', voices: ['en-GB-Neural2-C', 'en-GB-Neural2-A'] },
  'en-US': { languageCode: 'en-US', voices: ['en-US-Neural2-C', 'en-US-Neural2-F'] },
};

/** yue, yue-HK, zh-HK, zh-Hant-HK → yue; zh-TW, cmn-Hant-TW, zh-Hant → zh-TW; zh-CN, cmn-Hans-CN, cmn-Hans-HK → zh-CN; … */
export function languageOf(locale: string): Language {
  const l = locale.toLowerCase();
  if (l.startsWith('yue') || /^zh(?:-hant)?-(?:hk|mo)\b/.test(l)) return 'yue';
  if (/^(?:zh|cmn)\b/.test(l)) return /-(?:tw|hant)\b/.test(l) ? 'zh-TW' : 'zh-CN';
  if (/^en-(?:gb|au|ie|nz)\b/.test(l)) return 'en-GB';
  return 'en-US';
}

const STYLE = { calm: { rate: 0.95, pitch: -1 }, lively: { rate: 1.1, pitch: 2 } } as const;

export interface ScriptVoice {
  locale: string;
  voice: Voice;
}

/**
 * A voice name the carrier speaks with rather than the speech service: carrier voices are
 * named `<Engine>.<voice>` ('Google.en-US-Neural2-F', 'Polly.Joanna'); the speech service's
 * are not ('cmn-CN-Wavenet-A').
 */
export const isCarrierVoice = (name: string): boolean => /^[A-Z][A-Za-z]*\.\S/.test(name);

/** How the call speaks this script's prompts (the carrier picks its voice for the language and style, or the script's own). */
export function promptVoice(s: ScriptVoice): PromptVoice {
  const style = STYLE[s.voice.style];
  return {
    language: languageOf(s.locale),
    locale: s.locale,
    style: s.voice.style,
    ...(s.voice.name ? { name: s.voice.name } : {}),
    rate: s.voice.speakingRate ?? style.rate,
    pitch: style.pitch,
  };
}

/** The request that synthesises `text` in this script's voice (also the audio's cache key). */
export function speechRequest(s: ScriptVoice, text: string): SpeechRequest {
  const p = SYNTHESIS[languageOf(s.locale)];
  const style = STYLE[s.voice.style];
  const custom = s.voice.name && !isCarrierVoice(s.voice.name) ? s.voice.name : undefined;
  return {
    text,
    languageCode: p.languageCode,
    voiceName: custom ?? p.voices[s.voice.style === 'calm' ? 0 : 1],
    speakingRate: s.voice.speakingRate ?? style.rate,
    pitch: style.pitch,
  };
}
