/** Errors as application/problem+json (RFC 9457) with a stable `code` and the offending field. */
import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, Request, Response } from 'express';
import { z } from 'zod';
import { AppError, type ErrorCode } from '../../core/errors.ts';
import { errorTable } from './errors.map.ts';

export interface ProblemBody extends Record<string, unknown> {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  field?: string;
  errors?: { field: string; message: string }[];
  instance?: string;
  requestId?: string;
  errorId?: string;
}

const fieldOf = (path: PropertyKey[]) => path.map(String).join('.');

/** Turns anything thrown into a typed AppError (unknown errors become INTERNAL). */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof z.ZodError) {
    const first = err.issues[0];
    const field = first ? fieldOf(first.path) : undefined;
    return new AppError('VALIDATION', first ? `${field || 'body'}: ${first.message}` : 'invalid input', {
      field: field || undefined,
      details: { errors: err.issues.map((i) => ({ field: fieldOf(i.path), message: i.message })) },
    });
  }
  return httpError(err) ?? new AppError('INTERNAL', 'internal error', { cause: err });
}

/** The first of our codes an HTTP status stands for (400 → VALIDATION, 413 → PAYLOAD_TOO_LARGE…). */
const codeByStatus = new Map<number, ErrorCode>();
for (const [code, { status }] of Object.entries(errorTable) as [ErrorCode, { status: number }][]) {
  if (!codeByStatus.has(status)) codeByStatus.set(status, code);
}

// Where a body parser's error points, by its `type` (body-parser, raw-body); anything else is the body.
const fieldByType: Record<string, string> = { 'encoding.unsupported': 'Content-Encoding', 'charset.unsupported': 'Content-Type' };

/**
 * Errors raised by express and its body parsers carry their own 4xx status: a body that is
 * not the gzip it claims is 400, an unknown encoding or charset 415, a body over the limit
 * 413, an aborted upload 400, a path that is not valid percent-encoding 400. Mapped by that
 * status, not by a list of cases, so a 4xx of theirs never becomes our 500. Their 5xx stay
 * ours (INTERNAL).
 */
function httpError(err: unknown): AppError | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { status?: unknown; statusCode?: unknown; type?: unknown; expose?: unknown; message?: unknown };
  const status = typeof e.status === 'number' ? e.status : e.statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return null;
  // The router's own: a path parameter that does not decode (it sets status 400 on the URIError).
  if (err instanceof URIError) return new AppError('VALIDATION', 'the URL path is not valid percent-encoded UTF-8', { field: 'path' });
  // http-errors marks what it made with `expose`; a vendor SDK's error with a status is not the client's fault.
  if (typeof e.expose !== 'boolean') return null;
  const type = typeof e.type === 'string' ? e.type : '';
  const field = fieldByType[type] ?? 'body';
  // A JSON parser's message quotes the body, which may hold PII: say it in our words instead.
  if (type === 'entity.parse.failed') return new AppError('MALFORMED_JSON', 'the request body is not valid JSON', { field });
  const code = codeByStatus.get(status) ?? 'VALIDATION';
  const said = e.expose && typeof e.message === 'string' && e.message ? e.message : `HTTP ${status}`;
  return new AppError(code, `the request could not be read: ${said}`, { field });
}

export function problemOf(err: AppError, req: Request): ProblemBody {
  const entry = errorTable[err.code];
  const body: ProblemBody = {
    type: `https://chaseline.dev/problems/${err.code.toLowerCase().replaceAll('_', '-')}`,
    title: entry.title,
    status: entry.status,
    detail: err.message,
    code: err.code,
    instance: req.originalUrl.split('?')[0],
    requestId: String(req.id ?? ''),
  };
  if (err.field) body.field = err.field;
  // Details are extension members (RFC 9457 §3.2); the standard members always win.
  return { ...err.details, ...body };
}

export function sendProblem(res: Response, body: ProblemBody) {
  res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const appError = toAppError(err);
  const body = problemOf(appError, req);
  if (appError.code === 'INTERNAL') {
    body.errorId = randomUUID();
    req.log.error({ err, errorId: body.errorId }, 'request failed');
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendProblem(res, body);
};
