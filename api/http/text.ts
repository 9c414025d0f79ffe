/**
 * Every query string, on every route (REST, tRPC's `?input=`, webhooks, files), goes through
 * core/text.ts before anything reads it: `?tag=%00` is a 400 naming `tag`, not a database error.
 * Bodies and path parameters are checked where they are parsed (api/rest.ts, api/trpc.ts).
 */
import type { RequestHandler } from 'express';
import { assertAcceptedText } from '../../core/text.ts';

export const acceptedQuery: RequestHandler = (req, _res, next) => {
  assertAcceptedText(req.query, 'query');
  next();
};
