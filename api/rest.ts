/** REST wiring: each procedure becomes one express route under /v1. */
import express, { type Request } from 'express';
import type { Deps } from '../core/deps.ts';
import { requireKey } from './http/auth.ts';
import { invoke, requireRole, type Ctx, type Procedure } from './procedure.ts';
import { AppError } from '../core/errors.ts';
import { assertAcceptedText } from '../core/common/text.ts';

export function restInput(p: Procedure, req: Request): Record<string, unknown> {
  const params = req.params as Record<string, string>;
  if (p.method === 'get' || p.method === 'delete') return { ...req.query, ...params };
  if (req.body === undefined) return { ...params };
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
    throw new AppError('VALIDATION', 'the request body must be a JSON object', { field: 'body' });
  }
  return { ...req.body, ...params };
}

export function restRouter(deps: Deps, procedures: Procedure[]): express.Router {
  const router = express.Router();
  const auth = requireKey(deps);
  for (const p of procedures) {
    router[p.method](p.path, auth, async (req, res) => {
      requireRole(req.actor!, p.role); // before parsing: a wrong role is 403 whatever the body
      const raw = restInput(p, req);
      assertAcceptedText(raw); // body, query and path alike, named as zod would name them
      const input = await p.input.parseAsync(raw);
      const ctx: Ctx = { deps, actor: req.actor!, requestId: String(req.id), log: req.log, idempotencyKey: req.get('idempotency-key') };
      const out = await invoke(p, ctx, input);
      if (out.replayed) res.set('Idempotent-Replayed', 'true');
      if (out.file) res.status(out.status).type(out.file.type).attachment(out.file.name).send(out.file.text);
      else res.status(out.status).json(out.body);
    });
  }
  return router;
}
