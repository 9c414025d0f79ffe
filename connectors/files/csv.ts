/**
 * CSV contact files → ImportSource, streaming: rows are parsed as the consumer iterates,
 * so a 100k-row upload is never held in memory.
 */
import { AppError } from '../../core/errors.ts';
import type { ImportRow, ImportSource } from '../../core/imports/rows.ts';
import { tokenizeCsv, CsvSyntaxError } from './csv.tokenize.ts';
import { decodeStream, type ByteInput, type DetectedEncoding } from './decode.ts';
import { dataRows, locateHeader, mapHeaders, type SheetRecord } from './headers.ts';

export interface CsvOptions {
  /** Called once with the detected text encoding (see decode.ts). */
  onEncoding?: (encoding: DetectedEncoding) => void;
}

export type CsvDelimiter = ',' | ';' | '\t';

export interface CsvSource extends ImportSource {
  /** The delimiter chosen from the header line. */
  delimiter: CsvDelimiter;
}

// How much text we read at most while looking for the end of the header line.
const maxHeaderChars = 1_000_000;

export async function readCsv(input: ByteInput, options: CsvOptions = {}): Promise<CsvSource> {
  // Known once the decoder has seen enough bytes, which may be only at the end of the file.
  let detected: DetectedEncoding | null = null;
  const encoding = () => detected;
  const text = decodeStream(input as AsyncIterable<Buffer | Uint8Array | string>, {
    onEncoding: (e) => {
      detected = e;
      options.onEncoding?.(e);
    },
  })[Symbol.asyncIterator]();

  // Read just enough text to see the header line, then choose the delimiter from it.
  let prefix = '';
  let ended = false;
  while (!ended && !hasHeaderLine(prefix) && prefix.length < maxHeaderChars) {
    const next = await text.next();
    if (next.done) ended = true;
    else prefix += next.value;
  }
  const delimiter = detectDelimiter(firstNonBlankLine(prefix));

  async function* source(): AsyncGenerator<string> {
    try {
      if (prefix) yield prefix;
      if (ended) return;
      for (let next = await text.next(); !next.done; next = await text.next()) yield next.value;
    } finally {
      // Passes an early stop on to the input (a Node stream is destroyed by it).
      await text.return?.(undefined);
    }
  }
  const batches = tokenizeCsv(source(), { delimiter });
  let batch: string[][] = [];
  let index = 0;
  // One record is one spreadsheet row, however many physical lines its quoted cells
  // span; blank lines count too. So the row number is simply the record count.
  let row = 0;
  const nextRecord = async (): Promise<SheetRecord | undefined> => {
    while (index >= batch.length) {
      const next = await readable(batches.next());
      if (next.done) return undefined;
      batch = next.value;
      index = 0;
    }
    return { row: ++row, cells: batch[index++] as string[] };
  };

  const found = await locateHeader(nextRecord);
  if (!found) {
    await batches.return(undefined);
    return { columns: {}, headers: [], rows: emptyRows(), delimiter, encoding };
  }
  const mapping = mapHeaders(found.header.cells);
  const { pending } = found;
  async function* rows(): AsyncGenerator<ImportRow> {
    try {
      yield* dataRows(mapping, pending, nextRecord);
    } finally {
      // Stops reading the upload if the consumer breaks out early.
      await batches.return(undefined);
    }
  }
  return { columns: mapping.columns, headers: mapping.headers, rows: rows(), delimiter, encoding };
}

/** Turns a malformed-CSV error into the product's VALIDATION error, with the row. */
async function readable<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof CsvSyntaxError) {
      throw new AppError('VALIDATION', `The file is not valid CSV at row ${err.row}: ${err.message}`, {
        field: 'file',
        cause: err,
        details: { row: err.row },
      });
    }
    throw err;
  }
}

async function* emptyRows(): AsyncGenerator<ImportRow> {}

/** True once the text holds a line break after some non-blank content. */
function hasHeaderLine(text: string): boolean {
  const start = text.search(/[^\s]/);
  return start >= 0 && /[\r\n]/.test(text.slice(start));
}

function firstNonBlankLine(text: string): string {
  const start = text.search(/[^\s]/);
  if (start < 0) return '';
  const end = text.slice(start).search(/[\r\n]/);
  return end < 0 ? text.slice(start) : text.slice(start, start + end);
}

/**
 * The delimiter is whichever of comma, semicolon (European Excel) and tab (Excel
 * "Unicode text") occurs most in the header outside quotes; comma when none does.
 * The full-width '，' is never a delimiter: in Chinese headers it is part of the text.
 */
export function detectDelimiter(headerLine: string): CsvDelimiter {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === ',' || ch === ';' || ch === '\t')) counts[ch]++;
  }
  let best: CsvDelimiter = ',';
  for (const d of [';', '\t'] as const) if (counts[d] > counts[best]) best = d;
  return best;
}
