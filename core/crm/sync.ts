/**
 * Pulling a CRM's contacts into Chaseline: a job per connector (one waits at a time),
 * resuming from the connector's cursor, saving it after every page so a crash or an outage
 * resumes where it stopped. A contact the CRM marks do-not-call is opted out of calls, and
 * that opt-out is sticky: a later pull never reopens it.
 */
import type { Deps } from '../deps.ts';
import { AppError, loggable } from '../errors.ts';
import { withTransaction } from '../db/pool.ts';
import { getConnector, type ConnectorState } from '../integrations/connectors.ts';
import { storeCrmContacts } from './contacts.ts';
import { queues } from '../jobs/queue.ts';
import { chaseEngine } from '../deps.ts';
import type { CrmConnector, CrmConnectorFor, CrmCursor } from '../ports.ts';

export interface SyncJob {
  tenantId: string;
  type: string;
}

/** The tenant's configured CRM connector of `type`, built by the registry; null when it is not configured or does not sync. */

export async function requestSync(deps: Deps, tenantId: string, type: string): Promise<ConnectorState> {
  const { jobs } = chaseEngine(deps);
  const current = await getConnector(deps, tenantId, type);
  if (!current.enabled) throw new AppError('CONFLICT', `the ${type} connector is disabled: enable it before syncing`, { field: 'type' });
  await withTransaction(deps.db, async (tx) => {
    await tx.query(`update connectors set sync_status = 'queued', updated_at = now() where tenant_id = $1 and type = $2`, [tenantId, type]);
    await jobs.send(tx, queues.connectorSync, { tenantId, type } satisfies SyncJob, { singletonKey: `${tenantId}:${type}` });
  });
  return getConnector(deps, tenantId, type);
}

const setState = (deps: Deps, job: SyncJob, status: 'running' | 'ok' | 'failed', error: string | null = null) =>
  deps.db.query(
    `update connectors set sync_status = $3, last_error = $4, last_sync_at = case when $3 = 'ok' then now() else last_sync_at end, updated_at = now()
      where tenant_id = $1 and type = $2`,
    [job.tenantId, job.type, status, error],
  );

export async function runSync(
  deps: Deps & { crm?: CrmConnectorFor; log?: { warn(o: object, msg: string): void } },
  job: SyncJob,
): Promise<{ contacts: number }> {
  let crm: CrmConnector | null;
  try {
    crm = deps.crm ? await deps.crm(job.tenantId, job.type) : null;
  } catch (err) {
    // Credentials that can no longer be used (a URL the operator no longer allows): the sync says why.
    await setState(deps, job, 'failed', err instanceof Error ? err.message : String(err));
    return { contacts: 0 };
  }
  if (!crm) {
    await setState(deps, job, 'failed', `the ${job.type} connector is not configured or does not sync`);
    return { contacts: 0 };
  }
  const { rows } = await deps.db.query<{ cursor: CrmCursor | null }>(`select cursor from connectors where tenant_id = $1 and type = $2`, [
    job.tenantId,
    job.type,
  ]);
  await setState(deps, job, 'running');
  let count = 0;
  try {
    for await (const page of crm.pullContacts(rows[0]?.cursor ?? null)) {
      count += await storeCrmContacts(deps, job.tenantId, job.type, page.contacts);
      // Saved after every page: the next run resumes here.
      await deps.db.query(`update connectors set cursor = $3 where tenant_id = $1 and type = $2`, [job.tenantId, job.type, JSON.stringify(page.cursor)]);
    }
  } catch (err) {
    await setState(deps, job, 'failed', err instanceof Error ? err.message : String(err));
    deps.log?.warn({ tenantId: job.tenantId, connector: job.type, error: loggable(err) }, 'CRM sync failed; the job retries with backoff');
    throw err;
  }
  await setState(deps, job, 'ok');
  return { contacts: count };
}
