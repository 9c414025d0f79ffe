/**
 * Opting out the person on a call: when they say so (the opt_out node), and when they were
 * asked "do you want us to stop?" (confirm_opt_out) and the call ended before they answered —
 * a request to stop is never dropped because the line went quiet.
 */
import type pg from 'pg';
import type { Deps } from '../deps.ts';
import { recordOptOuts } from '../consent/consent.ts';

/** The attempt's outcome while the person is being asked whether they want us to stop. */
export const UNCONFIRMED_OPT_OUT = 'opt-out-unconfirmed';

/**
 * Opts the number an attempt called out of every channel (a person who says "stop calling
 * me" does not want texts either), in the caller's transaction.
 * @returns false when the number called is no longer known (the contact's number changed and the carrier did not say which it called)
 */
export async function optOutCallee(
  deps: Deps,
  tx: pg.PoolClient,
  tenantId: string,
  attemptId: string,
  how: { callee?: string; note: string },
): Promise<boolean> {
  const { rows } = await tx.query<{ phone_hash: Buffer; phone_enc: string | null; contact_hash: Buffer | null }>(
    `select a.phone_hash, c.phone_enc, c.phone_hash as contact_hash from attempts a
       join chases ch on ch.tenant_id = a.tenant_id and ch.id = a.chase_id
       left join contacts c on c.tenant_id = ch.tenant_id and c.id = ch.contact_id
      where a.tenant_id = $1 and a.id = $2`,
    [tenantId, attemptId],
  );
  const r = rows[0];
  if (!r) return false;
  // The ledger keeps the number's ciphertext: the contact's, or the number the carrier says it called
  // (when the contact's number changed during the call), checked against the attempt's blind index.
  const { callee } = how;
  const phoneEnc =
    r.contact_hash?.equals(r.phone_hash) && r.phone_enc
      ? r.phone_enc
      : callee && deps.pii.phoneIndex(callee).equals(r.phone_hash)
        ? deps.pii.encrypt(callee)
        : null;
  if (!phoneEnc) return false;
  await recordOptOuts(deps, tenantId, [{ phoneHash: r.phone_hash, phoneEnc, channel: 'all', source: 'voice-intent', note: how.note }], tx);
  return true;
}

/**
 * The call ended while the person was being asked whether they want us to stop: they are
 * opted out (which ends this chase and the number's others), and the attempt says so.
 * @returns false when the number called is unknown: the attempt is then only `answered`
 */
export async function settleUnconfirmedOptOut(deps: Deps, tx: pg.PoolClient, tenantId: string, attemptId: string): Promise<boolean> {
  const done = await optOutCallee(deps, tx, tenantId, attemptId, { note: 'asked on a call whether to stop, and the call ended before the answer' });
  await tx.query(`update attempts set outcome = $3 where tenant_id = $1 and id = $2`, [tenantId, attemptId, done ? 'opted-out' : 'answered']);
  return done;
}
