/**
 * The snapshot's meta block: its types, and reading it cheaply (only the first bytes of the
 * file, never the rows). A file without an sdnwal meta block is adopted (see adopt.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { SdnParseError } from '../errors.js';
import { io, openInStore } from '../io.js';
import { parseText } from '../sdn/parser.js';
import { adoptFile } from './adopt.js';
import {
  HEAD_CHUNK_BYTES, LEGACY_TABLE_KEY, MAX_META_BYTES, META_CRC_PREFIX, META_KEY, ROWS_CRC_PREFIX, SNAPSHOT_FORMAT, TABLE_NAME_KEY, TAIL_PROBE_BYTES,
} from './constants.js';
import { CorruptSnapshotError } from './corrupt.js';

/** What a table is: its key column, declared columns (null: free-form records) and conflict strategy. */
export interface TableDef {
  key: string;
  columns: string[] | null;
  conflict?: string | null;
}

export interface SnapshotMeta {
  format: 1;
  /** The table's name: `table_name` in the meta block (`table` in snapshots written before it). */
  table: string;
  /**
   * True when the meta named its table under the older key `table` (a keyword of Simple's SDN
   * parser, which drops it). formatMeta writes that key back, so the file's meta-crc still
   * matches; a new snapshot never keeps it (writeSnapshotAtomic drops it).
   */
  legacyTableKey?: boolean;
  /** 32 hex characters, also in every segment header; undefined for an adopted file. */
  tableId: string | undefined;
  /** The key column; for an adopted file read without a key hint, `id` if it has one, else its first column. */
  key: string | undefined;
  /** Declared columns; [] when the table takes free-form records. */
  columns: string[];
  /** The highest segment folded into this snapshot; readers apply only segments above it. */
  absorbedSegment: number;
  rowCount: number;
  writtenAt: string | undefined;
  /** 8 hex digits from the `# rows-crc:` line; undefined for an adopted file. */
  rowsCrc: string | undefined;
  /** Name of the named table holding the rows (the table's name unless adopted otherwise). */
  section: string;
  /** The table's conflict strategy, when it has one. */
  conflict?: string;
  /** True when the file had no meta block (an adopted SDN file). */
  adopted: boolean;
}

/** A top-level section other than meta and the rows, kept in order (adopted files, later `tombstones`). */
export interface ExtraSection {
  name: string;
  value: unknown;
  /** True when it comes before the rows table. */
  before: boolean;
  /** Its source text, written back verbatim (keeps an empty named table a table); else `value` is written. */
  text?: string;
}

/** The meta block of a file sdnwal wrote, and where the block ends. */
export interface Head {
  meta: SnapshotMeta;
  /** Byte offset just after the meta block. */
  end: number;
  /** 1-based number of the first line after the meta block. */
  nextLine: number;
  /** 1-based line of each key of the meta block, for error messages. */
  lines: Record<string, number>;
}

const TABLE_ID_RE = /^[0-9a-f]{32}$/;
const META_LINE_RE = /^meta[ \t]*:[ \t]*(#.*)?\r?$/;

/** The table a snapshot path belongs to: `db/todos.sdn`, `.sdn.prev` and `.sdn.tmp` are all `todos`. */
export function tableOfPath(file: string): string {
  return path.basename(file).replace(/\.sdn(\.prev|\.tmp)?$/, '');
}

/**
 * The meta of the snapshot at `file`, or undefined if there is no such file (nothing is created).
 * Cheap for a file sdnwal wrote (its first and last bytes); a file without a meta block is parsed
 * whole to find its rows (see adopt.ts; `hint.key` helps choose the table holding them).
 */
export function readSnapshotMeta(file: string, hint?: { key?: string }): SnapshotMeta | undefined {
  const fd = openIfExists(file);
  if (fd === undefined) return undefined;
  try {
    const head = readHead(fd, file);
    if (!head) return adoptFile(fd, file, tableOfPath(file), hint?.key).meta;
    return { ...head.meta, rowsCrc: readRowsCrc(fd) };
  } finally {
    io.closeSync(fd);
  }
}

export function openIfExists(file: string): number | undefined {
  try {
    return openInStore(file, fs.constants.O_RDONLY);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The crc from the file's last line, if it is a rows-crc line. */
export function readRowsCrc(fd: number): string | undefined {
  return readTailCrcs(fd).rowsCrc;
}

/** The crcs of the last two lines: `# meta-crc:` (if the writer wrote one) and `# rows-crc:`. */
export function readTailCrcs(fd: number): { rowsCrc?: string; metaCrc?: string } {
  const size = io.fstatSync(fd).size;
  const n = Math.min(size, TAIL_PROBE_BYTES);
  const buf = Buffer.alloc(n);
  io.readSync(fd, buf, 0, n, size - n);
  const text = buf.toString('latin1');
  const rows = new RegExp(`(?:^|\\n)${ROWS_CRC_PREFIX}([0-9a-f]{8})\\n?$`).exec(text);
  if (!rows) return {};
  const meta = new RegExp(`(?:^|\\n)${META_CRC_PREFIX}([0-9a-f]{8})\\n$`).exec(text.slice(0, rows.index + 1));
  return { rowsCrc: rows[1], metaCrc: meta?.[1] };
}

/**
 * Read the meta block at the top of the file: optional blank and comment lines, a `meta:` line,
 * then every indented, blank or comment line after it. Returns undefined when the file does not
 * start with an sdnwal meta block (a `meta:` of someone else's, without `format` and a table name,
 * counts as none). A damaged block is a CorruptSnapshotError with its line.
 */
export function readHead(fd: number, file: string): Head | undefined {
  for (let size = HEAD_CHUNK_BYTES; ; size *= 2) {
    const buf = Buffer.alloc(size);
    const n = io.readSync(fd, buf, 0, size, 0);
    const eof = n < size;
    const found = findMetaEnd(buf, n, eof);
    if (found === 'none') return undefined;
    if (found === 'more') {
      if (size >= MAX_META_BYTES) throw new CorruptSnapshotError(file, 1, `meta block longer than ${MAX_META_BYTES} bytes`);
      continue;
    }
    const text = buf.toString('utf8', 0, found);
    let doc: Record<string, unknown>;
    try {
      doc = parseText(text, false).value as Record<string, unknown>;
    } catch (err) {
      if (err instanceof SdnParseError) throw new CorruptSnapshotError(file, err.line, `meta block: ${err.reason}`, { cause: err });
      throw err;
    }
    const raw = doc[META_KEY];
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
    const m = raw as Record<string, unknown>;
    if (!('format' in m) && !(TABLE_NAME_KEY in m) && !(LEGACY_TABLE_KEY in m)) return undefined;
    const lines = keyLines(text);
    return { meta: toMeta(m, file, lines), end: found, nextLine: text.split('\n').length, lines };
  }
}

/** Byte offset where the meta block ends, 'none' if the file does not start with one, 'more' to read further. */
function findMetaEnd(buf: Buffer, n: number, eof: boolean): number | 'none' | 'more' {
  let inBlock = false;
  let at = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  while (at < n) {
    let nl = buf.indexOf(10, at);
    if (nl < 0 || nl >= n) {
      if (!eof) return 'more';
      nl = n;
    }
    const c = buf[at];
    const line = buf.toString('latin1', at, nl);
    const blank = line.trim() === '';
    const comment = line.trimStart().startsWith('#');
    if (!inBlock) {
      if (!blank && !comment) {
        if (!META_LINE_RE.test(line)) return 'none';
        inBlock = true;
      }
    } else if (!blank && !comment && c !== 32 && c !== 9) return at;
    at = nl + 1;
  }
  return inBlock ? n : 'none';
}

/** 1-based line of each indented `key:` / `key =` of the meta block text. */
function keyLines(text: string): Record<string, number> {
  const out: Record<string, number> = Object.create(null);
  text.split('\n').forEach((l, i) => {
    const m = /^[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*[:=]/.exec(l);
    if (m && !(m[1]! in out)) out[m[1]!] = i + 1;
  });
  return out;
}

function toMeta(m: Record<string, unknown>, file: string, lines: Record<string, number>): SnapshotMeta {
  const bad = (key: string, what: string): never => {
    throw new CorruptSnapshotError(file, lines[key] ?? 1, `meta.${key} ${what}`);
  };
  const str = (key: string, required: boolean): string | undefined => {
    const v = m[key];
    if (v === undefined || v === null) return required ? bad(key, 'is missing') : undefined;
    if (typeof v !== 'string' || v === '') return bad(key, `must be a non-empty string, got ${JSON.stringify(v)}`);
    return v;
  };
  const count = (key: string): number => {
    const v = m[key];
    if (v === undefined) return bad(key, 'is missing');
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return bad(key, `must be an integer >= 0, got ${JSON.stringify(v)}`);
    return v;
  };
  if (m.format !== SNAPSHOT_FORMAT) bad('format', `is ${JSON.stringify(m.format)}; this sdnwal reads format ${SNAPSHOT_FORMAT}`);
  const legacy = !(TABLE_NAME_KEY in m) && LEGACY_TABLE_KEY in m;
  const table = str(legacy ? LEGACY_TABLE_KEY : TABLE_NAME_KEY, true)!;
  const tableId = str('table_id', false);
  if (tableId !== undefined && !TABLE_ID_RE.test(tableId)) bad('table_id', `must be 32 lowercase hex characters, got ${JSON.stringify(tableId)}`);
  const columns = m.columns ?? [];
  if (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string' && c !== '')) bad('columns', 'must be a list of column names');
  const conflict = str('conflict', false);
  return {
    format: SNAPSHOT_FORMAT,
    table,
    tableId,
    key: str('key', false),
    columns: columns as string[],
    absorbedSegment: count('absorbed_segment'),
    rowCount: count('row_count'),
    writtenAt: str('written_at', false),
    rowsCrc: undefined,
    section: str('section', false) ?? table,
    ...(conflict !== undefined ? { conflict } : {}),
    ...(legacy ? { legacyTableKey: true } : {}),
    adopted: false,
  };
}

/** The 1-based line of the meta key that names the table, when the block has one. */
export function tableNameLine(head: Head): number | undefined {
  return head.lines[TABLE_NAME_KEY] ?? head.lines[LEGACY_TABLE_KEY];
}
