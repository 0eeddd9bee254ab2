/**
 * Rows as CSV (RFC 4180), ReedBase's `CsvRow::to_csv()`: one record line per row, fields in the
 * given column order. Records end with CRLF (CSV_EOL), as the RFC says; toCsv returns a line
 * without it so callers choose.
 */
import { SdnwalError } from '../errors.js';

/** The record separator `sdnwal dump --format csv` writes (RFC 4180 §2.1). */
export const CSV_EOL = '\r\n';

/** A field needs quotes when it holds a comma, a quote, CR or LF (RFC 4180 §2.6). */
const NEEDS_QUOTES = /[",\r\n]/;

/** `text` as one CSV field: as it is, or quoted with inner quotes doubled. */
function field(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * One cell's text. null/absent → an empty field; "" → `""` (quoted, so a reader that tells them
 * apart — PostgreSQL's COPY CSV does — keeps null and "" distinct); numbers as JS prints them
 * except -0 → `-0` (String(-0) is "0", which would lose the sign); arrays and objects as their
 * JSON text. A value JSON cannot hold (NaN, Infinity, bigint, a cycle) is INVALID_RECORD.
 */
function cell(v: unknown, column: string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v === '' ? '""' : field(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw invalid(column, `${v} is not a finite number`);
    return Object.is(v, -0) ? '-0' : String(v);
  }
  if (typeof v === 'object') {
    let json: string | undefined;
    try {
      json = JSON.stringify(v);
    } catch (e) {
      throw invalid(column, (e as Error).message, e);
    }
    return json === undefined ? '' : field(json);
  }
  throw invalid(column, `a ${typeof v} has no CSV text`);
}

function invalid(column: string, why: string, cause?: unknown): SdnwalError {
  return new SdnwalError('INVALID_RECORD', `cannot write column "${column}" as CSV: ${why}`, { cause });
}

/**
 * One CSV record for `row`: the values of `columns` in that order, comma-separated, without the
 * line end. A column the row lacks is an empty field, like null.
 */
export function toCsv(row: Readonly<Record<string, unknown>>, columns: readonly string[]): string {
  let s = '';
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!;
    s += (i === 0 ? '' : ',') + cell(Object.prototype.hasOwnProperty.call(row, c) ? row[c] : undefined, c);
  }
  return s;
}

/** The header record: the column names, quoted where needed, without the line end. */
export function csvHeader(columns: readonly string[]): string {
  return columns.map((c) => (c === '' ? '""' : field(c))).join(',');
}
