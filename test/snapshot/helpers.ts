/** Test helpers for snapshot tests: a table with a real log writer, and the table state read the way readers do. */
import fs from 'node:fs';
import { createInitialSnapshot } from '../../src/snapshot/atomic.js';
import { loadSnapshot } from '../../src/snapshot/load.js';
import { readSnapshotMeta, type TableDef } from '../../src/snapshot/meta.js';
import { isWrite } from '../../src/wal/entry.js';
import { tablePaths, type TablePaths } from '../../src/wal/paths.js';
import { scanSegment } from '../../src/wal/reader.js';
import { applyWrite } from '../../src/replay/rules.js';
import { newTableId, readWalDir } from '../../src/wal/segment.js';
import { segmentPath } from '../../src/wal/tail.js';
import { LogWriter } from '../../src/wal/writer.js';

export type Rows = Map<string, Record<string, unknown>>;

export function makeWriter(paths: TablePaths, tableId: string, segmentBytes = 64 << 20): LogWriter {
  return new LogWriter(paths, { table: paths.table, tableId }, () => (readSnapshotMeta(paths.snapshot, { key: 'id' })?.absorbedSegment ?? 0) + 1, {
    sync: 'none', batchMs: 20, batchBytes: 1 << 20, segmentBytes, maxEntryBytes: 1 << 20, lockTimeoutMs: 5000, onLockTimeout: 'error',
  });
}

/** A new table: initial snapshot plus a writer. */
export function makeTable(dir: string, name = 'todos', def: TableDef = { key: 'id', columns: null }, segmentBytes?: number) {
  fs.mkdirSync(dir, { recursive: true });
  const paths = tablePaths(dir, name);
  const tableId = newTableId();
  createInitialSnapshot(paths, def, tableId);
  return { paths, tableId, writer: makeWriter(paths, tableId, segmentBytes) };
}

/** The table as a reader sees it: `snapshot` (default the current one) + every segment above its absorbed number. */
export function readState(paths: TablePaths, key = 'id', snapshot = paths.snapshot): Rows {
  const snap = loadSnapshot(snapshot, { table: paths.table, key });
  const rows: Rows = snap?.rows ?? new Map();
  for (const s of readWalDir(paths.wal).segments) {
    if (s <= (snap?.meta.absorbedSegment ?? 0)) continue;
    const r = scanSegment({ path: segmentPath(paths, s) }, { segNo: s, onEntry: (e) => isWrite(e) && applyWrite(rows, e) });
    if (r.damage.length > 0) throw new Error(`damage in segment ${s}: ${JSON.stringify(r.damage)}`);
  }
  return rows;
}

export function plain(rows: Rows): [string, Record<string, unknown>][] {
  return [...rows].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
