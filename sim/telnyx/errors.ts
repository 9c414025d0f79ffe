// Telnyx's error shape, `{ "errors": [{ code, title, detail, source? }] }` (the spec's
// `call-control_Errors`, `messaging_Errors`, `number-lookup_Errors`: one shape, three names).
// The codes are Telnyx's published ones (https://developers.telnyx.com/docs/overview/errors);
// the OpenAPI document names none, so they are stated here.

export class TelnyxApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly pointer?: string,
  ) {
    super(`${code} ${title}${detail ? `: ${detail}` : ''}`);
  }

  toJSON() {
    return {
      errors: [
        {
          code: this.code,
          title: this.title,
          ...(this.detail !== undefined ? { detail: this.detail } : {}),
          ...(this.pointer !== undefined ? { source: { pointer: this.pointer } } : {}),
          meta: { url: `https://developers.telnyx.com/docs/overview/errors/${this.code}` },
        },
      ],
    };
  }
}

export const unauthenticated = () =>
  new TelnyxApiError(401, '10009', 'Authentication failed', 'The required authentication headers were either invalid or not included in the request.');
export const notFound = (what: string) => new TelnyxApiError(404, '10005', 'Resource not found', `The requested resource or URL could not be found: ${what}.`);
/** A command on a call that is over: Call Control answers 422 with code 90018. */
export const callEnded = () => new TelnyxApiError(422, '90018', 'Call has already ended', "This call is no longer active and can't receive commands.");
/** A body that breaks the contract: 422 with the JSON pointer of the field, as Telnyx points at it. */
export const invalid = (field: string, detail: string) => new TelnyxApiError(422, '10015', 'Invalid value', detail, `/${field.replaceAll('.', '/')}`);
export const missing = (field: string) =>
  new TelnyxApiError(422, '10004', 'Missing required parameter', `The '${field}' parameter is required.`, `/${field.replaceAll('.', '/')}`);
export const invalidNumber = (field: string, value: string) =>
  new TelnyxApiError(422, '10016', 'Phone number must be in +E.164 format', `The '${field}' number ${value} is not a valid phone number.`, `/${field}`);
