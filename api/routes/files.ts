/**
 * The two routes that move files rather than JSON: POST /v1/imports (CSV/XLSX upload,
 * streamed) and GET /v1/exports/contacts (CSV download, streamed).
 */
import express from 'express';
import { z } from 'zod';
import type { Deps } from '../../core/deps.ts';
import { exportContacts } from '../../core/privacy/exports.ts';
import { fingerprint, withIdempotency } from '../../core/common/idempotency.ts';
import { importFile, importKinds } from '../../core/imports/imports.ts';
import { readContactFile } from '../../connectors/files/index.ts';
import { requireKey } from '../http/auth.ts';
import type { Metrics } from '../metrics.ts';
import { requireRole } from '../procedure.ts';
import { Channel, Region } from '../schemas.ts';
import { receiveUpload, spool, type Upload } from './upload.ts';

export const ImportQuery = z.object({
  kind: z.enum(importKinds).default('contacts').describe('contacts, or a do-not-call list'),
  defaultRegion: Region.optional().describe('Region for numbers without a country code; default the tenant’s'),
  channel: Channel.default('all').describe('For do-not-call lists: the channel the numbers opt out of'),
});

export function fileRoutes(deps: Deps, options: { maxUploadBytes: number; metrics: Metrics }): express.Router {
  const router = express.Router();
  const auth = requireKey(deps);

  router.post('/v1/imports', auth, async (req, res) => {
    const actor = req.actor!;
    requireRole(actor, 'operator');
    const query = ImportQuery.parse(req.query);
    const key = req.get('idempotency-key');
    let file: Upload = await receiveUpload(req, options.maxUploadBytes);
    // With an Idempotency-Key the file is spooled and hashed first: a retry must match by content.
    const spooled = key ? await spool(file) : undefined;
    if (spooled) file = spooled;
    const requestHash = fingerprint('imports.create', query, spooled?.sha256);
    const out = await withIdempotency(deps, actor.tenantId, key, requestHash, async () => {
      const source = await readContactFile(file.stream, { filename: file.filename, contentType: file.contentType });
      const result = await importFile(deps, actor, source, query);
      req.log.info({ importId: result.id, total: result.total, rejected: result.rejected.length }, 'import finished');
      const count = (outcome: string, n: number) => options.metrics.importRows.inc({ kind: result.kind, outcome }, n);
      count('created', result.created);
      count('updated', result.updated);
      count('rejected', result.rejected.length);
      return { status: 201, body: result };
    }).finally(() => spooled?.remove());
    if (out.replayed) res.set('Idempotent-Replayed', 'true');
    res.status(out.status).json(out.body);
  });

  router.get('/v1/exports/contacts', auth, async (req, res) => {
    const actor = req.actor!;
    requireRole(actor, 'admin');
    const day = new Date().toISOString().slice(0, 10);
    res.status(200).type('text/csv; charset=utf-8').attachment(`contacts-${day}.csv`);
    await exportContacts(deps, actor, (chunk) => (res.write(chunk) ? undefined : new Promise<void>((resolve) => res.once('drain', resolve))));
    res.end();
  });

  return router;
}
