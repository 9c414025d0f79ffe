/**
 * Trying a connector's credentials against its vendor, once, when they are saved: one cheap
 * authenticated read, bounded in time, whose failure becomes the vendor's reason in words
 * (never the credentials themselves). Each connector says which read in its own check.ts.
 */
import type { CredentialCheck } from '../core/integrations/connectors.ts';

/** How long saving waits for the vendor's answer before saying there was none. */
export const CHECK_TIMEOUT_MS = 10_000;

/**
 * Runs `attempt`; `{ ok: true }` when it resolves, else `{ ok: false }` with the reason it
 * threw (the connector's own error mapping already names the vendor and what it answered).
 */
export async function tryCredentials(vendor: string, attempt: (timeoutMs: number) => Promise<unknown>, timeoutMs = CHECK_TIMEOUT_MS): Promise<CredentialCheck> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from ${vendor} within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    await Promise.race([attempt(timeoutMs), late]);
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: reasonOf(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** The error's message without the "what we were doing: " prefix our error mappers add. */
function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^checking the credentials: /, '');
}
