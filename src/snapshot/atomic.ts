/**
 * Replacing a table's snapshot atomically (docs/protocol.md §6 steps 4–6): stream the new one to
 * `<table>.sdn.tmp`, fsync, re-read it and prove its bytes (verify-written.ts), keep the current
 * one as `<table>.sdn.prev` (a hard link), rename the new one over `<table>.sdn`, fsync the
 * directory after each step.
 */
import fs from 'node:fs';
import { SdnwalError } from '../errors.js';
import { createTempFile, fsyncDir, io } from '../io.js';
import type { TablePaths } from '../wal/paths.js';
import { SNAPSHOT_FORMAT } from './constants.js';
import { rowColumns } from './format.js';
import type { ExtraSection, SnapshotMeta, TableDef } from './meta.js';
import { rowsSection } from './section.js';
import { verifyWritten } from './verify-written.js';
import { isRowLines, type RowLines, writeSnapshotText } from './writer.js';

export interface WriteOptions {
  /** Header columns of the rows table; default: `rowColumns(meta.columns, meta.key, rows)` (one extra pass over the rows). */
  columns?: string[];
  onProgress?: (p: { phase: string; done: number; total: number }) => void;
}

export interface WrittenSnapshot {
  meta: SnapshotMeta;
  bytes: number;
}

/**
 * Write `rows` as the table's new snapshot. `rows` is iterated once to write it (twice when the
 * columns must be found first, so pass an array or a Map's values view, not a one-shot iterator),
 * or they are RowLines the caller formats for `opts.columns` (a compaction's fold); `meta.rowCount` must be its number of rows. Nothing replaces the current snapshot unless the new
 * file re-reads correctly; on any failure the temp file is removed and the error thrown.
 */
export function writeSnapshotAtomic(
  paths: TablePaths,
  meta: SnapshotMeta,
  rows: Iterable<Record<string, unknown>> | RowLines,
  extra: readonly ExtraSection[] = [],
  opts: WriteOptions = {},
): WrittenSnapshot {
  if (isRowLines(rows) && !opts.columns) throw new TypeError('writeSnapshotAtomic: rows given as RowLines need opts.columns');
  const columns = opts.columns ?? rowColumns(meta.columns, meta.key, rows as Iterable<Record<string, unknown>>);
  // A new snapshot names its table under `table_name` and its rows under a portable name (section.ts).
  const { legacyTableKey: _, ...fresh } = meta;
  const out: SnapshotMeta = { ...fresh, format: SNAPSHOT_FORMAT, adopted: false, writtenAt: meta.writtenAt ?? new Date().toISOString(), section: rowsSection(meta, extra) };
  const total = out.rowCount;
  let written;
  // 'w+': truncate a stale tmp of a crashed compaction, and read the new file back to verify it.
  const fd = createTempFile(paths.snapshotTmp, fs.constants.O_RDWR);
  try {
    written = writeSnapshotText(fd, out, columns, rows, extra, (done) => opts.onProgress?.({ phase: 'write', done, total }));
    io.fsyncSync(fd);
    opts.onProgress?.({ phase: 'verify', done: 0, total });
    verifyWritten(fd, paths.snapshotTmp, out, written);
    opts.onProgress?.({ phase: 'verify', done: total, total });
  } catch (err) {
    io.closeSync(fd);
    removeQuietly(paths.snapshotTmp);
    throw err;
  }
  io.closeSync(fd);
  keepPrevious(paths);
  io.renameSync(paths.snapshotTmp, paths.snapshot);
  fsyncDir(paths.dir);
  return { meta: { ...out, rowsCrc: written.rowsCrc }, bytes: written.bytes };
}

/**
 * `<table>.sdn.prev` becomes the current snapshot (a hard link; one inode, no copy). An older prev
 * is replaced atomically: link to `.sdn.prev.tmp`, rename over `.sdn.prev`, fsync the directory.
 */
function keepPrevious(paths: TablePaths): void {
  if (!fs.existsSync(paths.snapshot)) return;
  const tmp = `${paths.snapshotPrev}.tmp`;
  removeQuietly(tmp);
  io.linkSync(paths.snapshot, tmp);
  io.renameSync(tmp, paths.snapshotPrev);
  fsyncDir(paths.dir);
}

function removeQuietly(file: string): void {
  try {
    io.unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/**
 * The first snapshot of a new table: no rows, absorbed segment 0. It is the durable record of the
 * table's key, declared columns, conflict strategy and table_id. Refuses to replace a snapshot.
 */
export function createInitialSnapshot(paths: TablePaths, def: TableDef, tableId: string): WrittenSnapshot {
  if (fs.existsSync(paths.snapshot)) throw new SdnwalError('INVALID_OPTION', `table ${paths.table} already has a snapshot (${paths.snapshot}); refusing to replace it`);
  const meta: SnapshotMeta = {
    format: SNAPSHOT_FORMAT,
    table: paths.table,
    tableId,
    key: def.key,
    columns: def.columns ? [...def.columns] : [],
    absorbedSegment: 0,
    rowCount: 0,
    writtenAt: undefined,
    rowsCrc: undefined,
    section: paths.table,
    ...(def.conflict ? { conflict: def.conflict } : {}),
    adopted: false,
  };
  return writeSnapshotAtomic(paths, meta, [], []);
}
