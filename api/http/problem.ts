/** Errors as application/problem+json (RFC 9457) with a stable `code` and the offending field. */
import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, Request, Response } from 'express';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
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
  // Errors raised by express' body parsers carry a `type`.
  const type = (err as { type?: string }).type;
  if (type === 'entity.parse.failed') return new AppError('MALFORMED_JSON', 'the request body is not valid JSON', { field: 'body' });
  if (type === 'entity.too.large') return new AppError('PAYLOAD_TOO_LARGE', 'the request body is too large', { field: 'body' });
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new AppError('UNSUPPORTED_MEDIA_TYPE', 'unsupported body encoding or charset', { field: 'body' });
  }
  return new AppError('INTERNAL', 'internal error', { cause: err });
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
