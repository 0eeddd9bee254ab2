/**
 * The text of a snapshot (docs/snapshot-format.md): the meta block, extra sections, the rows as
 * a named table (one row per line, in column order), and the `# rows-crc:` line. Every value is
 * written by the SDN writer profile; a row lacking a column gets the bare word `nil` in that cell
 * and an explicit null is written `null`, so the loader can give back exactly the row it was given.
 */
import { INDENT, formatInline, formatTableHeader, quote, stringify } from '../sdn/stringify.js';
import zlib from 'node:zlib';
import {
  ABSENT_CELL, LEGACY_TABLE_KEY, META_CRC_PREFIX, META_KEY, ROW_INDENT, ROW_VALUE_LEVEL, ROWS_CRC_PREFIX, SNAPSHOT_FORMAT, TABLE_NAME_KEY,
} from './constants.js';
import type { ExtraSection, SnapshotMeta } from './meta.js';

/** The meta block, in a fixed key order; optional fields only when set. */
export function formatMeta(meta: SnapshotMeta): string {
  const m: Record<string, unknown> = { format: SNAPSHOT_FORMAT, [meta.legacyTableKey ? LEGACY_TABLE_KEY : TABLE_NAME_KEY]: meta.table };
  if (meta.tableId !== undefined) m.table_id = meta.tableId;
  if (meta.key !== undefined) m.key = meta.key;
  m.columns = meta.columns;
  m.absorbed_segment = meta.absorbedSegment;
  m.row_count = meta.rowCount;
  if (meta.writtenAt !== undefined) m.written_at = meta.writtenAt;
  if (meta.section !== meta.table) m.section = meta.section;
  if (meta.conflict !== undefined) m.conflict = meta.conflict;
  const text = stringify({ [META_KEY]: m });
  // The writer now quotes the keyword `table`; an older snapshot's meta-crc covers it bare.
  return meta.legacyTableKey ? text.replace(LEGACY_TABLE_LINE, `$1${LEGACY_TABLE_KEY}:`) : text;
}

/** The line formatMeta writes for the older key: the first line after `meta:`. */
const LEGACY_TABLE_LINE = new RegExp(`^(${META_KEY}:\\n${INDENT}[^\\n]*\\n${INDENT})"${LEGACY_TABLE_KEY}":`);

/** An extra section: its source text when it has one (so its shape is kept), else its value. */
export function formatExtra(x: ExtraSection): string {
  if (x.text !== undefined) return x.text.endsWith('\n') ? x.text : x.text + '\n';
  return stringify({ [x.name]: x.value });
}

export function formatRowsHeader(section: string, columns: readonly string[]): string {
  return formatTableHeader(section, columns) + '\n';
}

/**
 * One row line (with its LF): each column's value, `nil` where the row has no such column. A value
 * nested deeper than the parser reads back at ROW_VALUE_LEVEL is an SdnStringifyError.
 */
export function formatRow(row: Record<string, unknown>, columns: readonly string[]): string {
  let s = ROW_INDENT;
  for (let i = 0; i < columns.length; i++) {
    if (i > 0) s += ', ';
    const c = columns[i]!;
    const v = Object.prototype.hasOwnProperty.call(row, c) ? row[c] : undefined;
    if (v === undefined) s += ABSENT_CELL;
    else if (typeof v === 'string') s += quote(v);
    else s += formatInline(v, undefined, ROW_VALUE_LEVEL);
  }
  return s + '\n';
}

/** crc32 (8 hex digits) of the meta block formatMeta writes for `meta`: what `# meta-crc:` holds. */
export function metaCrc(meta: SnapshotMeta): string {
  return hex8(zlib.crc32(Buffer.from(formatMeta(meta), 'utf8')));
}

export function formatMetaCrc(meta: SnapshotMeta): string {
  return META_CRC_PREFIX + metaCrc(meta) + '\n';
}

function hex8(crc: number): string {
  return (crc >>> 0).toString(16).padStart(8, '0');
}

export function formatRowsCrc(crc: number): string {
  return ROWS_CRC_PREFIX + (crc >>> 0).toString(16).padStart(8, '0') + '\n';
}

/**
 * The columns of the rows table: the declared ones (or the key alone when none are declared),
 * then any other column a row has, in first-seen order, so no value is ever dropped.
 */
export function rowColumns(declared: readonly string[], key: string | undefined, rows: Iterable<Record<string, unknown>>): string[] {
  const cols = declared.length > 0 ? [...declared] : key !== undefined ? [key] : [];
  const seen = new Set(cols);
  for (const row of rows) {
    for (const k in row) {
      if (!seen.has(k) && Object.prototype.hasOwnProperty.call(row, k) && row[k] !== undefined) {
        seen.add(k);
        cols.push(k);
      }
    }
  }
  return cols;
}
