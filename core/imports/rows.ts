/**
 * The shape a file reader (connectors/files) hands to the import use case. Values are
 * the raw cell text; validation and normalisation happen in core.
 */
export const contactFields = ['name', 'phone', 'email', 'tags', 'timeZone', 'country', 'externalId'] as const;
export type ContactField = (typeof contactFields)[number];

export interface ImportRow {
  /** The row number a spreadsheet shows for this record: the header is row 1. */
  row: number;
  /** Cells of recognised columns, keyed by canonical field; absent or blank cells are omitted. */
  fields: Partial<Record<ContactField, string>>;
  /** Cells of unrecognised columns, keyed by the header exactly as the file names it. */
  attributes: Record<string, string>;
}

export interface ImportSource {
  /** For each canonical field found, the header as the file names it (for error reports). */
  columns: Partial<Record<ContactField, string>>;
  /** Every header of the file, in file order. */
  headers: string[];
  rows: AsyncIterable<ImportRow>;
  /**
   * How the file was encoded, as far as the reader knows yet (a CSV's encoding may only be
   * settled once enough of it was read): `utf-8`, `utf-8-bom`, `gb18030`, `utf-16le`,
   * `utf-16be`, or `xlsx` for a workbook; null while unknown.
   */
  encoding?: () => string | null;
}
