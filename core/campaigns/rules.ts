/**
 * What a campaign is made of, as zod schemas: the API, tRPC and OpenAPI use these same
 * schemas, and a campaign read back from the database is parsed by them again. Rules that
 * contradict themselves (an empty calling window, a cap of 0) are refused here, naming the rule.
 */
import { z } from 'zod';
import { DEFAULT_WINDOW, validateWindow, type CallingWindow } from './calling-window.ts';
import { CallSettingsSchema, DialogSchema, VoiceSchema } from '../dialog/schema.ts';
import { dialogProblems } from '../dialog/dialog.ts';
import { ScriptFlagSettingsSchema } from '../scripts/flags.rules.ts';
import { optimiseTargets } from '../optimiser/hours.ts';

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +14155550100');
const hhmm = z.string().describe("local time 'HH:MM'");
const span = z.object({ start: hhmm, end: hhmm });

export const CallingWindowSchema = z
  .object({
    days: z.partialRecord(z.enum(['1', '2', '3', '4', '5', '6', '7']), z.array(span)).describe('per ISO weekday (1 = Monday): allowed local spans'),
    exclude: z.array(span).optional().describe('spans excluded every day, e.g. 11:30–13:30'),
  })
  .superRefine((w, ctx) => {
    const problem = validateWindow(w as CallingWindow);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const CapsSchema = z.object({
  callsPerDay: z
    .number()
    .int()
    .min(1, 'a cap of 0 calls a day would never call: pause the campaign instead')
    .max(24)
    .optional()
    .describe('call attempts per phone in any 24 hours, across all campaigns (default 2)'),
  minHoursBetweenCalls: z.number().min(0).max(168).optional().describe('hours between two call attempts to one phone (default 6)'),
  refusalCooldownDays: z.number().min(0).max(365).optional().describe('days of no contact after the person refused (default 7)'),
});

export const DEFAULT_CAPS = { callsPerDay: 2, minHoursBetweenCalls: 6, refusalCooldownDays: 7 } as const;
export type Caps = { callsPerDay: number; minHoursBetweenCalls: number; refusalCooldownDays: number };

/** Tenant-wide defaults, overridden by a campaign's own. */
export const TenantChaseRulesSchema = z.object({
  window: CallingWindowSchema.optional(),
  caps: CapsSchema.optional(),
  numberChecks: z
    .enum(['off', 'before-first-dial', 'at-import'])
    .optional()
    .describe(
      "carrier lookup of each number's validity and line type (billed per lookup by the carrier, cached 30 days): 'off' (the default), " +
        "'before-first-dial' (when a chase first contacts the number), or 'at-import' (right after a file import, and before the first dial for numbers that came another way). " +
        'Invalid numbers are never dialled; numbers that cannot receive texts (landlines…) are never sent SMS',
    ),
});
export type TenantChaseRules = z.infer<typeof TenantChaseRulesSchema>;

export const TriggerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('manual').describe('chases start through the API (one, or in bulk by segment)') }),
  z.object({
    type: z
      .literal('abandoned-checkout')
      .describe("each checkout a connected store (Shopify) reports without an order starts a chase, keyed on the checkout's token; the order ends it"),
    delayMinutes: z.number().int().min(0).max(10_080).default(120).describe('after the checkout was last updated (default 2 hours)'),
  }),
  z.object({
    type: z.literal('segment-entry'),
    segmentId: z.uuid(),
    tiers: z.array(z.string().min(1)).min(1).optional().describe('only entries into these tiers (default: any)'),
    includeExisting: z.boolean().default(false).describe('also chase the members already in the segment when the campaign is created'),
  }),
]);

export const ChannelSchema = z.discriminatedUnion('policy', [
  z.object({
    policy: z.literal('voice-then-sms'),
    smsAfterMinutes: z.number().int().min(0).max(10_080).default(30).describe('after the last call ends unanswered (no-answer, busy, failed, machine)'),
  }),
  z.object({ policy: z.literal('voice') }),
  z.object({ policy: z.literal('sms') }),
]);

export const RulesSchema = z.object({
  delayMinutes: z.number().int().min(0).max(43_200).default(0).describe('wait after the trigger before the first contact'),
  window: CallingWindowSchema.optional().describe("calling window in the recipient's local time (default: the tenant's, else 08:00–21:00 every day)"),
  caps: CapsSchema.optional(),
  priority: z.number().int().min(0).max(1000).default(0).describe('higher runs first when calls queue up'),
  tierPriority: z.record(z.string(), z.number().int().min(0).max(1000)).default({}).describe('added to priority for a chase in that segment tier'),
  premiumFromPriority: z
    .number()
    .int()
    .min(0)
    .max(21_000)
    .default(100)
    .describe("chases at or above this priority (campaign priority + tier priority) get the pool's premium lines"),
  maxCallAttempts: z.number().int().min(1, 'at least one call attempt, or use the sms policy').max(10).default(1),
  retryAfterMinutes: z.number().int().min(1).max(10_080).default(120).describe('between call attempts of one chase'),
  expireAfterHours: z.number().int().min(1).max(2160).default(72).describe('a chase not done by then ends as expired'),
});

export const ScriptSchema = z.object({
  name: z.string().trim().min(1).max(100),
  when: z
    .object({
      tags: z.array(z.string().min(1)).optional().describe('any of these tags'),
      tiers: z.array(z.string().min(1)).optional().describe('any of these segment tiers'),
    })
    .optional()
    .describe('the first script whose conditions all hold is used; one without `when` matches everyone'),
  say: z.string().trim().min(1).max(4000).describe('what the call says; {{name}} and {{context.key}} are filled in'),
  sms: z.string().trim().min(1).max(1600).optional().describe('the SMS text for the SMS step, and the link sent when the person asks for it during the call'),
  locale: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "a BCP-47 tag such as 'en-US', 'zh-CN' or 'cmn-Hans-CN'")
    .default('en-US')
    .describe('language spoken and listened for'),
  voice: VoiceSchema.default({ style: 'calm' }),
  voicemail: z.string().trim().min(1).max(2000).optional().describe('left on an answering machine; without it the call hangs up on a machine'),
  dialog: DialogSchema.optional(),
});

export const LineSchema = z.object({
  from: e164.describe('the caller id: a number on the carrier or a number on a SIP trunk'),
  minPriority: z.number().int().min(0).default(0).describe('used by chases of at least this priority; the best line a chase reaches wins'),
});

/**
 * What counts as a conversion for a campaign's reports, optimiser and experiments: the person
 * said they were interested, clicked the chase's tracked link, or an order was placed.
 */
export const campaignGoals = ['interested', 'link-clicked', 'order'] as const;
export type CampaignGoal = (typeof campaignGoals)[number];

/** Without a goal of its own, an abandoned-checkout campaign converts on the order; others on interest. */
export const defaultGoal = (trigger: { type: string }): CampaignGoal => (trigger.type === 'abandoned-checkout' ? 'order' : 'interested');

/** The industries reports compare campaigns by; a campaign that names none is 'other'. */
export const industries = ['ecommerce', 'education', 'finance', 'insurance', 'real-estate', 'healthcare', 'travel', 'other'] as const;
export type Industry = (typeof industries)[number];

export const CampaignInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    goal: z
      .enum(campaignGoals)
      .optional()
      .describe(
        "what counts as a conversion in reports, the optimiser and experiments: 'interested' (said so on the call), " +
          "'link-clicked' (opened the chase's tracked link) or 'order' (placed the order); default 'order' for abandoned checkouts, else 'interested'",
      ),
    industry: z.enum(industries).optional().describe("the industry the campaign serves, for reports by industry; default 'other'"),
    segmentId: z.uuid().optional().describe('the segment whose tiers pick scripts and priorities (defaults to the trigger’s)'),
    schedule: z
      .object({
        optimise: z
          .enum(optimiseTargets)
          .optional()
          .describe(
            "schedule each chase's first call in the recipient's local hour most likely to 'convert' (reach the goal) or 'connect' " +
              "(be answered by a person), learnt from this campaign's outcomes by Thompson sampling per segment tier, with 10% of chases " +
              'spread over the other allowed hours to keep learning; always inside the calling window and before the deadline. ' +
              'Leave it out (or send {}) to call as soon as the delay allows. See GET /v1/optimiser/hours',
          ),
      })
      .optional()
      .describe('how chases are timed'),
    trigger: TriggerSchema.default({ type: 'manual' }),
    channel: ChannelSchema,
    rules: RulesSchema.default(RulesSchema.parse({})),
    scripts: z.array(ScriptSchema).min(1),
    lines: z.array(LineSchema).default([]).describe("the campaign's own caller ids; empty: the tenant's line pool (/v1/lines)"),
    call: CallSettingsSchema.default(CallSettingsSchema.parse({})),
    scriptFlags: ScriptFlagSettingsSchema.optional().describe(
      'when a script draws too many complaints to be chance, it is flagged (GET /v1/scripts); with autoPause it also stops being chosen until the flag is cleared',
    ),
  })
  .superRefine((c, ctx) => {
    if (!c.scripts.some((s) => !s.when)) {
      ctx.addIssue({ code: 'custom', path: ['scripts'], message: 'one script must have no `when`, so every contact has a script' });
    }
    if (c.channel.policy !== 'voice' && c.scripts.some((s) => !s.sms)) {
      const i = c.scripts.findIndex((s) => !s.sms);
      ctx.addIssue({ code: 'custom', path: ['scripts', i, 'sms'], message: `the ${c.channel.policy} policy sends an SMS, so every script needs its text` });
    }
    c.scripts.forEach((s, i) => {
      for (const p of dialogProblems(s, c.call)) ctx.addIssue({ code: 'custom', path: ['scripts', i, ...p.path], message: p.message });
    });
    if (c.schedule?.optimise && c.channel.policy === 'sms') {
      ctx.addIssue({ code: 'custom', path: ['schedule', 'optimise'], message: 'the sms policy places no calls, so there is no call hour to optimise' });
    }
    if (c.lines.length && !c.lines.some((l) => l.minPriority === 0)) {
      ctx.addIssue({ code: 'custom', path: ['lines'], message: 'one line must have minPriority 0, so every chase has a line' });
    }
  });

export type CampaignInput = z.infer<typeof CampaignInputSchema>;
export type Rules = z.infer<typeof RulesSchema>;
export type Script = z.infer<typeof ScriptSchema>;
export type Line = z.infer<typeof LineSchema>;

/** The window and caps that apply to a campaign's chases: its own, else the tenant's, else the defaults. */
export function effectiveRules(rules: Rules, tenant: TenantChaseRules): { window: CallingWindow; caps: Caps } {
  return {
    window: (rules.window ?? tenant.window ?? DEFAULT_WINDOW) as CallingWindow,
    caps: { ...DEFAULT_CAPS, ...definedOnly(tenant.caps), ...definedOnly(rules.caps) },
  };
}

const definedOnly = <T extends object>(o: T | undefined): Partial<T> =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;

/** The first script whose conditions hold for these tags and tier. */
export function pickScript(scripts: Script[], tags: string[], tier: string | null): Script {
  return matchScript(scripts, tags, tier) ?? scripts[scripts.length - 1]!;
}

/**
 * The first script whose conditions hold, passing over `paused` ones (flagged for complaints,
 * core/scripts/flags.ts): the next matching script serves. Null when every script that matches
 * is paused — the catch-all included — and the contact is then not chased until a flag is cleared.
 */
export function matchScript(scripts: Script[], tags: string[], tier: string | null, paused: ReadonlySet<string> = new Set()): Script | null {
  const matches = (s: Script) =>
    !paused.has(s.name) && (!s.when?.tags || s.when.tags.some((t) => tags.includes(t))) && (!s.when?.tiers || (tier !== null && s.when.tiers.includes(tier)));
  return scripts.find(matches) ?? null;
}

/** The script a chase was given, by name; the catch-all one if it was renamed or removed since. */
export const scriptNamed = <S extends Pick<Script, 'name' | 'when'>>(scripts: S[], name: string | null): S =>
  scripts.find((s) => s.name === name) ?? scripts.find((s) => !s.when)!;

/** The line with the highest minPriority the chase's priority reaches. */
export function pickLine(lines: Line[], priority: number): Line {
  const eligible = lines.filter((l) => l.minPriority <= priority).sort((a, b) => b.minPriority - a.minPriority);
  return eligible[0] ?? lines[0]!;
}

export const chasePriority = (rules: Rules, tier: string | null): number =>
  Math.min(20_000, rules.priority + (tier === null ? 0 : (rules.tierPriority[tier] ?? 0)));

/**
 * The pg-boss job priority: higher tier first, then earliest deadline. pg-boss orders by one
 * integer, so the chase priority is the high part and the minutes left before the deadline
 * (fewer = sooner) the low part.
 */
export function jobPriority(priority: number, dueAt: Date, deadlineAt: Date): number {
  const minutesLeft = Math.max(0, Math.min(99_999, Math.floor((deadlineAt.getTime() - dueAt.getTime()) / 60_000)));
  return priority * 100_000 + (99_999 - minutesLeft);
}

/** Fills {{name}} and {{context.key}}; unknown keys become empty, never the raw braces. */
export function renderText(template: string, values: { name: string | null; context: Record<string, unknown> }): string {
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, key: string) => {
    if (key === 'name') return values.name ?? '';
    if (key.startsWith('context.')) {
      const v = values.context[key.slice('context.'.length)];
      return v === undefined || v === null ? '' : String(v);
    }
    return '';
  });
}
