/**
 * Receiving an uploaded file as a stream: the multipart field `file`, or the whole body
 * for CSV/XLSX content types. Past the size limit the stream fails with 413.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Request } from 'express';
import { AppError } from '../../core/errors.ts';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const FILE_TYPES = [
  'text/csv',
  'application/csv',
  'text/plain',
  'text/tab-separated-values',
  XLSX_TYPE,
  'application/vnd.ms-excel',
  'application/octet-stream',
];
// Room for the multipart envelope (boundaries, part headers) around a file at the limit.
const MULTIPART_SLACK = 64 * 1024;

export interface Upload {
  stream: Readable;
  filename?: string;
  contentType?: string;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1048576) return `${+(bytes / 1048576).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

const tooLarge = (maxBytes: number) => new AppError('PAYLOAD_TOO_LARGE', `the file is larger than the ${formatBytes(maxBytes)} limit`, { field: 'file' });

/** A PassThrough whose failure is seen by whoever reads it, never as an unhandled 'error' event. */
function readerOwnedStream(): PassThrough {
  const out = new PassThrough();
  out.on('error', () => undefined);
  return out;
}

/** Counts bytes through, failing with 413 past the limit. */
function limited(source: Readable, maxBytes: number): Readable {
  let seen = 0;
  const out = readerOwnedStream();
  source.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > maxBytes && !out.destroyed) {
      source.unpipe(out);
      source.resume();
      out.destroy(tooLarge(maxBytes));
    }
  });
  source.on('error', (err) => out.destroy(err));
  return source.pipe(out);
}

export function receiveUpload(req: Request, maxBytes: number): Promise<Upload> {
  const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const length = Number(req.get('content-length') ?? 0);
  const multipart = type === 'multipart/form-data';
  if (length > maxBytes + (multipart ? MULTIPART_SLACK : 0)) throw tooLarge(maxBytes);
  if (FILE_TYPES.includes(type)) return Promise.resolve({ stream: limited(req, maxBytes), contentType: type });
  if (!multipart) {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      `send the file as multipart/form-data (field "file"), text/csv or ${XLSX_TYPE}; got "${type || 'no content type'}"`,
      { field: 'Content-Type' },
    );
  }
  return new Promise((resolve, reject) => {
    const malformed = (err: unknown) => new AppError('VALIDATION', `malformed multipart body: ${(err as Error).message}`, { field: 'body' });
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: maxBytes } });
    } catch (err) {
      reject(malformed(err));
      return;
    }
    let found: PassThrough | undefined;
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || found) {
        stream.resume();
        return;
      }
      const out = (found = readerOwnedStream());
      stream.on('limit', () => out.destroy(tooLarge(maxBytes)));
      // pipe() does not pass errors on: a form cut off mid-file would leave the reader waiting forever.
      stream.on('error', (err) => out.destroy(malformed(err)));
      stream.pipe(out);
      resolve({ stream: out, filename: info.filename, contentType: info.mimeType });
    });
    parser.on('error', (err) => {
      if (found) found.destroy(malformed(err));
      else reject(malformed(err));
    });
    parser.on('close', () => {
      if (!found) reject(new AppError('VALIDATION', 'the multipart body has no field named "file"', { field: 'file' }));
    });
    req.pipe(parser);
  });
}

export interface Spooled extends Upload {
  sha256: string;
  remove(): Promise<void>;
}

/**
 * Writes the upload to a temporary file while hashing it, so a retried request can be
 * compared with the first by content before anything is imported.
 */
export async function spool(upload: Upload): Promise<Spooled> {
  const file = path.join(os.tmpdir(), `chaseline-upload-${randomUUID()}`);
  const hash = createHash('sha256');
  const remove = () => rm(file, { force: true });
  try {
    await pipeline(
      upload.stream,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          yield chunk;
        }
      },
      createWriteStream(file, { mode: 0o600 }),
    );
  } catch (err) {
    await remove();
    throw err;
  }
  return { ...upload, stream: createReadStream(file), sha256: hash.digest('hex'), remove };
}
