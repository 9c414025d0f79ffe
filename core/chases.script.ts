/** SMS delivery reports on their attempts. */
import type { Deps } from './deps.ts';

/** Records an SMS delivery report on its attempt; a report never moves back from delivered or undelivered. */
export async function applySmsReport(deps: Deps, attemptId: string, status: string): Promise<void> {
  await deps.db.query(
    `update attempts set status = $2 where id = $1 and channel = 'sms' and status not in ('delivered', 'undelivered')`,
    [attemptId, status],
  );
}
