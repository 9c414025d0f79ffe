/** zod schemas shared by REST, tRPC and OpenAPI. */
import { z } from 'zod';
import { roles } from '../core/deps.ts';
import { channels, consentSources } from '../core/consent.ts';
import { MAX_PAGE } from '../core/pagination.ts';
import { isRegionCode } from '../core/phone.ts';

export const Id = z.uuid().describe('Resource id (UUID)');
export const IdParam = z.object({ id: Id });

export const PageQuery = z.object({
  cursor: z.string().max(200).optional().describe('nextCursor from the previous page'),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
});

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const Region = z
  .string()
  .transform((s) => s.trim().toUpperCase())
  .refine(isRegionCode, 'must be an ISO 3166-1 alpha-2 region code such as CN or US');

export const Role = z.enum(roles);

export const Tenant = z
  .object({ id: Id, name: z.string(), defaultRegion: z.string(), createdAt: z.string() })
  .meta({ id: 'Tenant' });

export const NewApiKey = z
  .object({ id: Id, key: z.string().describe('Shown only this once'), role: Role, name: z.string() })
  .meta({ id: 'NewApiKey' });

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
  'mobile', 'fixed_line', 'fixed_line_or_mobile', 'toll_free', 'premium_rate', 'shared_cost',
  'voip', 'personal_number', 'pager', 'uan', 'voicemail', 'unknown',
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
  phone: z.string().min(1).max(64),
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
