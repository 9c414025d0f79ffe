/**
 * Re-encrypts every PII column with the current key and recomputes the phone blind index.
 * Run it with the new key in CHASELINE_ENCRYPTION_KEY and the old one(s) in
 * CHASELINE_PREVIOUS_ENCRYPTION_KEYS, with the API and workers stopped: lookups by phone use
 * the current key only, so rows not yet rotated would not be found. Safe to re-run.
 */
import type pg from 'pg';
import type { Deps } from '../deps.ts';
import { withTransaction } from '../db/pool.ts';

interface Target {
  table: string;
  /** Columns of the primary key, for keyset paging. */
  key: string[];
  encrypted: string[];
  /** Recompute `phone_hash` from the decrypted `phone_enc` (only where the number was valid). */
  phoneIndex?: { when: string };
}

const TARGETS: Target[] = [
  { table: 'contacts', key: ['tenant_id', 'id'], encrypted: ['phone_enc', 'name_enc', 'email_enc'], phoneIndex: { when: 'phone_hash is not null' } },
  { table: 'consent_events', key: ['tenant_id', 'id'], encrypted: ['phone_enc'], phoneIndex: { when: 'true' } },
  { table: 'idempotency_keys', key: ['tenant_id', 'key'], encrypted: ['request_enc', 'response_enc'] },
];

const BATCH = 500;

export async function rotateKeys(deps: Deps, onProgress?: (table: string, rows: number) => void): Promise<Record<string, number>> {
  const done: Record<string, number> = {};
  const current = `${deps.pii.currentKeyId}:%`;
  for (const t of TARGETS) {
    let count = 0;
    const stale = t.encrypted.map((c) => `(${c} is not null and ${c} not like $1)`).join(' or ');
    const hashCase = t.phoneIndex ? `, (${t.phoneIndex.when}) as has_index` : '';
    for (;;) {
      const rotated = await withTransaction(deps.db, async (tx: pg.PoolClient) => {
        const { rows } = await tx.query(
          `select ${[...t.key, ...t.encrypted].join(', ')}${hashCase} from ${t.table} where ${stale} limit ${BATCH} for update skip locked`,
          [current],
        );
        for (const row of rows) {
          const sets: string[] = [];
          const values: unknown[] = [];
          for (const column of t.encrypted) {
            if (row[column] === null) continue;
            values.push(deps.pii.encrypt(deps.pii.decrypt(row[column])));
            sets.push(`${column} = $${values.length}`);
          }
          if (t.phoneIndex && row.has_index) {
            values.push(deps.pii.phoneIndex(deps.pii.decrypt(row.phone_enc)));
            sets.push(`phone_hash = $${values.length}`);
          }
          const where = t.key.map((k, i) => `${k} = $${values.length + i + 1}`).join(' and ');
          await tx.query(`update ${t.table} set ${sets.join(', ')} where ${where}`, [...values, ...t.key.map((k) => row[k])]);
        }
        return rows.length;
      });
      count += rotated;
      onProgress?.(t.table, count);
      if (rotated < BATCH) break;
    }
    done[t.table] = count;
  }
  return done;
}
