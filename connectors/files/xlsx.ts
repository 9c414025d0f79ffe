/**
 * XLSX contact files → ImportSource, streaming the first worksheet with exceljs's
 * WorkbookReader so a large sheet is never loaded whole.
 */
import { Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { AppError } from '../../core/errors.ts';
import type { ImportRow, ImportSource } from '../../core/imports/rows.ts';
import { dataRows, locateHeader, mapHeaders, type SheetRecord } from './headers.ts';
import type { ByteInput } from './decode.ts';

type SheetRow = ExcelJS.Row;

// exceljs is a large module (~20 MB resident) and most imports are CSV: loaded on first use.
let exceljs: Promise<typeof ExcelJS> | undefined;
export const loadExcelJs = () => (exceljs ??= import('exceljs').then((m) => m.default));

/** A workbook has no text encoding of its own to report: imports record its format instead. */
const xlsx = () => 'xlsx';

/**
 * The upload, then a few zero bytes past the end of the zip, which the zip reader never reads.
 *
 * exceljs's streaming reader (4.4, unzipper 0.10) has a race (exceljs#3064): the zip parser
 * announces its end as soon as its input has been written and consumed, which can be before it
 * has handed over the archive's last entry — so that entry is lost (a workbook written by
 * exceljs itself stores xl/workbook.xml last, and the read fails with "reading 'sheets'"; a
 * file whose last entry is a worksheet would silently lose its rows). A trailing chunk the
 * parser never consumes keeps its input from finishing, so the only end it announces is the
 * real one, after the central directory. A truncated file still fails: the parser reads the
 * zeros as more of the file and runs out.
 */
async function* withTrailer(upload: AsyncIterable<Buffer | Uint8Array>): AsyncGenerator<Buffer | Uint8Array> {
  yield* upload;
  yield Buffer.alloc(64);
}

export async function readXlsx(input: ByteInput): Promise<ImportSource> {
  const excel = await loadExcelJs();
  // exceljs only accepts a real stream.Readable (it checks instanceof).
  const stream = Readable.from(withTrailer(input as AsyncIterable<Buffer | Uint8Array>), { objectMode: false });
  const workbook = new excel.stream.xlsx.WorkbookReader(stream, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // Hyperlinked cells keep their display text as the value, which is what we want.
    hyperlinks: 'ignore',
    // Needed to tell a date from a number: only the cell's number format says so.
    styles: 'cache',
    entries: 'ignore',
  });
  const sheets = workbook[Symbol.asyncIterator]();

  const first = await wrap(sheets.next()).catch((err: unknown) => {
    stream.destroy(); // not a workbook: don't read on
    throw err;
  });
  if (first.done) return { columns: {}, headers: [], rows: emptyRows(), encoding: xlsx };
  const sheetRows = first.value[Symbol.asyncIterator]();
  let previous = 0;
  const nextRecord = async (): Promise<SheetRecord | undefined> => {
    const next = await wrap(sheetRows.next());
    if (next.done) return undefined;
    // exceljs gives the real row number (empty rows are simply absent from the file);
    // files written by some tools omit the row's r="…" attribute: count on from the last.
    const row = Number.isFinite(next.value.number) ? next.value.number : previous + 1;
    previous = row;
    return { row, cells: rowCells(next.value) };
  };

  let found: Awaited<ReturnType<typeof locateHeader>>;
  try {
    found = await locateHeader(nextRecord);
  } catch (err) {
    stream.destroy(); // a broken workbook: don't try to read on
    throw err;
  }
  if (!found) {
    await finish(sheetRows, sheets);
    return { columns: {}, headers: [], rows: emptyRows(), encoding: xlsx };
  }
  const mapping = mapHeaders(found.header.cells);
  const { pending } = found;
  async function* rows(): AsyncGenerator<ImportRow> {
    let failed = false;
    try {
      yield* dataRows(mapping, pending, nextRecord);
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      if (failed) stream.destroy();
      else await finish(sheetRows, sheets);
    }
  }
  return { columns: mapping.columns, headers: mapping.headers, rows: rows(), encoding: xlsx };
}

async function* emptyRows(): AsyncGenerator<ImportRow> {}

/**
 * Reads past the remaining sheets without parsing them, so the upload stream is fully
 * consumed (a multipart parser waits for that) and exceljs removes its temp files.
 */
async function finish(sheetRows: AsyncGenerator<SheetRow>, sheets: AsyncGenerator<unknown>): Promise<void> {
  await sheetRows.return(undefined);
  for (let next = await wrap(sheets.next()); !next.done; next = await wrap(sheets.next())) {
    // not reading a later sheet lets exceljs drain it unparsed
  }
}

async function wrap<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('VALIDATION', 'The file could not be read as an XLSX workbook.', {
      field: 'file',
      cause: err,
    });
  }
}

/** Cell texts by column, index 0 = column A. */
function rowCells(row: SheetRow): string[] {
  const values = row.values as ExcelJS.CellValue[]; // sparse, index 1 = column A
  const cells: string[] = [];
  for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
  return cells;
}

/** The text a person sees in the cell, as near as the file lets us know it. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return dateText(value);
  if ('richText' in value) return value.richText.map((r) => r.text ?? '').join('');
  if ('hyperlink' in value) return cellText(value.text as ExcelJS.CellValue);
  if ('formula' in value || 'sharedFormula' in value) return cellText(value.result);
  // An error value (#N/A, #REF!…) carries no contact data.
  return '';
}

/**
 * Plain digits, never an exponent: phones are often stored as numbers, and
 * String(1e21) or String(1e-7) would turn them into "1e+21" / "1e-7".
 */
export function numberText(n: number): string {
  if (!Number.isFinite(n)) return '';
  const s = String(n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, lead, frac = '', expText] = m;
  const digits = (lead as string) + frac;
  const point = 1 + Number(expText); // position of the decimal point within `digits`
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * exceljs returns the cell's wall-clock date/time as if it were UTC, so the UTC fields
 * are what the sheet shows: '2024-03-05', or '2024-03-05T14:30:00' when there is a time.
 */
function dateText(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  const iso = d.toISOString();
  if (iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  return iso.endsWith('.000Z') ? iso.slice(0, 19) : iso.slice(0, 23);
}
