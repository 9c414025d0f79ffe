/**
 * Reports as CSV for spreadsheets. A cell that starts with = + - @ (or a tab or carriage
 * return) would be run as a formula by Excel, LibreOffice or Sheets, so it is prefixed with
 * a single quote (OWASP "CSV injection"); a script or campaign name is user text.
 */
import { metrics } from './definitions.ts';
import type { Point, ReportRow } from './rollups.ts';

const FORMULA = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const line = (cells: unknown[]) => cells.map(csvCell).join(',');

/** One line per row; revenue as `amount currency` pairs separated by spaces ("12.50 EUR 3.00 USD"). */
export function summaryCsv(groupBy: string | undefined, rows: ReportRow[], thenBy?: string): string {
  const keys = (r: ReportRow) => (thenBy ? [r.key, r.subKey] : [r.key]);
  const head = line([groupBy ?? 'key', ...(thenBy ? [thenBy] : []), ...metrics, 'revenue']);
  const body = rows.map((r) => line([...keys(r), ...metrics.map((m) => r[m]), r.revenue.map((v) => `${v.amount.toFixed(2)} ${v.currency}`).join(' ')]));
  return [head, ...body].join('\r\n') + '\r\n';
}

export function timeseriesCsv(metric: string, points: Point[]): string {
  return [line(['at', metric]), ...points.map((p) => line([p.at, p.value]))].join('\r\n') + '\r\n';
}
