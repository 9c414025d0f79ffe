/** Audit log of sensitive actions (exports, key changes): who, when, what — never PII. */
import type pg from 'pg';
import type { Actor, Deps } from '../deps.ts';
import { forbidden } from '../errors.ts';
import { bigintKey, decodeCursor, toPage, type Page } from '../common/pagination.ts';

export interface AuditEntry {
  id: string;
  actorKeyId: string | null;
  action: string;
  details: Record<string, unknown>;
  createdAt: string;
}

export async function audit(db: Pick<pg.Pool, 'query'>, actor: Actor, action: string, details: Record<string, unknown>) {
  await db.query(`insert into audit_log (tenant_id, actor_key_id, action, details) values ($1, $2, $3, $4)`, [actor.tenantId, actor.keyId, action, details]);
}

export async function listAudit(deps: Deps, actor: Actor, options: { cursor?: string; limit: number }): Promise<Page<AuditEntry>> {
  if (actor.role !== 'admin') throw forbidden('only admin keys may read the audit log');
  const after = options.cursor ? decodeCursor(options.cursor, bigintKey) : '0';
  const { rows } = await deps.db.query(
    `select id::text as id, actor_key_id, action, details, created_at from audit_log
      where tenant_id = $1 and id > $2::bigint order by id limit $3`,
    [actor.tenantId, after, options.limit + 1],
  );
  return toPage(rows, options.limit, (r): AuditEntry => ({
    id: r.id,
    actorKeyId: r.actor_key_id,
    action: r.action,
    details: r.details,
    createdAt: r.created_at.toISOString(),
  }));
}
