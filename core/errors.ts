/**
 * One typed error for the whole product. Its closed `code` is mapped to an HTTP status
 * and a tRPC code in exactly one place (api/errors.map.ts).
 */
export const errorCodes = [
  'VALIDATION',
  'MALFORMED_JSON',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'IDEMPOTENCY_CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'UPSTREAM',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface AppErrorOptions {
  /** The offending input field, as a dotted path (`phone`, `tags.2`, `file`). */
  field?: string;
  retryable?: boolean;
  cause?: unknown;
  /** Extra machine-readable details surfaced to API clients (never PII). */
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.field = options.field;
    this.retryable = options.retryable ?? (code === 'RATE_LIMITED' || code === 'UPSTREAM');
    this.details = options.details;
  }
}

export const notFound = (what: string, field?: string) => new AppError('NOT_FOUND', `${what} not found`, { field });

export const validation = (message: string, field?: string) => new AppError('VALIDATION', message, { field });

export const forbidden = (message: string) => new AppError('FORBIDDEN', message);

/**
 * An error as a log line may carry it: our own message and code, never the vendor's cause,
 * whose text can hold a phone number ("The 'To' number +86… is not valid").
 */
export function loggable(err: unknown): { code?: string; message: string } {
  if (err instanceof AppError) return { code: err.code, message: err.message };
  return { message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
}
