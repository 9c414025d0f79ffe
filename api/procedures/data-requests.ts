/**
 * What people asked Chaseline's tenant for (a store's customers/data_request): the list, and
 * one request with everything found on the person — admin only, each read audited.
 */
import { z } from 'zod';
import { defineProcedure } from '../procedure.ts';
import { IdParam } from '../schemas.ts';
import { getDataRequest, listDataRequests } from '../../core/privacy/requests.ts';

const DataRequest = z
  .object({
    id: z.string(),
    source: z.string().describe('who forwarded the request, e.g. shopify'),
    externalId: z.string().nullable().describe('the sender’s id of the request'),
    contacts: z.int().describe('how many contacts were found to be theirs'),
    receivedAt: z.string(),
  })
  .meta({ id: 'DataRequest' });

export const dataRequestsList = defineProcedure({
  name: 'dataRequests.list',
  method: 'get',
  path: '/v1/data-requests',
  summary: 'Requests for a person’s data (a store’s customers/data_request), newest first',
  tag: 'privacy',
  role: 'admin',
  input: z.object({}),
  output: z.object({ items: z.array(DataRequest) }),
  handler: async ({ ctx }) => ({ body: { items: await listDataRequests(ctx.deps, ctx.actor) } }),
});

export const dataRequestsGet = defineProcedure({
  name: 'dataRequests.get',
  method: 'get',
  path: '/v1/data-requests/:id',
  summary: 'One request with what Chaseline holds on the person: contacts, consent history, chases and calls (audited)',
  tag: 'privacy',
  role: 'admin',
  input: IdParam,
  output: DataRequest.extend({
    report: z.object({ contacts: z.array(z.unknown()) }).describe('contacts with their consent history and chases, as compiled when the request came'),
  }),
  handler: async ({ ctx, input }) => ({ body: await getDataRequest(ctx.deps, ctx.actor, input.id) }),
});
