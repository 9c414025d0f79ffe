import { z } from 'zod';
import { getContact, listContacts, upsertContact } from '../../core/contacts/contacts.ts';
import { normalizePhone } from '../../core/phone/phone.ts';
import { getTenant } from '../../core/tenants/tenants.ts';
import { defineProcedure } from '../procedure.ts';
import { Contact, ContactInput, IdParam, PageQuery, PhoneCheck, PhoneText, Region, page } from '../schemas.ts';

export const contactsUpsert = defineProcedure({
  name: 'contacts.upsert',
  method: 'post',
  path: '/v1/contacts',
  summary: 'Create or update a contact (matched by id, then crm reference, then phone)',
  tag: 'contacts',
  role: 'operator',
  creates: true,
  statuses: [200, 201],
  input: ContactInput,
  output: Contact,
  handler: async ({ ctx, input }) => {
    const { contact, created } = await upsertContact(ctx.deps, ctx.actor.tenantId, input, 'api');
    return { status: created ? 201 : 200, body: contact };
  },
});

export const contactsGet = defineProcedure({
  name: 'contacts.get',
  method: 'get',
  path: '/v1/contacts/:id',
  summary: 'Fetch a contact',
  tag: 'contacts',
  role: 'viewer',
  input: IdParam,
  output: Contact,
  handler: async ({ ctx, input }) => ({ body: await getContact(ctx.deps, ctx.actor.tenantId, input.id) }),
});

export const contactsList = defineProcedure({
  name: 'contacts.list',
  method: 'get',
  path: '/v1/contacts',
  summary: 'List contacts, optionally by tag, phone or CRM id',
  tag: 'contacts',
  role: 'viewer',
  input: PageQuery.extend({
    tag: z.string().optional(),
    phone: z.string().optional(),
    crmSystem: z.string().optional(),
    externalId: z.string().optional(),
  }),
  output: page(Contact),
  handler: async ({ ctx, input }) => {
    const { cursor, limit, ...filter } = input;
    return { body: await listContacts(ctx.deps, ctx.actor.tenantId, { cursor, limit, filter }) };
  },
});

export const contactsValidate = defineProcedure({
  name: 'contacts.validate',
  method: 'post',
  path: '/v1/contacts/validate',
  summary: 'Normalise and check phone numbers; stores nothing',
  tag: 'contacts',
  role: 'viewer',
  input: z.object({
    defaultRegion: Region.optional().describe('Region for numbers without a country code; default the tenant’s'),
    phones: z.array(z.union([PhoneText, z.number()])).max(10_000),
  }),
  output: z.object({ results: z.array(PhoneCheck) }),
  handler: async ({ ctx, input }) => {
    const region = input.defaultRegion ?? (await getTenant(ctx.deps, ctx.actor.tenantId)).defaultRegion;
    return { body: { results: input.phones.map((p) => normalizePhone(p, region)) } };
  },
});
