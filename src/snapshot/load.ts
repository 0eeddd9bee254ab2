/** Loading a table's snapshot into rows keyed by the string form of their key, verified (CORRUPT_SNAPSHOT otherwise). */
import { SdnwalError } from '../errors.js';
import { io } from '../io.js';
import { adoptFile } from './adopt.js';
import { CorruptSnapshotError } from './corrupt.js';
import { type ExtraSection, openIfExists, readHead, type SnapshotMeta, tableNameLine } from './meta.js';
import { streamSnapshot } from './read.js';

type Row = Record<string, unknown>;

/**
 * Where the loader puts the rows, in file order, keyed by String(row[key]): a Map, or the
 * compactor's fold, which may take runs of row lines as they are (`lines`, see CompactFold).
 */
export interface RowTarget {
  readonly size: number;
  has(key: string): boolean;
  set(key: string, row: Row): void;
  /**
   * Offered each run of whole row lines of a verified-format snapshot (`header`: its table's
   * header line) before they are parsed: true means the target took them (the rows-crc is still
   * checked over them); it throws CorruptSnapshotError for a bad row, as the loader would.
   */
  lines?(buf: Buffer, from: number, to: number, firstLine: number, header: string, file: string): boolean;
}

export interface LoadedSnapshot<T extends RowTarget = Map<string, Row>> {
  meta: SnapshotMeta;
  /** Keyed by String(row[key]), in file order. */
  rows: T;
  /** Other top-level sections, in file order. */
  extra: ExtraSection[];
}

/**
 * Load and verify the snapshot at `file`; undefined if there is none. A file sdnwal wrote is read
 * streamed and must parse, name `opts.table`, and match its meta's row count and rows-crc; a file
 * without a meta block is adopted (absorbed segment 0) and needs `opts.key`. A row without a key,
 * or two rows with the same key, is CORRUPT_SNAPSHOT with the row's line.
 */
export function loadSnapshot(file: string, opts: { table: string; key?: string }): LoadedSnapshot | undefined;
/** The same, into the target `into` makes once the meta (and the key column) are known. */
export function loadSnapshot<T extends RowTarget>(file: string, opts: { table: string; key?: string }, into: (meta: SnapshotMeta, key: string) => T): LoadedSnapshot<T> | undefined;
export function loadSnapshot(file: string, opts: { table: string; key?: string }, into: (meta: SnapshotMeta, key: string) => RowTarget = () => new Map()): LoadedSnapshot<RowTarget> | undefined {
  const fd = openIfExists(file);
  if (fd === undefined) return undefined;
  try {
    const head = readHead(fd, file);
    if (!head) {
      const a = adoptFile(fd, file, opts.table, opts.key);
      const key = a.meta.key;
      if (key === undefined) {
        throw new SdnwalError('INVALID_OPTION', `${file} has no meta block and no columns: give the key column to adopt it as table ${opts.table} (store.table('${opts.table}', { key: 'id' }))`);
      }
      const rows = into(a.meta, key);
      a.rows.forEach((row, i) => addRow(rows, row, key, file, () => a.lineOfRow(i)));
      return { meta: a.meta, rows, extra: a.extra };
    }
    const { meta } = head;
    if (meta.table !== opts.table) {
      throw new CorruptSnapshotError(file, tableNameLine(head), `meta.table_name names table ${JSON.stringify(meta.table)}, not ${JSON.stringify(opts.table)}`);
    }
    if (opts.key !== undefined && meta.key !== undefined && meta.key !== opts.key) {
      throw new SdnwalError('SCHEMA_MISMATCH', `table ${opts.table} has key column ${JSON.stringify(meta.key)} (${file}), not ${JSON.stringify(opts.key)}`);
    }
    const key = meta.key ?? opts.key;
    if (key === undefined) throw new CorruptSnapshotError(file, 1, 'meta.key is missing and no key column was given');
    const rows = into({ ...meta, key }, key);
    const lines = rows.lines && ((buf: Buffer, from: number, to: number, firstLine: number, header: string) => rows.lines!(buf, from, to, firstLine, header, file));
    const s = streamSnapshot(
      fd, file, head,
      (chunk, firstLine) => {
        for (let i = 0; i < chunk.length; i++) addRow(rows, chunk[i]!, key, file, () => firstLine + i);
      },
      lines,
    );
    return { meta: { ...s.meta, key }, rows, extra: s.extra };
  } finally {
    io.closeSync(fd);
  }
}

function addRow(rows: RowTarget, row: Row, key: string, file: string, line: () => number): void {
  const ks = rowKey(row, key, file, line);
  checkNewKey(rows, ks, file, line);
  rows.set(ks, row);
}

/** The key a snapshot row is filed under: String of its key column, which must hold a value. */
export function rowKey(row: Row, key: string, file: string, line: () => number): string {
  const k = row[key];
  if (k === undefined || k === null || k === '') throw new CorruptSnapshotError(file, line(), `row has no value in key column ${JSON.stringify(key)}`);
  return String(k);
}

/** Two rows with one key are damage, never a silent replacement. */
export function checkNewKey(rows: RowTarget, ks: string, file: string, line: () => number): void {
  if (rows.has(ks)) throw new CorruptSnapshotError(file, line(), `a second row with key ${JSON.stringify(ks)}`);
}
