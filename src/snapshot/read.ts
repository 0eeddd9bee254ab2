/**
 * Reading a snapshot sdnwal wrote, in one streamed pass (never the whole text at once): the extra
 * sections, the rows one chunk at a time (each chunk parsed by the SDN parser under the table's
 * header line), and the checks — every row line is one row, the row count and the rows-crc match
 * the meta. Used by the loader and by the writer's verification of a new snapshot.
 */
import zlib from 'node:zlib';
import { SdnParseError } from '../errors.js';
import { parseText } from '../sdn/parser.js';
import { formatKey, quote } from '../sdn/stringify.js';
import { absentCells } from './cells.js';
import { META_CRC_PREFIX, META_KEY, ROWS_CRC_PREFIX } from './constants.js';
import { CorruptSnapshotError } from './corrupt.js';
import { metaCrc } from './format.js';
import { LineRuns } from './lines.js';
import type { ExtraSection, Head, SnapshotMeta } from './meta.js';

export type Row = Record<string, unknown>;

/** Receives the rows of one chunk, in file order; `firstLine` is the 1-based line of `rows[0]`. */
export type OnRows = (rows: Row[], firstLine: number) => void;

export interface StreamedSnapshot {
  /** The meta, with `rowsCrc` from the file's last line. */
  meta: SnapshotMeta;
  extra: ExtraSection[];
  /** The columns of the rows table's header. */
  columns: string[] | undefined;
}

const CRC_LINE_RE = new RegExp(`(?:^|\\n)${ROWS_CRC_PREFIX}([0-9a-f]{8})\\n$`);
/** The meta-crc line just before the rows-crc line (snapshots written before it have none). */
const META_CRC_LINE_RE = new RegExp(`(?:^|\\n)${META_CRC_PREFIX}([0-9a-f]{8})\\n$`);

/**
 * Offered a run of `lines` whole row lines, `buf[from..to)`, before they are parsed; true: taken
 * as they are (still counted and hashed into the rows-crc), so they are not parsed.
 */
export type OnLines = (buf: Buffer, from: number, to: number, firstLine: number, header: string) => boolean;

/** Stream the rest of the file after `head` (read by readHead); throws CorruptSnapshotError on any mismatch. */
export function streamSnapshot(fd: number, file: string, head: Head, onRows?: OnRows, onLines?: OnLines): StreamedSnapshot {
  const { meta } = head;
  const [prefix, olderPrefix] = headerPrefixes(meta.section);
  const runs = new LineRuns(fd, head.end);
  let phase: 'before' | 'rows' | 'after' = 'before';
  let line = head.nextLine;
  let beforeText = '';
  let afterText = '';
  let afterLine = 0;
  let headerLine = '';
  let headerAt = 0;
  let rowCount = 0;
  let crc = 0;
  let columns: string[] | undefined;

  const parseRows = (buf: Buffer, from: number, to: number, firstLine: number, lines: number): void => {
    crc = zlib.crc32(buf.subarray(from, to), crc);
    if (onLines?.(buf, from, to, firstLine, headerLine)) {
      rowCount += lines;
      return;
    }
    const text = buf.toString('utf8', from, to);
    let rows: Row[];
    try {
      rows = parseText(headerLine + text, false).value[meta.section] as unknown as Row[];
    } catch (err) {
      if (err instanceof SdnParseError) throw firstBadRow(file, headerLine, text, firstLine, err);
      throw err;
    }
    if (!Array.isArray(rows) || rows.length !== lines) {
      throw new CorruptSnapshotError(file, firstLine, `${lines} row lines from here hold ${Array.isArray(rows) ? rows.length : 0} rows`);
    }
    if (rows.length > 0) columns ??= Object.keys(rows[0]!);
    markAbsent(rows, text, columns ?? []);
    rowCount += rows.length;
    onRows?.(rows, firstLine);
  };

  for (let buf = runs.next(); buf; buf = runs.next()) {
    let at = 0;
    let batchFrom = -1;
    let batchLine = 0;
    let batchLines = 0;
    const endBatch = (to: number): void => {
      if (batchFrom >= 0) parseRows(buf!, batchFrom, to, batchLine, batchLines);
      batchFrom = -1;
      batchLines = 0;
    };
    while (at < buf.length) {
      let nl = buf.indexOf(10, at);
      const next = nl < 0 ? buf.length : nl + 1;
      if (nl < 0) nl = buf.length;
      if (phase === 'rows' && buf[at] === 32 && buf[at + 1] === 32 && buf[at + 2] === 32 && buf[at + 3] === 32) {
        if (batchFrom < 0) {
          batchFrom = at;
          batchLine = line;
        }
        batchLines++;
      } else {
        const text = buf.toString('utf8', at, next);
        if (phase === 'rows') {
          endBatch(at);
          phase = 'after';
          afterLine = line;
        }
        if (phase === 'before') {
          if (text.startsWith(prefix) || (olderPrefix !== undefined && text.startsWith(olderPrefix))) {
            phase = 'rows';
            headerLine = text.endsWith('\n') ? text : text + '\n';
            headerAt = line;
          } else beforeText += text;
        } else afterText += text;
      }
      at = next;
      line++;
    }
    endBatch(buf.length);
  }

  if (phase === 'before') throw new CorruptSnapshotError(file, line, `no rows table: expected a line starting \`${prefix}\``);
  if (headerAt > 0 && columns === undefined) columns = headerColumns(headerLine);
  if (phase === 'rows') afterLine = line;
  const m = CRC_LINE_RE.exec(afterText);
  if (!m) throw new CorruptSnapshotError(file, line, `no \`${ROWS_CRC_PREFIX.trim()}\` line at the end (the file was cut short or edited)`);
  const rowsCrc = m[1]!;
  if (rowCount !== meta.rowCount) throw new CorruptSnapshotError(file, line, `meta.row_count is ${meta.rowCount} but the file holds ${rowCount} rows`);
  const actual = (crc >>> 0).toString(16).padStart(8, '0');
  if (actual !== rowsCrc) throw new CorruptSnapshotError(file, line - 1, `rows-crc is ${rowsCrc} but the rows hash to ${actual}`);
  let after = afterText.slice(0, m.index + (m[0].startsWith('\n') ? 1 : 0));
  const mc = META_CRC_LINE_RE.exec(after);
  if (mc) {
    if (mc[1] !== metaCrc(meta)) throw new CorruptSnapshotError(file, line - 2, `the meta block does not match its meta-crc ${mc[1]} (edited by hand? row_count and the other meta values are checked)`);
    after = after.slice(0, mc.index + (mc[0].startsWith('\n') ? 1 : 0));
  }
  const extra = [...extras(beforeText, head.nextLine, true, file, meta), ...extras(after, afterLine, false, file, meta)];
  return { meta: { ...meta, rowsCrc }, extra, columns };
}

/** Matches the names the writer printed bare before the portable name rule (src/sdn/names.ts). */
const OLDER_BARE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * How the rows table's header line starts: as the writer prints `section` now, and, when it differs,
 * as older snapshots printed it (`true` bare, `a-b` quoted), which still load.
 */
function headerPrefixes(section: string): [string, string | undefined] {
  const now = formatKey(section) + ' |';
  const older = (OLDER_BARE.test(section) ? section : quote(section)) + ' |';
  return [now, older === now ? undefined : older];
}

/**
 * The error for a chunk that does not parse, pinned to its first row line that does not parse on
 * its own (an unclosed `[` makes the parser complain a line later, with chunk-relative positions).
 */
function firstBadRow(file: string, headerLine: string, text: string, firstLine: number, chunkErr: SdnParseError): CorruptSnapshotError {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    try {
      parseText(headerLine + lines[i] + '\n', false).value;
    } catch (err) {
      if (err instanceof SdnParseError) return new CorruptSnapshotError(file, firstLine + i, `column ${err.column}: ${err.reason}`, { cause: err });
      throw err;
    }
  }
  return new CorruptSnapshotError(file, firstLine + chunkErr.line - 2, chunkErr.reason, { cause: chunkErr });
}

/** Remove the columns written as `nil` (absent) from the rows that read as null there. */
function markAbsent(rows: Row[], text: string, columns: string[]): void {
  let lines: string[] | undefined;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    let hasNull = false;
    for (const c of columns) {
      if (row[c] === null) {
        hasNull = true;
        break;
      }
    }
    if (!hasNull) continue;
    lines ??= text.split('\n');
    for (const k of absentCells(lines[i]!)) delete row[columns[k]!];
  }
}

/** The column names of a header line (an empty table has no row to take them from). */
export function headerColumns(headerLine: string): string[] | undefined {
  const e = parseText(headerLine, true).cst?.entries[0];
  return e && e.node.kind === 'table' ? (e.node.columns ?? undefined) : undefined;
}

/** The top-level entries of a stretch of text (starting at `firstLine`), each with its source text. */
function extras(text: string, firstLine: number, before: boolean, file: string, meta: SnapshotMeta): ExtraSection[] {
  if (text.trim() === '') return [];
  let cst;
  try {
    cst = parseText(text, true).cst!;
  } catch (err) {
    if (err instanceof SdnParseError) throw new CorruptSnapshotError(file, firstLine + err.line - 1, err.reason, { cause: err });
    throw err;
  }
  return cst.entries.map((e) => {
    if (e.key === META_KEY || e.key === meta.section) {
      const line = firstLine + text.slice(0, e.start).split('\n').length - 1;
      throw new CorruptSnapshotError(file, line, `a second top-level entry named ${JSON.stringify(e.key)}`);
    }
    return { name: e.key, value: e.value, before, text: text.slice(e.start, e.end) };
  });
}
