/**
 * The two routes that move files rather than JSON: POST /v1/imports (CSV/XLSX upload,
 * streamed) and GET /v1/exports/contacts (CSV download, streamed).
 */
import { PassThrough, type Readable } from 'node:stream';
import busboy from 'busboy';
import express, { type Request } from 'express';
import { z } from 'zod';
import type { Deps } from '../../core/deps.ts';
import { AppError } from '../../core/errors.ts';
import { exportContacts } from '../../core/exports.ts';
import { fingerprint, withIdempotency } from '../../core/idempotency.ts';
import { importFile, importKinds } from '../../core/imports.ts';
import { readContactFile } from '../../connectors/files/index.ts';
import { requireKey } from '../http/auth.ts';
import { requireRole } from '../procedure.ts';
import { Channel, Region } from '../schemas.ts';

export const ImportQuery = z.object({
  kind: z.enum(importKinds).default('contacts').describe('contacts, or a do-not-call list'),
  defaultRegion: Region.optional().describe('Region for numbers without a country code; default the tenant’s'),
  channel: Channel.default('all').describe('For do-not-call lists: the channel the numbers opt out of'),
});

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const FILE_TYPES = ['text/csv', 'application/csv', 'text/plain', 'text/tab-separated-values', XLSX_TYPE, 'application/vnd.ms-excel', 'application/octet-stream'];

interface Upload {
  stream: Readable;
  filename?: string;
  contentType?: string;
}

/** Counts bytes through, failing with 413 past the limit. */
function limited(source: Readable, maxBytes: number): Readable {
  let seen = 0;
  const out = new PassThrough();
  source.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > maxBytes) {
      source.unpipe(out);
      source.resume();
      out.destroy(new AppError('PAYLOAD_TOO_LARGE', `the file is larger than ${Math.round(maxBytes / 1048576)} MB`, { field: 'file' }));
    }
  });
  source.on('error', (err) => out.destroy(err));
  return source.pipe(out);
}

/** The uploaded file: the multipart field `file`, or the whole body for text/csv and xlsx bodies. */
function upload(req: Request, maxBytes: number): Promise<Upload> {
  const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const length = Number(req.get('content-length') ?? 0);
  if (length > maxBytes) {
    throw new AppError('PAYLOAD_TOO_LARGE', `the file is larger than ${Math.round(maxBytes / 1048576)} MB`, { field: 'file' });
  }
  if (FILE_TYPES.includes(type)) return Promise.resolve({ stream: limited(req, maxBytes), contentType: type });
  if (type !== 'multipart/form-data') {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `send the file as multipart/form-data (field "file"), text/csv or ${XLSX_TYPE}; got "${type || 'no content type'}"`, { field: 'Content-Type' });
  }
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: maxBytes } });
    } catch (err) {
      reject(new AppError('VALIDATION', `malformed multipart body: ${(err as Error).message}`, { field: 'body' }));
      return;
    }
    let found = false;
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || found) {
        stream.resume();
        return;
      }
      found = true;
      const out = new PassThrough();
      stream.on('limit', () =>
        out.destroy(new AppError('PAYLOAD_TOO_LARGE', `the file is larger than ${Math.round(maxBytes / 1048576)} MB`, { field: 'file' })),
      );
      stream.pipe(out);
      resolve({ stream: out, filename: info.filename, contentType: info.mimeType });
    });
    parser.on('error', (err) => reject(new AppError('VALIDATION', `malformed multipart body: ${(err as Error).message}`, { field: 'body' })));
    parser.on('close', () => {
      if (!found) reject(new AppError('VALIDATION', 'the multipart body has no field named "file"', { field: 'file' }));
    });
    req.pipe(parser);
  });
}

export function fileRoutes(deps: Deps, options: { maxUploadBytes: number }): express.Router {
  const router = express.Router();
  const auth = requireKey(deps);

  router.post('/v1/imports', auth, async (req, res) => {
    const actor = req.actor!;
    requireRole(actor, 'operator');
    const query = ImportQuery.parse(req.query);
    const requestHash = fingerprint('imports.create', query, req.get('content-type'), req.get('content-length'));
    const out = await withIdempotency(deps, actor.tenantId, req.get('idempotency-key'), requestHash, async () => {
      const file = await upload(req, options.maxUploadBytes);
      let encoding: string = 'xlsx';
      const source = await readContactFile(file.stream, {
        filename: file.filename,
        contentType: file.contentType,
        onEncoding: (detected) => (encoding = detected),
      });
      const result = await importFile(deps, actor, source, { ...query, encoding });
      req.log.info({ importId: result.id, total: result.total, rejected: result.rejected.length }, 'import finished');
      return { status: 201, body: result };
    });
    res.status(out.status).json(out.body);
  });

  router.get('/v1/exports/contacts', auth, async (req, res) => {
    const actor = req.actor!;
    requireRole(actor, 'admin');
    const day = new Date().toISOString().slice(0, 10);
    res.status(200).type('text/csv; charset=utf-8').attachment(`contacts-${day}.csv`);
    await exportContacts(deps, actor, (chunk) =>
      res.write(chunk) ? undefined : new Promise<void>((resolve) => res.once('drain', resolve)),
    );
    res.end();
  });

  return router;
}
