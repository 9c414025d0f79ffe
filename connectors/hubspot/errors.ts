/** HubSpot's errors as ours: what the official client throws (an ApiException with `code` and the parsed `body`) mapped once. */
import { AppError } from '../../core/errors.ts';

/** The parsed body of a HubSpot error (https://developers.hubspot.com/docs/api/error-handling). */
export interface HubspotErrorBody {
  message?: string;
  category?: string;
  policyName?: string;
  context?: Record<string, string[] | undefined>;
}

/** The HTTP status and body of what the client threw, when it is a HubSpot answer. */
export function hubspotAnswer(err: unknown): { status: number | undefined; body: HubspotErrorBody | undefined } {
  const e = err as { code?: unknown; body?: unknown };
  return { status: typeof e.code === 'number' ? e.code : undefined, body: e.body && typeof e.body === 'object' ? (e.body as HubspotErrorBody) : undefined };
}

/** 429 says which limit (policyName), so the caller can back off per limit; 5xx and no answer are retryable. */
export function upstream(err: unknown, what: string): AppError {
  const { status, body } = hubspotAnswer(err);
  const details = { ...(status === undefined ? {} : { httpStatus: status }), ...(body?.policyName ? { policyName: body.policyName } : {}) };
  if (status === 429) return new AppError('RATE_LIMITED', `${what}: HubSpot rate limit ${body?.policyName ?? ''}`.trim(), { cause: err, details });
  if (status === 401 || status === 403)
    return new AppError('UPSTREAM', `${what}: HubSpot refused the credentials (HTTP ${status})`, { cause: err, retryable: false, details });
  if (status && status >= 400 && status < 500)
    return new AppError('VALIDATION', `${what}: HubSpot answered HTTP ${status} ${body?.category ?? ''}`.trim(), { cause: err, retryable: false, details });
  return new AppError('UPSTREAM', `${what}: ${status ? `HTTP ${status}` : 'no answer from HubSpot'}`, { cause: err, retryable: true, details });
}

/** Runs one request of the client, its failure as an AppError. */
export async function request<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw upstream(err, what);
  }
}
