/** The one table from error codes to HTTP statuses and tRPC codes. */
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';
import type { ErrorCode } from '../../core/errors.ts';

export const errorTable: Record<ErrorCode, { status: number; title: string; trpc: TRPC_ERROR_CODE_KEY }> = {
  VALIDATION: { status: 400, title: 'Invalid request', trpc: 'BAD_REQUEST' },
  MALFORMED_JSON: { status: 400, title: 'Malformed JSON', trpc: 'PARSE_ERROR' },
  UNAUTHENTICATED: { status: 401, title: 'Missing or invalid API key', trpc: 'UNAUTHORIZED' },
  FORBIDDEN: { status: 403, title: 'Forbidden', trpc: 'FORBIDDEN' },
  NOT_FOUND: { status: 404, title: 'Not found', trpc: 'NOT_FOUND' },
  CONFLICT: { status: 409, title: 'Conflict', trpc: 'CONFLICT' },
  IDEMPOTENCY_CONFLICT: { status: 422, title: 'Idempotency-Key reused', trpc: 'UNPROCESSABLE_CONTENT' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large', trpc: 'PAYLOAD_TOO_LARGE' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type', trpc: 'UNSUPPORTED_MEDIA_TYPE' },
  RATE_LIMITED: { status: 429, title: 'Too many requests', trpc: 'TOO_MANY_REQUESTS' },
  UPSTREAM: { status: 502, title: 'Upstream service failed', trpc: 'BAD_GATEWAY' },
  INTERNAL: { status: 500, title: 'Internal error', trpc: 'INTERNAL_SERVER_ERROR' },
};
