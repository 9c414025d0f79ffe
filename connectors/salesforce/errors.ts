/**
 * Salesforce's errors as ours. jsforce hands back `{ errorCode, message }` from Salesforce's
 * JSON error array (or ERROR_HTTP_<status> when the body was not one), never the status, so
 * the table goes by code: REQUEST_LIMIT_EXCEEDED (403) and 429 are rate limits; a refused
 * session or a missing permission is not retryable; a server or network failure is;
 * anything else Salesforce refused is a bad request.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
 */
import { AppError } from '../../core/errors.ts';

const RATE_LIMITS = new Set(['REQUEST_LIMIT_EXCEEDED', 'ERROR_HTTP_429']);
const REFUSED = new Set([
  'INVALID_SESSION_ID',
  'INVALID_AUTH_HEADER',
  'INSUFFICIENT_ACCESS',
  'API_DISABLED_FOR_ORG',
  'API_CURRENTLY_DISABLED',
  'FUNCTIONALITY_NOT_ENABLED',
  'INVALID_OPERATION_WITH_EXPIRED_PASSWORD',
  'ERROR_HTTP_401',
  'ERROR_HTTP_403',
]);
const SERVER = new Set(['SERVER_UNAVAILABLE', 'UNKNOWN_EXCEPTION', 'REQUEST_RUNNING_TOO_LONG', 'QUERY_TIMEOUT']);

/** The error's Salesforce code; an ERROR_HTTP_ code whose text is Salesforce's JSON error array gives the code inside. */
export function errorCodeOf(err: unknown): string | undefined {
  const e = err as { errorCode?: unknown; message?: unknown };
  if (typeof e?.errorCode !== 'string') return undefined;
  if (/^ERROR_HTTP_\d+$/.test(e.errorCode) && typeof e.message === 'string' && e.message.startsWith('[')) {
    try {
      const inner = (JSON.parse(e.message) as Array<{ errorCode?: unknown }>)[0]?.errorCode;
      if (typeof inner === 'string') return inner;
    } catch {
      // not Salesforce's error array: keep the status code
    }
  }
  return e.errorCode;
}

export const sessionExpired = (err: unknown) => errorCodeOf(err) === 'INVALID_SESSION_ID';

export function upstream(err: unknown, what: string): AppError {
  if (err instanceof AppError) return err;
  const code = errorCodeOf(err);
  const details = code ? { errorCode: code } : {};
  if (!code) return new AppError('UPSTREAM', `${what}: no answer from Salesforce`, { cause: err, retryable: true });
  if (RATE_LIMITS.has(code)) return new AppError('RATE_LIMITED', `${what}: Salesforce's API request limit was reached (${code})`, { cause: err, details });
  if (REFUSED.has(code))
    return new AppError('UPSTREAM', `${what}: Salesforce refused the session or its permissions (${code})`, { cause: err, retryable: false, details });
  if (SERVER.has(code) || /^ERROR_HTTP_5\d\d$/.test(code))
    return new AppError('UPSTREAM', `${what}: Salesforce failed (${code})`, { cause: err, retryable: true, details });
  return new AppError('VALIDATION', `${what}: Salesforce refused the request (${code})`, { cause: err, retryable: false, details });
}
