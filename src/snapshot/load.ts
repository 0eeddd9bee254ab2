/** Loading a table's snapshot into rows keyed by the string form of their key, verified (CORRUPT_SNAPSHOT otherwise). */
import { SdnwalError } from '../errors.js';
import { io } from '../io.js';
import { adoptFile } from './adopt.js';
import { CorruptSnapshotError } from './corrupt.js';
import { type ExtraSection, type Head, openIfExists, readHead, type SnapshotMeta } from './meta.js';
import { streamSnapshot } from './read.js';

export interface LoadedSnapshot {
  meta: SnapshotMeta;
  /** Keyed by String(row[key]), in file order. */
  rows: Map<string, Record<string, unknown>>;
  /** Other top-level sections, in file order. */
  extra: ExtraSection[];
}

/**
 * Load and verify the snapshot at `file`; undefined if there is none. A file sdnwal wrote is read
 * streamed and must parse, name `opts.table`, and match its meta's row count and rows-crc; a file
 * without a meta block is adopted (absorbed segment 0) and needs `opts.key`. A row without a key,
 * or two rows with the same key, is CORRUPT_SNAPSHOT with the row's line.
 */
export function loadSnapshot(file: string, opts: { table: string; key?: string }): LoadedSnapshot | undefined {
  const fd = openIfExists(file);
  if (fd === undefined) return undefined;
  try {
    const rows = new Map<string, Record<string, unknown>>();
    const head = readHead(fd, file);
    if (!head) {
      const a = adoptFile(fd, file, opts.table, opts.key);
      const key = a.meta.key;
      if (key === undefined) {
        throw new SdnwalError('INVALID_OPTION', `${file} has no meta block and no columns: give the key column to adopt it as table ${opts.table} (store.table('${opts.table}', { key: 'id' }))`);
      }
      a.rows.forEach((row, i) => addRow(rows, row, key, file, () => a.lineOfRow(i)));
      return { meta: a.meta, rows, extra: a.extra };
    }
    const { meta } = head;
    if (meta.table !== opts.table) {
      throw new CorruptSnapshotError(file, lineOfMetaKey(head, 'table'), `meta.table names table ${JSON.stringify(meta.table)}, not ${JSON.stringify(opts.table)}`);
    }
    if (opts.key !== undefined && meta.key !== undefined && meta.key !== opts.key) {
      throw new SdnwalError('SCHEMA_MISMATCH', `table ${opts.table} has key column ${JSON.stringify(meta.key)} (${file}), not ${JSON.stringify(opts.key)}`);
    }
    const key = meta.key ?? opts.key;
    if (key === undefined) throw new CorruptSnapshotError(file, 1, 'meta.key is missing and no key column was given');
    const s = streamSnapshot(fd, file, head, (chunk, firstLine) => {
      for (let i = 0; i < chunk.length; i++) addRow(rows, chunk[i]!, key, file, () => firstLine + i);
    });
    return { meta: { ...s.meta, key }, rows, extra: s.extra };
  } finally {
    io.closeSync(fd);
  }
}

function addRow(rows: Map<string, Record<string, unknown>>, row: Record<string, unknown>, key: string, file: string, line: () => number): void {
  const k = row[key];
  if (k === undefined || k === null || k === '') throw new CorruptSnapshotError(file, line(), `row has no value in key column ${JSON.stringify(key)}`);
  const ks = String(k);
  if (rows.has(ks)) throw new CorruptSnapshotError(file, line(), `a second row with key ${JSON.stringify(ks)}`);
  rows.set(ks, row);
}

/** The line of `key:` in the meta block (its entries are one per line, after the `meta:` line). */
function lineOfMetaKey(head: Head, key: string): number | undefined {
  return head.lines[key];
}
