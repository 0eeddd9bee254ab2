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
  const pass = new SnapshotPass(file, meta, head.nextLine, onRows, onLines);
  const runs = new LineRuns(fd, head.end);
  for (let buf = runs.next(); buf; buf = runs.next()) pass.scan(buf);
  pass.end();
  const { rowsCrc, after } = pass.checkTrailer();
  const extra = [...extras(pass.beforeText, head.nextLine, true, file, meta), ...extras(after, pass.afterLine, false, file, meta)];
  return { meta: { ...meta, rowsCrc }, extra, columns: pass.columns };
}

/**
 * One pass over a snapshot's lines after its head: the text before the rows table, its header,
 * its rows (parsed in runs of lines as they come), the text after it — and what the checks at
 * the end need (the row count, the rows' crc, the line numbers).
 */
class SnapshotPass {
  private readonly prefix: string;
  private readonly olderPrefix: string | undefined;
  private phase: 'before' | 'rows' | 'after' = 'before';
  /** The 1-based number of the next line. */
  private line: number;
  beforeText = '';
  private afterText = '';
  afterLine = 0;
  private headerLine = '';
  private headerAt = 0;
  private rowCount = 0;
  private crc = 0;
  columns: string[] | undefined;

  constructor(
    private readonly file: string,
    private readonly meta: SnapshotMeta,
    firstLine: number,
    private readonly onRows: OnRows | undefined,
    private readonly onLines: OnLines | undefined,
  ) {
    [this.prefix, this.olderPrefix] = headerPrefixes(meta.section);
    this.line = firstLine;
  }

  /** One run of whole lines: row lines are gathered into a batch and parsed together, the other lines kept as text. */
  scan(buf: Buffer): void {
    let at = 0;
    let batchFrom = -1;
    let batchLine = 0;
    let batchLines = 0;
    const endBatch = (to: number): void => {
      if (batchFrom >= 0) this.parseRows(buf, batchFrom, to, batchLine, batchLines);
      batchFrom = -1;
      batchLines = 0;
    };
    while (at < buf.length) {
      let nl = buf.indexOf(10, at);
      const next = nl < 0 ? buf.length : nl + 1;
      if (nl < 0) nl = buf.length;
      if (this.phase === 'rows' && buf[at] === 32 && buf[at + 1] === 32 && buf[at + 2] === 32 && buf[at + 3] === 32) {
        if (batchFrom < 0) {
          batchFrom = at;
          batchLine = this.line;
        }
        batchLines++;
      } else {
        const text = buf.toString('utf8', at, next);
        if (this.phase === 'rows') {
          endBatch(at);
          this.phase = 'after';
          this.afterLine = this.line;
        }
        if (this.phase === 'before') {
          if (text.startsWith(this.prefix) || (this.olderPrefix !== undefined && text.startsWith(this.olderPrefix))) {
            this.phase = 'rows';
            this.headerLine = text.endsWith('\n') ? text : text + '\n';
            this.headerAt = this.line;
          } else this.beforeText += text;
        } else this.afterText += text;
      }
      at = next;
      this.line++;
    }
    endBatch(buf.length);
  }

  /** A batch of `lines` row lines, `buf[from..to)`: hashed, offered to onLines, else parsed under the header and checked. */
  private parseRows(buf: Buffer, from: number, to: number, firstLine: number, lines: number): void {
    const { onLines, onRows } = this;
    this.crc = zlib.crc32(buf.subarray(from, to), this.crc);
    if (onLines?.(buf, from, to, firstLine, this.headerLine)) {
      this.rowCount += lines;
      return;
    }
    const text = buf.toString('utf8', from, to);
    let rows: Row[];
    try {
      rows = parseText(this.headerLine + text, false).value[this.meta.section] as unknown as Row[];
    } catch (err) {
      if (err instanceof SdnParseError) throw firstBadRow(this.file, this.headerLine, text, firstLine, err);
      throw err;
    }
    if (!Array.isArray(rows) || rows.length !== lines) {
      throw new CorruptSnapshotError(this.file, firstLine, `${lines} row lines from here hold ${Array.isArray(rows) ? rows.length : 0} rows`);
    }
    if (rows.length > 0) this.columns ??= Object.keys(rows[0]!);
    markAbsent(rows, text, this.columns ?? []);
    this.rowCount += rows.length;
    onRows?.(rows, firstLine);
  }

  /** After the last line: there was a rows table; its columns from the header when it has no rows. */
  end(): void {
    if (this.phase === 'before') throw new CorruptSnapshotError(this.file, this.line, `no rows table: expected a line starting \`${this.prefix}\``);
    if (this.headerAt > 0 && this.columns === undefined) this.columns = headerColumns(this.headerLine);
    if (this.phase === 'rows') this.afterLine = this.line;
  }

  /**
   * The last lines: the rows-crc line, which the row count and the rows' crc must match, and the
   * meta-crc line before it, if any. Returns the rows-crc and the text after the rows without them.
   */
  checkTrailer(): { rowsCrc: string; after: string } {
    const { file, line, meta } = this;
    const m = CRC_LINE_RE.exec(this.afterText);
    if (!m) throw new CorruptSnapshotError(file, line, `no \`${ROWS_CRC_PREFIX.trim()}\` line at the end (the file was cut short or edited)`);
    const rowsCrc = m[1]!;
    if (this.rowCount !== meta.rowCount) throw new CorruptSnapshotError(file, line, `meta.row_count is ${meta.rowCount} but the file holds ${this.rowCount} rows`);
    const actual = (this.crc >>> 0).toString(16).padStart(8, '0');
    if (actual !== rowsCrc) throw new CorruptSnapshotError(file, line - 1, `rows-crc is ${rowsCrc} but the rows hash to ${actual}`);
    let after = this.afterText.slice(0, m.index + (m[0].startsWith('\n') ? 1 : 0));
    const mc = META_CRC_LINE_RE.exec(after);
    if (mc) {
      if (mc[1] !== metaCrc(meta)) throw new CorruptSnapshotError(file, line - 2, `the meta block does not match its meta-crc ${mc[1]} (edited by hand? row_count and the other meta values are checked)`);
      after = after.slice(0, mc.index + (mc[0].startsWith('\n') ? 1 : 0));
    }
    return { rowsCrc, after };
  }
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
