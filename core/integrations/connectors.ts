/**
 * A tenant's connectors: which outside systems it has configured, their credentials
 * (encrypted at rest, never returned) and the state of their sync. Which types exist and
 * what their credentials look like is the registry's business (connectors/registry.ts):
 * credentials reach here already checked by the connector's own schema.
 */
import { isAcceptedText } from '../common/text.ts';
import type { Deps } from '../deps.ts';
import { notFound } from '../errors.ts';

export interface ConnectorState {
  type: string;
  enabled: boolean;
  /** The credential fields that are set (their values are never shown). */
  credentialFields: string[];
  cursor: unknown;
  syncStatus: 'queued' | 'running' | 'ok' | 'failed' | null;
  lastSyncAt: string | null;
  lastError: string | null;
  /** Write-backs waiting to be sent, and dead ones (out of attempts, or refused for good) until retried. */
  outbox: { pending: number; dead: number };
  createdAt: string;
  updatedAt: string;
}

/**
 * What the vendor said when a connector's credentials were tried on save (a cheap
 * authenticated read): accepted, or not with the vendor's reason. A connector without a way
 * to try them has no check.
 */
export type CredentialCheck = { ok: true } | { ok: false; reason: string };

interface ConnectorRow {
  type: string;
  credentials_enc: string;
  enabled: boolean;
  cursor: unknown;
  sync_status: ConnectorState['syncStatus'];
  last_sync_at: Date | null;
  last_error: string | null;
  pending: number | null;
  dead: number | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `type, credentials_enc, enabled, cursor, sync_status, last_sync_at, last_error, created_at, updated_at,
  (select count(*) filter (where o.status = 'pending') from outbox o where o.tenant_id = connectors.tenant_id and o.connector = connectors.type and o.status in ('pending', 'dead'))::int as pending,
  (select count(*) filter (where o.status = 'dead') from outbox o where o.tenant_id = connectors.tenant_id and o.connector = connectors.type and o.status in ('pending', 'dead'))::int as dead`;

function toState(deps: Deps, r: ConnectorRow): ConnectorState {
  const credentials = JSON.parse(deps.pii.decrypt(r.credentials_enc)) as Record<string, unknown>;
  return {
    type: r.type,
    enabled: r.enabled,
    credentialFields: Object.keys(credentials)
      .filter((k) => credentials[k] !== undefined && credentials[k] !== null)
      .sort(),
    cursor: r.cursor,
    syncStatus: r.sync_status,
    lastSyncAt: r.last_sync_at?.toISOString() ?? null,
    lastError: r.last_error,
    outbox: { pending: r.pending ?? 0, dead: r.dead ?? 0 },
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** Creates or replaces a connector's credentials; its sync state (cursor) is kept. */
export async function saveConnector(
  deps: Deps,
  tenantId: string,
  type: string,
  credentials: object,
  options: { enabled?: boolean; account?: string | null } = {},
): Promise<ConnectorState> {
  const { rows } = await deps.db.query<ConnectorRow>(
    `insert into connectors (tenant_id, type, account, credentials_enc, enabled) values ($1, $2, $3, $4, $5)
     on conflict (tenant_id, type) do update set account = excluded.account, credentials_enc = excluded.credentials_enc, enabled = excluded.enabled, last_error = null, updated_at = now()
     returning ${COLUMNS}`,
    [tenantId, type, options.account ?? null, deps.pii.encrypt(JSON.stringify(credentials)), options.enabled ?? true],
  );
  return toState(deps, rows[0]!);
}

export async function listConnectors(deps: Deps, tenantId: string): Promise<ConnectorState[]> {
  const { rows } = await deps.db.query<ConnectorRow>(`select ${COLUMNS} from connectors where tenant_id = $1 order by type`, [tenantId]);
  return rows.map((r) => toState(deps, r));
}

export async function getConnector(deps: Deps, tenantId: string, type: string): Promise<ConnectorState> {
  const { rows } = await deps.db.query<ConnectorRow>(`select ${COLUMNS} from connectors where tenant_id = $1 and type = $2`, [tenantId, type]);
  if (!rows[0]) throw notFound(`${type} connector`, 'type');
  return toState(deps, rows[0]);
}

/** The decrypted credentials, for the process that builds the connector. */
export async function connectorCredentials(deps: Deps, tenantId: string, type: string): Promise<unknown> {
  const { rows } = await deps.db.query<{ credentials_enc: string }>(`select credentials_enc from connectors where tenant_id = $1 and type = $2 and enabled`, [
    tenantId,
    type,
  ]);
  return rows[0] ? JSON.parse(deps.pii.decrypt(rows[0].credentials_enc)) : null;
}

/** The tenants whose enabled connector of `type` is for `account`, with their credentials (an inbound webhook's candidates). */
export async function connectorsForAccount(
  deps: Deps,
  type: string,
  account: string,
  options: { includeDisabled?: boolean } = {},
): Promise<{ tenantId: string; credentials: unknown }[]> {
  // A webhook names its account before it is verified: text no account can have matches none (and is no database error).
  if (!isAcceptedText(account)) return [];
  // A disabled connector still verifies what must be honoured after an uninstall (erasure requests).
  const { rows } = await deps.db.query<{ tenant_id: string; credentials_enc: string }>(
    `select tenant_id, credentials_enc from connectors where type = $1 and account = $2 and (enabled or $3)`,
    [type, account, options.includeDisabled ?? false],
  );
  return rows.map((r) => ({ tenantId: r.tenant_id, credentials: JSON.parse(deps.pii.decrypt(r.credentials_enc)) }));
}

/** Shows why the connector cannot work now (its credentials were refused, a renewal failed) until it is saved again. */
export async function recordConnectorError(deps: Deps, tenantId: string, type: string, message: string): Promise<void> {
  await deps.db.query(`update connectors set last_error = $3, updated_at = now() where tenant_id = $1 and type = $2`, [tenantId, type, message.slice(0, 1000)]);
}

export async function deleteConnector(deps: Deps, tenantId: string, type: string): Promise<ConnectorState> {
  const state = await getConnector(deps, tenantId, type);
  await deps.db.query(`delete from connectors where tenant_id = $1 and type = $2`, [tenantId, type]);
  return state;
}
