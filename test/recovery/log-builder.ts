/** Builds a table's log directly from frames (no store), so recovery tests control every byte. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { encodeEntry, type LogEntry, type PendingWrite } from '../../src/wal/entry.js';
import { encodeFrames } from '../../src/wal/frame.js';
import { tablePaths, type TablePaths } from '../../src/wal/paths.js';
import { createSegmentFile, encodeSegmentHeader, newTableId } from '../../src/wal/segment.js';
import { segmentPath } from '../../src/wal/tail.js';

export interface BuiltSegment {
  segNo: number;
  file: string;
  headerLength: number;
  /** Start offset of each frame, and the file size after the last one. */
  starts: number[];
  size: number;
}

export function write(key: string, synced: number, n = 0): PendingWrite {
  return { operation: 'insert', rows: [{ key, values: { id: key, n, text: `row ${key}` } }], timestamp: 1_700_000_000_000 + n, synced };
}

/** Append frames one by one, each with `synced` = the end of the frames before it (as sync 'always' writes). */
export function appendFrames(seg: BuiltSegment, entries: Array<LogEntry | ((syncedEnd: number) => LogEntry)>): void {
  const fd = fs.openSync(seg.file, 'r+');
  try {
    for (const e of entries) {
      const entry = typeof e === 'function' ? e(seg.size) : e;
      const buf = encodeFrames(seg.segNo, seg.size, [encodeEntry(entry)]);
      fs.writeSync(fd, buf, 0, buf.length, seg.size);
      seg.starts.push(seg.size);
      seg.size += buf.length;
    }
  } finally {
    fs.closeSync(fd);
  }
}

export interface BuiltTable {
  paths: TablePaths;
  tableId: string;
  segments: BuiltSegment[];
}

/**
 * A table with `counts[i]` write frames in segment `first + i`; every segment but the last ends
 * in a SEAL. Keys are `k<segment>-<i>`.
 */
export function buildTable(dir: string, table: string, counts: number[], first = 1, tableId = newTableId()): BuiltTable {
  const paths = tablePaths(dir, table);
  fs.mkdirSync(paths.wal, { recursive: true });
  const segments: BuiltSegment[] = [];
  counts.forEach((count, i) => {
    const segNo = first + i;
    const file = createSegmentFile(paths.wal, { formatVersion: 1, table, tableId, segment: segNo });
    const headerLength = encodeSegmentHeader({ formatVersion: 1, table, tableId, segment: segNo }).length;
    const seg: BuiltSegment = { segNo, file, headerLength, starts: [], size: headerLength };
    appendFrames(seg, Array.from({ length: count }, (_, j) => (synced: number) => write(`k${segNo}-${j}`, synced, j)));
    if (i < counts.length - 1) appendFrames(seg, [{ seal: segNo + 1 }]);
    segments.push(seg);
  });
  return { paths, tableId, segments };
}

export { segmentPath };

/** sha256 of every file under `dir` (relative path → hash), directories listed too. */
export function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const rel = path.relative(dir, p);
      const st = fs.statSync(p);
      if (st.isDirectory()) {
        out[`${rel}/`] = 'dir';
        walk(p);
      } else out[rel] = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex') + `:${st.size}`;
    }
  };
  walk(dir);
  return out;
}
