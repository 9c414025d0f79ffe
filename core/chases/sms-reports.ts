/** SMS delivery reports on their attempts. */
import type { Deps } from '../deps.ts';
import type { MessageStatus } from '../ports.ts';

/**
 * Records an SMS delivery report on its attempt; a report never moves back from delivered or
 * undelivered, and one that the text is still on its way changes nothing. The carrier's error
 * code is kept: reports count some as invalid numbers.
 */
export async function applySmsReport(deps: Deps, { attemptId, status, errorCode }: Pick<MessageStatus, 'attemptId' | 'status' | 'errorCode'>): Promise<void> {
  if (status === 'queued') return;
  await deps.db.query(
    `update attempts set status = $2, error = coalesce($3, error) where id = $1 and channel = 'sms' and status not in ('delivered', 'undelivered')`,
    [attemptId, status, errorCode ? `carrier error ${errorCode}` : null],
  );
}
