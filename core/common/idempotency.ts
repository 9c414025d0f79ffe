/**
 * Idempotency-Key for POSTs that create something: the first response is kept (encrypted,
 * since it may hold PII) for 24 hours and replayed to a retry carrying the same key and body.
 */
import { createHash } from 'node:crypto';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';

export interface StoredResponse {
  status: number;
  body: unknown;
}

const TTL = '24 hours';

/**
 * A digest of the request. Its parts may hold PII, so the digest is only ever stored
 * encrypted: a plain hash at rest could be confirmed by hashing guessed numbers.
 */
export const fingerprint = (...parts: unknown[]): string => createHash('sha256').update(JSON.stringify(parts)).digest('hex');

export async function withIdempotency(
  deps: Deps,
  tenantId: string,
  key: string | undefined,
  requestDigest: string,
  run: () => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  if (!key) return { ...(await run()), replayed: false };
  if (key.length > 255) throw new AppError('VALIDATION', 'Idempotency-Key is longer than 255 characters', { field: 'Idempotency-Key' });

  await deps.db.query(`delete from idempotency_keys where tenant_id = $1 and key = $2 and created_at < now() - $3::interval`, [tenantId, key, TTL]);
  const claim = await deps.db.query(`insert into idempotency_keys (tenant_id, key, request_enc) values ($1, $2, $3) on conflict do nothing`, [
    tenantId,
    key,
    deps.pii.encrypt(requestDigest),
  ]);
  if (claim.rowCount === 0) {
    const { rows } = await deps.db.query(`select request_enc, status, response_enc from idempotency_keys where tenant_id = $1 and key = $2`, [tenantId, key]);
    const seen = rows[0];
    if (seen && deps.pii.decrypt(seen.request_enc) !== requestDigest) {
      throw new AppError('IDEMPOTENCY_CONFLICT', 'this Idempotency-Key was used with a different request', {
        field: 'Idempotency-Key',
      });
    }
    if (!seen || seen.status === null) {
      throw new AppError('CONFLICT', 'a request with this Idempotency-Key is still in progress', { field: 'Idempotency-Key' });
    }
    return { status: seen.status, body: JSON.parse(deps.pii.decrypt(seen.response_enc)), replayed: true };
  }

  try {
    const response = await run();
    await deps.db.query(`update idempotency_keys set status = $3, response_enc = $4 where tenant_id = $1 and key = $2`, [
      tenantId,
      key,
      response.status,
      deps.pii.encrypt(JSON.stringify(response.body)),
    ]);
    return { ...response, replayed: false };
  } catch (err) {
    // A failed request did nothing, so the client may try again with the same key.
    await deps.db.query(`delete from idempotency_keys where tenant_id = $1 and key = $2`, [tenantId, key]);
    throw err;
  }
}
