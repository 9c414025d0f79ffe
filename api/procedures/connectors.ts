/**
 * A tenant's connectors: PUT the credentials of one (checked by that connector's own schema,
 * from the registry), list them with their sync state, remove one. Credentials are encrypted
 * at rest and never returned: the list says which fields are set.
 */
import { z } from 'zod';
import { loggable } from '../../core/errors.ts';
import { defineProcedure } from '../procedure.ts';
import { connectorIds, connectors, type ConnectorEntry } from '../../connectors/registry.ts';
import { checkVendorUrls } from '../../connectors/vendor-urls.ts';
import { deleteConnector, listConnectors, saveConnector } from '../../core/integrations/connectors.ts';
import { requestSync } from '../../core/crm/sync.ts';
import { listOutbox, retryDeadWriteBacks } from '../../core/outbox/outbox.ts';
import { AppError } from '../../core/errors.ts';

const ConnectorType = z.enum(connectorIds).describe('the connector: one entry of the registry');

const ConnectorOut = z
  .object({
    type: z.string(),
    enabled: z.boolean(),
    credentialFields: z.array(z.string()).describe('the credential fields that are set; their values are never returned'),
    cursor: z.unknown().describe("where the connector's incremental sync resumes"),
    syncStatus: z.enum(['queued', 'running', 'ok', 'failed']).nullable(),
    lastSyncAt: z.string().nullable(),
    lastError: z.string().nullable(),
    outbox: z
      .object({ pending: z.int(), dead: z.int() })
      .describe('write-backs waiting to be sent, and dead ones (GET …/outbox?status=dead, POST …/outbox/retry)'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Connector' });

// One variant per registered connector, so a bad credential is a 400 naming its field (credentials.accountSid…).
const [first, ...rest] = connectorIds.map((type) =>
  z.object({
    type: z.literal(type),
    credentials: connectors[type].credentials.describe(`the ${type} credentials; apiBaseUrl points it at a sandbox, proxy or simulator`),
    enabled: z.boolean().default(true),
  }),
);
const ConnectorInput = z.discriminatedUnion('type', [first!, ...rest]);

const CredentialCheck = z
  .object({
    ok: z.boolean().describe('whether the vendor accepted the credentials'),
    reason: z.string().optional().describe('when not: what the vendor answered (or that it did not answer)'),
  })
  .meta({ id: 'CredentialCheck' });

const ConnectorSaved = ConnectorOut.extend({
  check: CredentialCheck.nullable().describe(
    'the credentials tried against the vendor with one cheap authenticated read, after saving; they are saved either way (a vendor may be down for a while). Null for a connector that cannot be tried',
  ),
}).meta({ id: 'ConnectorSaved' });

export const connectorsPut = defineProcedure({
  name: 'connectors.put',
  method: 'put',
  path: '/v1/connectors/:type',
  summary: 'Configure a connector: its credentials are checked by the connector’s schema, stored encrypted, then tried against the vendor (`check`)',
  tag: 'connectors',
  role: 'admin',
  input: ConnectorInput,
  output: ConnectorSaved,
  handler: async ({ ctx, input }) => {
    const entry: ConnectorEntry = connectors[input.type];
    checkVendorUrls(input.credentials, entry.urls, ctx.deps.allowedVendorHosts);
    const account = entry.account ? entry.account(input.credentials as never) : null;
    const saved = await saveConnector(ctx.deps, ctx.actor.tenantId, input.type, input.credentials as object, { enabled: input.enabled, account });
    // Saved first: a vendor that is slow or down must not lose the admin's credentials.
    const check = entry.check ? await entry.check(input.credentials as never) : null;
    // Then the account is prepared (HubSpot's chase-result properties). Not fatal: the worker
    // prepares it again before it first writes results.
    if (entry.setup && check?.ok !== false) {
      await entry
        .setup(input.credentials as never)
        .catch((err: unknown) =>
          ctx.log.warn({ connector: input.type, error: loggable(err) }, 'connector setup failed; retried before the first write-back that needs it'),
        );
    }
    return { body: { ...saved, check } };
  },
});

export const connectorsList = defineProcedure({
  name: 'connectors.list',
  method: 'get',
  path: '/v1/connectors',
  summary: 'The configured connectors, with their sync state (cursor, last sync, last error)',
  tag: 'connectors',
  role: 'viewer',
  input: z.object({}),
  output: z.object({ items: z.array(ConnectorOut) }),
  handler: async ({ ctx }) => ({ body: { items: await listConnectors(ctx.deps, ctx.actor.tenantId) } }),
});

export const connectorsDelete = defineProcedure({
  name: 'connectors.delete',
  method: 'delete',
  path: '/v1/connectors/:type',
  summary: 'Remove a connector and its credentials',
  tag: 'connectors',
  role: 'admin',
  input: z.object({ type: ConnectorType }),
  output: ConnectorOut,
  handler: async ({ ctx, input }) => ({ body: await deleteConnector(ctx.deps, ctx.actor.tenantId, input.type) }),
});

export const connectorsSync = defineProcedure({
  name: 'connectors.sync',
  method: 'post',
  path: '/v1/connectors/:type/sync',
  summary: 'Queue a pull of the CRM’s contacts from where the last one stopped (one waits at a time)',
  tag: 'connectors',
  role: 'operator',
  statuses: [202],
  input: z.object({ type: ConnectorType }),
  output: ConnectorOut,
  handler: async ({ ctx, input }) => {
    const entry: ConnectorEntry = connectors[input.type];
    if (!entry.syncs) throw new AppError('CONFLICT', `the ${input.type} connector has nothing to sync`, { field: 'type' });
    return { status: 202, body: await requestSync(ctx.deps, ctx.actor.tenantId, input.type) };
  },
});

const OutboxRowOut = z
  .object({
    id: z.string(),
    kind: z.enum(['call', 'sms', 'opt-out', 'tags', 'order-note', 'chase-result', 'callback-complete']),
    status: z.enum(['pending', 'done', 'skipped', 'dead']),
    attempts: z.int(),
    lastError: z.string().nullable().describe('why the last send failed (the vendor’s answer)'),
    nextAt: z.string().nullable().describe('when a pending write-back is tried next'),
    createdAt: z.string(),
    doneAt: z.string().nullable(),
  })
  .meta({ id: 'WriteBack' });

export const connectorsOutbox = defineProcedure({
  name: 'connectors.outbox',
  method: 'get',
  path: '/v1/connectors/:type/outbox',
  summary: 'The connector’s write-backs (activities, opt-outs, tags, notes) by status, newest first: the dead-letter is status=dead',
  tag: 'connectors',
  role: 'viewer',
  input: z.object({
    type: ConnectorType,
    status: z.enum(['pending', 'done', 'skipped', 'dead']).default('dead'),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  }),
  output: z.object({ items: z.array(OutboxRowOut) }),
  handler: async ({ ctx, input }) => ({ body: { items: await listOutbox(ctx.deps.db, ctx.actor.tenantId, input.type, input.status, input.limit) } }),
});

export const connectorsOutboxRetry = defineProcedure({
  name: 'connectors.outboxRetry',
  method: 'post',
  path: '/v1/connectors/:type/outbox/retry',
  summary: 'Send the dead write-backs again (after the credentials or the vendor were fixed)',
  tag: 'connectors',
  role: 'operator',
  statuses: [202],
  input: z.object({ type: ConnectorType }),
  output: z.object({ retried: z.int() }),
  handler: async ({ ctx, input }) => ({ status: 202, body: { retried: await retryDeadWriteBacks(ctx.deps, ctx.actor.tenantId, input.type) } }),
});
