// HubSpot's error body — { status: 'error', message, correlationId, category, … } — with
// the HTTP status it travels with. The official client deserialises it into its `Error`
// model (keeping message, category, context, errors, links, subCategory, correlationId),
// so those are the fields that reach the product.
// https://developers.hubspot.com/docs/api/error-handling
import { randomUUID } from 'node:crypto';

export class HubspotApiError extends Error {
  constructor(
    readonly status: number,
    readonly category: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toJSON() {
    return { status: 'error', message: this.message, correlationId: randomUUID(), category: this.category, ...this.extra };
  }
}

export const validation = (message: string, extra: Record<string, unknown> = {}) => new HubspotApiError(400, 'VALIDATION_ERROR', message, extra);

export const notFound = (message = 'resource not found') => new HubspotApiError(404, 'OBJECT_NOT_FOUND', message);

/** What HubSpot answers a missing or wrong bearer token (private app / OAuth). */
export const unauthorized = () =>
  new HubspotApiError(
    401,
    'INVALID_AUTHENTICATION',
    'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
    {
      links: { 'api key': 'https://app.hubspot.com/l/api-key/', 'private-apps': 'https://app.hubspot.com/l/private-apps' },
    },
  );
