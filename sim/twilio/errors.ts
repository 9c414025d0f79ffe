// Twilio's REST error body: { code, message, more_info, status }. The SDK turns it into
// a RestException carrying the same code, which is what the product branches on.
// https://www.twilio.com/docs/api/errors

export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }

  toJSON() {
    return { code: this.code, message: this.message, more_info: `https://www.twilio.com/docs/errors/${this.code}`, status: this.status };
  }
}

export const notFound = (path: string) => new TwilioApiError(404, 20404, `The requested resource ${path} was not found`);

export const unauthenticated = () => new TwilioApiError(401, 20003, 'Authenticate');

export const badParam = (code: number, message: string) => new TwilioApiError(400, code, message);
