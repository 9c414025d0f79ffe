/**
 * Every query string (REST, webhooks, files, links) goes through core/common/text.ts before anything
 * reads it: `?tag=%00` is a 400 naming `tag`, not a database error. Bodies and path parameters
 * are checked where they are parsed (api/rest.ts); /trpc checks its own input (api/trpc.ts) and
 * answers in tRPC's error shape, so it is left to it.
 */
import type { RequestHandler } from 'express';
import { assertAcceptedText } from '../../core/common/text.ts';

export const acceptedQuery: RequestHandler = (req, _res, next) => {
  if (!req.path.startsWith('/trpc/')) assertAcceptedText(req.query, 'query');
  next();
};
