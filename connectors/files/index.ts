/**
 * Entry point for uploaded contact files: picks the CSV or XLSX reader and hands back
 * the ImportSource the import use case consumes.
 */
import { Readable } from 'node:stream';
import { AppError } from '../../core/errors.ts';
import type { ImportSource } from '../../core/imports/rows.ts';
import { readCsv } from './csv.ts';
import type { ByteInput, DetectedEncoding } from './decode.ts';
import { loadExcelJs, readXlsx } from './xlsx.ts';

export { readCsv, detectDelimiter, type CsvDelimiter, type CsvOptions, type CsvSource } from './csv.ts';
export { readXlsx, loadExcelJs } from './xlsx.ts';
export { decodeStream, type ByteInput, type DecodeOptions, type DetectedEncoding } from './decode.ts';
export { mapHeaders, normaliseHeader, type HeaderField, type HeaderMapping } from './headers.ts';

export const xlsxContentType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface ContactFileOptions {
  filename?: string;
  contentType?: string;
  /** CSV only: called once with the detected text encoding. */
  onEncoding?: (encoding: DetectedEncoding) => void;
}

export type ContactFileFormat = 'csv' | 'xlsx';

export interface ContactFileSource extends ImportSource {
  format: ContactFileFormat;
}

const zipMagic = [0x50, 0x4b, 0x03, 0x04]; // 'PK\x03\x04': every .xlsx is a ZIP
// OLE2 compound file: a legacy .xls, or an .xlsx saved with a password (Excel encrypts
// those into an OLE container). Neither can be read here, so say so plainly.
const oleMagic = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

export async function readContactFile(input: ByteInput, options: ContactFileOptions = {}): Promise<ContactFileSource> {
  const { head, bytes } = await peek(input as AsyncIterable<Buffer | Uint8Array>, oleMagic.length);
  const format = chooseFormat(head, options);
  if (format === 'xlsx') {
    await loadExcelJs(); // before the bytes are wrapped in a stream
    return { ...(await readXlsx(Readable.from(bytes))), format };
  }
  return { ...(await readCsv(bytes, { onEncoding: options.onEncoding })), format };
}

/**
 * The bytes decide when they can: a ZIP is an XLSX whatever it is called, and a file
 * that is not a ZIP cannot be one, so a CSV renamed to .xlsx is still read as CSV. The
 * name and content type only matter for a file too short to sniff.
 */
export function chooseFormat(head: Uint8Array, options: Pick<ContactFileOptions, 'filename' | 'contentType'>): ContactFileFormat {
  if (startsWith(head, zipMagic)) return 'xlsx';
  if (startsWith(head, oleMagic)) {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'This looks like an old Excel .xls file or a password-protected workbook. Save it as .xlsx (without a password) or as CSV and upload it again.',
      { field: 'file' },
    );
  }
  if (head.length >= zipMagic.length) return 'csv';
  const named = options.filename?.toLowerCase().endsWith('.xlsx') ?? false;
  const typed = options.contentType?.split(';')[0]?.trim().toLowerCase() === xlsxContentType;
  return named || typed ? 'xlsx' : 'csv';
}

function startsWith(head: Uint8Array, magic: number[]): boolean {
  return head.length >= magic.length && magic.every((b, i) => head[i] === b);
}

/**
 * Reads the first `n` bytes (fewer if the input is shorter) and returns them together
 * with an iterable that replays them before the rest, so nothing is lost.
 */
async function peek(input: AsyncIterable<Buffer | Uint8Array>, n: number): Promise<{ head: Uint8Array; bytes: AsyncIterable<Buffer | Uint8Array> }> {
  const it = input[Symbol.asyncIterator]();
  const held: (Buffer | Uint8Array)[] = [];
  let length = 0;
  let done = false;
  while (length < n) {
    const next = await it.next();
    if (next.done) {
      done = true;
      break;
    }
    // A stream with setEncoding() yields strings; turn them back into bytes.
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    held.push(chunk);
    length += chunk.length;
  }
  const head = Buffer.concat(held).subarray(0, n);
  async function* replay(): AsyncGenerator<Buffer | Uint8Array> {
    yield* held;
    if (done) return;
    for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
  }
  return { head, bytes: replay() };
}
