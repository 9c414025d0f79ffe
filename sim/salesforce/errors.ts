// Salesforce REST answers every failure as a JSON array of { message, errorCode[, fields] }.
// One error class carries the status and is turned into that body in one place (server.ts).
export class SfError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields?: string[],
  ) {
    super(message);
  }
  toJSON() {
    return [{ message: this.message, errorCode: this.errorCode, ...(this.fields ? { fields: this.fields } : {}) }];
  }
}

export const notFound = () => new SfError(404, 'NOT_FOUND', 'The requested resource does not exist');
export const invalidSession = () => new SfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
export const malformedQuery = (message: string) => new SfError(400, 'MALFORMED_QUERY', message);

/** A per-record failure inside a SaveResult; note `statusCode`, not `errorCode`, as Salesforce names it there. */
export interface SaveError {
  statusCode: string;
  message: string;
  fields: string[];
}
export class SaveFailure extends Error {
  constructor(readonly errors: SaveError[]) {
    super(errors.map((e) => `${e.statusCode}: ${e.message}`).join('; '));
  }
  /** The same failure as a REST error (single-record endpoints answer 400 with it). */
  toSfError(): SfError {
    const [first] = this.errors;
    return new SfError(400, first?.statusCode ?? 'UNKNOWN_EXCEPTION', first?.message ?? 'unknown', first?.fields);
  }
}
