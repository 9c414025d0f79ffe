/**
 * One turn of a call's dialog, as data the carrier renders into its own instructions (a
 * markup response, or a sequence of commands): what the call says, whether and how it
 * listens, and what follows. Nothing here names a carrier's voices, languages or URLs: a
 * prompt has a language, a voice style and rate; a listen has the place in the dialog it
 * answers, which the carrier hands back with what it heard.
 *
 * Two shapes of carrier render it. A markup carrier answers each request with one document:
 * the prompts inside a listen element with barge-in, or followed by a hang-up, a dial or
 * nothing. A call-control carrier sends commands to the live call: each prompt a speak
 * command (text, voice, language) or a playback (audio URL); a listen for keys a gather that
 * speaks the prompt (maximum digits, timeout), for speech a gather that transcribes
 * (language, hints, interruptions for barge-in, a response timeout), the position carried in
 * the client state its end event echoes; then a hang-up, or a transfer (to, from, the tags as
 * custom SIP headers) once the last prompt's end event arrives.
 */
/**
 * The languages a script can speak. Cantonese (`yue`) is what Hong Kong and Macau callers
 * speak: a zh-HK, zh-MO or yue-* script gets Cantonese voices and Cantonese recognition,
 * while cmn-*-HK is Mandarin (dialog.voice.ts languageOf).
 */
export const languages = ['en-US', 'en-GB', 'zh-CN', 'zh-TW', 'yue'] as const;
export type Language = (typeof languages)[number];

/** How a prompt sounds. The carrier picks its own voice for the language and style unless `name` is one of its voices. */
export interface PromptVoice {
  language: Language;
  /** The script's locale as written (en-US, zh-HK…), for carriers that want more than the language. */
  locale: string;
  style: 'calm' | 'lively';
  /** The script's voice name, when it set one: a carrier voice, or the speech service's (used for synthesised audio). */
  name?: string;
  /** Speaking rate, 1 = the voice's natural rate. */
  rate: number;
  /** Pitch in semitones, 0 = the voice's own. */
  pitch: number;
}

/** What the call says: the words (plain text: the carrier applies the voice), or audio synthesised from them. */
export interface Prompt {
  text: string;
  voice: PromptVoice;
  /** Audio of these words synthesised ahead of the call: played instead of spoken by the carrier. */
  audioUrl?: string;
}

/** Where in the dialog a listening turn is: the carrier hands it back with the answer (a signed URL, a client state). */
export interface TurnPosition {
  node: string;
  /** How many times this node was said again after silence or an answer not understood. */
  reprompt: number;
  /** The call's answer count: an answer repeated by the carrier repeats it, and is recorded once. */
  turn: number;
}

export interface Listen {
  /** Speech, keys, or both. */
  input: ('speech' | 'keys')[];
  /** The person may talk over the prompt; what they say ends it. */
  bargeIn: boolean;
  /** The language to recognise. */
  language: Language;
  locale: string;
  /** Words the recogniser should expect (product names…). */
  hints?: string[];
  /** Silence before giving up with no answer. */
  timeoutSeconds: number;
  /** Keys that make an answer (the first one decides). */
  maxDigits: number;
  at: TurnPosition;
}

/** Where "talk to a person" goes. */
export interface Transfer {
  /** +E.164, sip:user@host or queue:name. */
  target: string;
  /** Our number on this call, shown to the agent. */
  callerId: string;
  /** The agent hears who this is before the two are connected (a whisper turn, asked for by the carrier). */
  whisper: boolean;
  /** Ids passed to the agent's system (SIP headers, client state): the chase and the attempt, never PII. */
  tags: { chase: string; attempt: string };
}

export type TurnNext =
  /** Listen for the answer, while and after the prompts play. */
  | { do: 'listen'; listen: Listen }
  /** Hang up once the prompts are said. */
  | { do: 'hangup' }
  /** Connect the person to an agent once the prompts are said; the carrier reports how it ended. */
  | { do: 'transfer'; transfer: Transfer }
  /** The prompts are a message left on an answering machine (after its beep); then hang up. */
  | { do: 'voicemail' }
  /** The prompts were for the agent: connect them to the waiting caller. */
  | { do: 'connect' };

export interface DialogTurn {
  /** Said in order; with a listen, the person may answer over them. */
  say: Prompt[];
  next: TurnNext;
}

/** Hang up, saying nothing more. */
export const HANG_UP: DialogTurn = Object.freeze({ say: [], next: Object.freeze({ do: 'hangup' }) }) as DialogTurn;
