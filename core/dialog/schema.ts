/**
 * What a call says and how it listens, as zod schemas (the API, tRPC and OpenAPI use them):
 * a script's voice and dialog graph, and a campaign's call settings.
 */
import { z } from 'zod';
import { intents } from '../intents/intents.ts';

/** What entering a node does, besides speaking. */
export const dialogActions = ['send_link', 'callback', 'refuse', 'opt_out', 'complaint', 'transfer', 'wrong_number', 'hangup'] as const;
export type DialogAction = (typeof dialogActions)[number];

export const answerKinds = [...intents, 'no_input'] as const;
export type AnswerKind = (typeof answerKinds)[number];

const nodeId = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'a node id is lowercase letters, digits and _');

export const DialogNodeSchema = z.object({
  say: z.string().trim().min(1).max(4000).describe('what the node says; {{name}} and {{context.key}} are filled in'),
  listen: z.boolean().optional().describe('listen for an answer after speaking (default: yes, unless the node has an action)'),
  on: z
    .partialRecord(z.enum(answerKinds), nodeId)
    .optional()
    .describe(
      'node to go to for each intent (or no_input); intents left out follow the built-in routes. opt_out always ends in the opt_out node, complaint in the complaint node; maybe_opt_out in confirm_opt_out (or opt_out, to take it as an opt-out)',
    ),
  do: z
    .enum(dialogActions)
    .optional()
    .describe(
      'what entering the node does: send_link (SMS), callback, refuse, opt_out, complaint (an opt-out that also records a complaint), transfer, wrong_number, hangup',
    ),
});
export type DialogNodeInput = z.infer<typeof DialogNodeSchema>;

export const DialogSchema = z
  .record(nodeId, DialogNodeSchema)
  .describe(
    'nodes by id; they replace or add to the built-in ones (start, price, send_link, reconsider, callback, not_interested, opt_out, complaint, confirm_opt_out, transfer, wrong_number, goodbye); of opt_out, complaint and confirm_opt_out only the say can change',
  );

export const VoiceSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe(
      "the carrier's voice ('Google.en-US-Neural2-F', 'Polly.Joanna'), or the speech service's voice ('cmn-CN-Wavenet-A') when prompts are synthesised; a voice the carrier does not have falls back to its default; default by locale and style",
    ),
  style: z.enum(['calm', 'lively']).default('calm'),
  speakingRate: z.number().min(0.9).max(1.2).optional().describe('0.9–1.2; default 0.95 calm, 1.1 lively'),
});
export type Voice = z.infer<typeof VoiceSchema>;

const transferTarget = z
  .string()
  .trim()
  .refine(
    (t) => /^\+[1-9]\d{6,14}$/.test(t) || /^sip:[^\s@]+@[^\s]+$/i.test(t) || /^queue:[\w.-]{1,64}$/.test(t),
    'must be an E.164 number, a sip: address (sip:agent@pbx.example.com) or queue:name',
  );

export const CallSettingsSchema = z.object({
  transferTo: transferTarget.optional().describe('where "talk to a person" goes: +E.164, sip:user@host, or queue:name'),
  maxReprompts: z.number().int().min(0).max(5).default(2).describe('re-prompts after silence or an answer not understood, per node'),
  callbackAfterMinutes: z
    .number()
    .int()
    .min(5)
    .max(10_080)
    .default(120)
    .describe('when the person asks to be called later; the calling window and caps still apply'),
  listenSeconds: z.number().int().min(1).max(30).default(5).describe('seconds of silence before listening gives up'),
  hints: z.array(z.string().trim().min(1).max(100)).max(100).optional().describe('words the speech recogniser should expect (product names…)'),
});
export type CallSettings = z.infer<typeof CallSettingsSchema>;
