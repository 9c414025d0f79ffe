/** zod schemas shared by REST, tRPC and OpenAPI. */
import { z } from 'zod';
import { roles } from '../core/deps.ts';
import { channels, consentSources } from '../core/consent/consent.ts';
import { MAX_PAGE } from '../core/common/pagination.ts';
import { isRegionCode, PHONE_MAX_LENGTH } from '../core/phone/phone.ts';
import { AppError } from '../core/errors.ts';
import { KMEANS_K, LIMITS, ruleOps, validateDefinition } from '../core/segments/rules.ts';
import { CampaignInputSchema, TenantChaseRulesSchema } from '../core/campaigns/rules.ts';
import type { CampaignStatus as CampaignStatusName } from '../core/campaigns/campaigns.ts';
import { chaseStatuses, eventTypes } from '../core/chases/store.ts';

export const Id = z.uuid().describe('Resource id (UUID)');
export const IdParam = z.object({ id: Id });

export const PageQuery = z.object({
  cursor: z.string().max(200).optional().describe('nextCursor from the previous page'),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
});

export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const Region = z
  .string()
  .transform((s) => s.trim().toUpperCase())
  .refine(isRegionCode, 'must be an ISO 3166-1 alpha-2 region code such as CN or US');

/**
 * A phone number as the caller writes it. Only its type is checked here: core's normalizePhone
 * reads it and says why it cannot be used ('phone: missing', 'phone: too long'…) in the same
 * words an import row or a CRM sync gets for the same text, naming the field.
 */
export const PhoneText = z
  .string()
  .describe(`A phone number as written (up to ${PHONE_MAX_LENGTH} characters): international with '+', or national in the tenant's default region`);

export const Role = z.enum(roles);

export const Tenant = z.object({ id: Id, name: z.string(), defaultRegion: z.string(), createdAt: z.string() }).meta({ id: 'Tenant' });

export const NewApiKey = z.object({ id: Id, key: z.string().describe('Shown only this once'), role: Role, name: z.string() }).meta({ id: 'NewApiKey' });

export const ApiKey = z
  .object({
    id: Id,
    name: z.string(),
    role: Role,
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });

export const CrmRef = z.object({
  system: z.string().min(1).max(40).describe('salesforce, hubspot, shopify, …'),
  externalId: z.string().min(1).max(255),
});

const PhoneType = z.enum([
  'mobile',
  'fixed_line',
  'fixed_line_or_mobile',
  'toll_free',
  'premium_rate',
  'shared_cost',
  'voip',
  'personal_number',
  'pager',
  'uan',
  'voicemail',
  'unknown',
]);

export const Contact = z
  .object({
    id: Id,
    name: z.string().nullable(),
    phone: z.string().nullable(),
    phoneValid: z.boolean(),
    phoneType: PhoneType.nullable(),
    phoneCountry: z.string().nullable(),
    phoneInvalidReason: z.string().nullable(),
    email: z.string().nullable(),
    tags: z.array(z.string()),
    attributes: z.record(z.string(), z.unknown()),
    timeZone: z.string().nullable(),
    country: z.string().nullable(),
    crm: z.array(CrmRef),
    optedOut: z.object({ voice: z.boolean(), sms: z.boolean() }),
    dialable: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Contact' });

export const ContactInput = z.object({
  id: Id.optional().describe('Update this contact; otherwise matched by crm reference, then by phone'),
  name: z.string().trim().min(1).max(200),
  phone: PhoneText,
  email: z.string().max(254).optional(),
  tags: z.array(z.string().min(1).max(100)).max(100).optional().describe('Replaces the contact’s tags when given'),
  attributes: z.record(z.string().max(100), z.unknown()).optional().describe('Merged into the contact’s attributes'),
  timeZone: z.string().max(64).optional().describe('IANA time zone, e.g. Asia/Shanghai'),
  country: z.string().max(2).optional(),
  crm: CrmRef.optional(),
});

export const PhoneCheck = z
  .object({
    input: z.string(),
    valid: z.boolean(),
    e164: z.string().nullable(),
    type: PhoneType.nullable(),
    country: z.string().nullable(),
    reason: z.string().nullable(),
  })
  .meta({ id: 'PhoneCheck' });

export const Channel = z.enum(channels);

export const OptOut = z
  .object({
    id: z.string(),
    phone: z.string(),
    channel: Channel,
    source: z.enum(consentSources),
    note: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'OptOut' });

export const RejectedRow = z.object({
  row: z.number().int().describe('Row number as a spreadsheet shows it; the header is row 1'),
  column: z.string().nullable().describe('The header as the file names it'),
  reason: z.string(),
});

export const ImportResult = z
  .object({
    id: Id,
    kind: z.enum(['contacts', 'do-not-call']),
    total: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    rejected: z.array(RejectedRow),
  })
  .meta({ id: 'ImportResult' });

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().describe('Stable machine-readable error code'),
    field: z.string().optional().describe('The offending input field'),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errorId: z.string().optional().describe('Also written to the server log'),
  })
  .meta({ id: 'Problem' });

/**
 * A segment rule condition. One flat object (rather than a union of shapes) so a mistake is
 * reported at its exact path, e.g. `definition.tiers.1.when.all.0.op`; core's validator
 * then checks that exactly one shape is given.
 */
export interface SegmentConditionInput {
  all?: SegmentConditionInput[];
  any?: SegmentConditionInput[];
  attribute?: string;
  op?: (typeof ruleOps)[number];
  value?: string | number | (string | number)[];
  tag?: string;
  notTag?: string;
}

const RuleValue = z.union([z.string().max(LIMITS.text), z.number()]);

export const SegmentCondition: z.ZodType<SegmentConditionInput> = z
  .lazy(() =>
    z.object({
      all: z.array(SegmentCondition).max(LIMITS.children).optional().describe('Every condition holds'),
      any: z.array(SegmentCondition).max(LIMITS.children).optional().describe('At least one condition holds'),
      attribute: z.string().min(1).max(LIMITS.name).optional().describe('Contact attribute, e.g. orderValue, intent'),
      op: z.enum(ruleOps).optional().describe('gt/gte/lt/lte compare numbers (non-numbers never match); eq/neq/in compare text'),
      value: z.union([RuleValue, z.array(RuleValue).min(1).max(LIMITS.inValues)]).optional(),
      tag: z.string().min(1).max(LIMITS.name).optional().describe('The contact has this tag'),
      notTag: z.string().min(1).max(LIMITS.name).optional().describe('The contact lacks this tag'),
    }),
  )
  .meta({ id: 'SegmentCondition', description: 'Exactly one of all, any, attribute (with op and value), tag, notTag' });

export const SegmentDefinition = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('rules'),
      tiers: z
        .array(z.object({ name: z.string().min(1).max(LIMITS.name), when: SegmentCondition }))
        .min(1)
        .max(LIMITS.tiers)
        .describe('Tried in order; the first matching tier wins; contacts matching none are not members'),
    }),
    z.object({
      kind: z.literal('kmeans'),
      attributes: z.array(z.string().min(1).max(LIMITS.name)).min(1).max(LIMITS.kmeansAttributes).describe('Numeric attributes'),
      k: z.number().int().min(KMEANS_K.min).max(KMEANS_K.max),
      seed: z.number().int().optional(),
    }),
  ])
  .superRefine((definition, ctx) => {
    // The rules zod cannot express (one shape per condition, numbers for gt…, unique tier names).
    try {
      validateDefinition(definition);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message.replace(`${err.field}: `, ''), path: err.field?.split('.') ?? [] });
    }
  })
  .meta({ id: 'SegmentDefinition' });

export const Segment = z
  .object({
    id: Id,
    name: z.string(),
    definition: SegmentDefinition,
    createdAt: z.string(),
    refreshedAt: z.string().nullable().describe('Null until the first refresh'),
    counts: z.record(z.string(), z.number().int()).describe('Members per tier at the last refresh'),
    total: z.number().int(),
  })
  .meta({ id: 'Segment' });

// Campaigns and chases. What a campaign is made of is core's own schema (core/campaigns/rules.ts):
// the API parses requests with it, tRPC types and OpenAPI are generated from it, and core parses
// with it again, so a rule is refused in one place whichever way it arrives.

export const CampaignInput = CampaignInputSchema;

const campaignFields = CampaignInputSchema.shape;

/**
 * PATCH: the fields given replace the campaign's (`rules` as a whole); the merged campaign is then
 * checked by CampaignInput. No defaults here, so a field left out is kept, never reset.
 */
export const CampaignPatch = z.object({
  name: campaignFields.name.optional(),
  goal: campaignFields.goal,
  schedule: campaignFields.schedule,
  industry: campaignFields.industry,
  segmentId: campaignFields.segmentId,
  trigger: campaignFields.trigger.removeDefault().optional(),
  channel: campaignFields.channel.optional(),
  rules: campaignFields.rules.removeDefault().optional().describe('Replaces all the campaign’s rules (unset ones take their defaults)'),
  scripts: campaignFields.scripts.optional(),
  scriptFlags: campaignFields.scriptFlags,
  lines: campaignFields.lines.removeDefault().optional().describe('Replaces the campaign’s own caller ids; left out, they are kept'),
});

export const CampaignStatus = z.enum(['active', 'paused', 'canceled'] as const satisfies readonly CampaignStatusName[]);

export const CampaignWarning = z
  .object({
    code: z.enum(['no-line']).describe('no-line: no line can call for this campaign (no lines of its own, and no enabled line in the pool)'),
    field: z.string().describe('the campaign field to change'),
    message: z.string(),
  })
  .meta({ id: 'CampaignWarning' });

export const Campaign = z
  .object({
    id: Id,
    status: CampaignStatus,
    ...campaignFields,
    goal: campaignFields.goal.unwrap().describe('what counts as a conversion: its own goal, else the default for its trigger'),
    scriptFlags: campaignFields.scriptFlags
      .unwrap()
      .describe('script flags: its own settings, else the defaults (flag over 0.5% after 200 chases, no auto-pause)'),
    industry: campaignFields.industry.unwrap().describe("the industry it serves (reports by industry): its own, else 'other'"),
    warnings: z.array(CampaignWarning).describe('what would stop this campaign’s chases now, e.g. no line to call from; empty when nothing'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Campaign' });

/** Tenant-wide calling window and caps; a campaign's own override them. */
export const ChaseRules = TenantChaseRulesSchema;

export const ChaseStatus = z.enum(chaseStatuses);

export const ContactRef = z
  .union([
    z.strictObject({ id: Id }),
    z.strictObject({ phone: PhoneText.describe('A number not known yet becomes a contact') }),
    z.strictObject({
      crm: CrmRef,
      phone: PhoneText.optional().describe('With a CRM record not synced yet: the record becomes a contact with this number'),
      name: z.string().min(1).max(200).optional(),
      email: z.string().min(3).max(320).optional(),
    }),
  ])
  .describe('Exactly one of id, phone, crm (a CRM record may bring its phone, name and email for when it is not synced yet)');

export const ChaseEvent = z.object({
  at: z.string(),
  type: z.enum(eventTypes),
  attemptId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
});

export const Attempt = z.object({
  id: Id,
  channel: z.enum(['voice', 'sms']),
  status: z.string(),
  outcome: z.string().nullable(),
  from: z.string(),
  sid: z.string().nullable().describe('The carrier’s call or message id'),
  answeredBy: z.string().nullable(),
  durationSeconds: z.number().nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  endedAt: z.string().nullable(),
});

const chaseFields = {
  id: Id,
  campaignId: Id,
  contactId: Id,
  status: ChaseStatus,
  outcome: z.string().nullable(),
  tier: z.string().nullable().describe('The contact’s tier in the campaign’s segment when the chase started'),
  priority: z.number().int(),
  script: z.string().nullable(),
  experiment: z
    .object({ id: Id, arm: z.string() })
    .nullable()
    .describe('The experiment arm the chase was assigned (its script, window and delay replaced the campaign’s), or null'),
  nextChannel: z.enum(['voice', 'sms']),
  dueAt: z.string(),
  deadlineAt: z.string(),
  callAttempts: z.number().int(),
  lastError: z.string().nullable(),
  context: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
};

export const Chase = z.object(chaseFields).meta({ id: 'Chase' });

export const ChaseDetail = z.object({ ...chaseFields, timeline: z.array(ChaseEvent), attempts: z.array(Attempt) }).meta({ id: 'ChaseDetail' });

export const BulkStartResult = z
  .object({
    created: z.number().int(),
    skipped: z.object({
      alreadyLive: z.number().int(),
      optedOut: z.number().int(),
      invalidNumber: z.number().int(),
      scriptPaused: z.number().int().describe('every script that matches the contact is paused for complaints (GET /v1/scripts)'),
    }),
  })
  .describe('created + all skipped = the members considered');
