/**
 * The compactor (PROTOCOLS.md §6): one per table (compact.lock, non-blocking); roll under the
 * table lock (milliseconds); then, without it, fold the sealed segments above the snapshot into a
 * new snapshot written atomically; then delete the log the previous snapshot had absorbed, so
 * `.prev` plus the segments above it stays a lossless fallback. Writers go on meanwhile.
 */
import fs from 'node:fs';
import { CorruptLogError, SdnwalError } from '../errors.js';
import { fsyncDir, io } from '../io.js';
import { DEFAULT_MAX_ENTRY_BYTES, DEFAULT_SEGMENT_BYTES } from '../wal/constants.js';
import { isWrite } from '../wal/entry.js';
import { DEFAULT_LOCK_TIMEOUT_MS, FileLock } from '../wal/lock.js';
import type { TablePaths } from '../wal/paths.js';
import { scanSegment } from '../wal/reader.js';
import { emptyCounts, type ReplayCounts } from '../wal/replay.js';
import { decodeSegmentHeader, readWalDir } from '../wal/segment.js';
import { segmentPath } from '../wal/tail.js';
import { LogWriter } from '../wal/writer.js';
import { writeSnapshotAtomic } from './atomic.js';
import { CompactFold } from './fold.js';
import { loadSnapshot } from './load.js';
import { readSnapshotMeta, type SnapshotMeta } from './meta.js';
import { readTombstones, withTombstones } from './tombstones.js';

/** Below this much log above the snapshot, an unforced compaction is skipped (or 25% of the snapshot, if more). */
export const DEFAULT_COMPACT_MIN_BYTES = 4 * 1024 * 1024;
/** ... and below this fraction of the snapshot's size. */
export const COMPACT_SNAPSHOT_FRACTION = 0.25;

export interface CompactProgress {
  /** 'roll' | 'load' | 'apply' (done/total: segments) | 'write' | 'verify' (rows) | 'delete' (segments). */
  phase: string;
  done: number;
  total: number;
}

export interface CompactOptions {
  /** Compact even when the log above the snapshot is small (`compact()` and `sdnwal compact` force; autoCompact does not). */
  force: boolean;
  /** The key column; needed only for a snapshot without meta (an adopted file). */
  key?: string;
  /** The floor of the skip threshold. @default 4 MiB */
  minBytes?: number;
  /** How long the roll waits for the table lock (used when no writer is given). @default 10000 */
  lockTimeoutMs?: number;
  onProgress?: (p: CompactProgress) => void;
}

export interface CompactReport {
  table: string;
  skipped: boolean;
  reason?: string;
  /** Writes applied from the log (each replay case is in `counts`). */
  entriesApplied: number;
  counts: ReplayCounts;
  /** Rows in the new snapshot (in the current one when skipped). */
  rows: number;
  segmentsAbsorbed: number[];
  deletedSegments: number[];
  /** Snapshot plus every segment file, before and after. */
  bytesBefore: number;
  bytesAfter: number;
  ms: number;
  /** The new snapshot's absorbed segment (the current one's when skipped). */
  absorbedSegment: number;
}

function fileSize(p: string): number {
  try {
    return fs.statSync(p).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

/** Sizes on disk: the snapshot, and the segments above `absorbed` and in all. */
function measure(paths: TablePaths, absorbed: number): { snapshot: number; above: number; total: number } {
  const snapshot = fileSize(paths.snapshot);
  let above = 0;
  let total = snapshot;
  for (const s of readWalDir(paths.wal).segments) {
    const n = fileSize(segmentPath(paths, s));
    total += n;
    if (s > absorbed) above += n;
  }
  return { snapshot, above, total };
}

/** The table id from the header of the highest segment (the log's identity when the snapshot has none). */
function tableIdFromLog(paths: TablePaths): string | undefined {
  const segs = readWalDir(paths.wal).segments;
  for (let i = segs.length - 1; i >= 0; i--) {
    const fd = io.openSync(segmentPath(paths, segs[i]!), 'r');
    try {
      const buf = Buffer.alloc(256);
      const h = decodeSegmentHeader(buf.subarray(0, io.readSync(fd, buf, 0, buf.length, 0)));
      if (h.ok) return h.header.tableId;
    } finally {
      io.closeSync(fd);
    }
  }
  return undefined;
}

/** Seal the active segment (§5) and return N: every segment ≤ N is final. */
async function roll(paths: TablePaths, writer: LogWriter | undefined, tableId: string | undefined, absorbed: number, lockTimeoutMs: number): Promise<number> {
  if (writer) return writer.roll();
  const segs = readWalDir(paths.wal).segments;
  // No log at all: nothing to roll and nothing to create (a compactor never starts a log).
  if (segs.length === 0 || tableId === undefined) return absorbed;
  const own = new LogWriter(paths, { table: paths.table, tableId }, () => absorbed + 1, {
    sync: 'always', batchMs: 50, batchBytes: 1024 * 1024, segmentBytes: DEFAULT_SEGMENT_BYTES,
    maxEntryBytes: DEFAULT_MAX_ENTRY_BYTES, lockTimeoutMs, onLockTimeout: 'error',
  });
  try {
    return await own.roll(lockTimeoutMs);
  } finally {
    await own.close();
  }
}

/**
 * Compact one table. Resolves with a report; `skipped: true` when another compaction of the table
 * holds compact.lock (in this or another process) or, unforced, when the log is below the threshold.
 * Throws CORRUPT_LOG on damage in a sealed segment and CORRUPT_SNAPSHOT on a bad snapshot; in both
 * cases nothing is written or deleted.
 */
export async function compactTable(paths: TablePaths, writer: LogWriter | undefined, opts: CompactOptions): Promise<CompactReport> {
  const t0 = performance.now();
  const progress = opts.onProgress ?? (() => {});
  const lock = FileLock.for(paths.compactLock);
  const report = (over: Partial<CompactReport>, absorbed: number, rows: number, bytes: number): CompactReport => ({
    table: paths.table, skipped: false, entriesApplied: 0, counts: emptyCounts(), rows, segmentsAbsorbed: [], deletedSegments: [],
    bytesBefore: bytes, bytesAfter: bytes, ms: performance.now() - t0, absorbedSegment: absorbed, ...over,
  });
  if (!lock.tryAcquire()) {
    return report({ skipped: true, reason: `compaction of ${paths.table} already running; skipped` }, 0, 0, 0);
  }
  try {
    const current = readSnapshotMeta(paths.snapshot, { key: opts.key });
    const k = current?.absorbedSegment ?? 0;
    const before = measure(paths, k);
    if (!opts.force) {
      const threshold = Math.max(opts.minBytes ?? DEFAULT_COMPACT_MIN_BYTES, COMPACT_SNAPSHOT_FRACTION * before.snapshot);
      if (before.above < threshold) {
        return report({ skipped: true, reason: `log above the snapshot is ${before.above} bytes, below the ${Math.ceil(threshold)}-byte threshold` }, k, current?.rowCount ?? 0, before.total);
      }
    }
    // Loaded once, after the threshold, straight into the fold: the only copy of the table this compaction holds.
    const snap = loadSnapshot(paths.snapshot, { table: paths.table, key: opts.key }, (m, key) => new CompactFold(m.columns, key));
    if (snap && snap.meta.absorbedSegment !== k) throw new SdnwalError('CORRUPT_SNAPSHOT', `${paths.snapshot} changed while compact.lock was held`);
    const key = snap?.meta.key ?? opts.key;
    if (key === undefined) throw new SdnwalError('INVALID_OPTION', `table ${paths.table} has no snapshot naming its key column: give opts.key`);
    const tableId = snap?.meta.tableId ?? tableIdFromLog(paths);

    progress({ phase: 'roll', done: 0, total: 1 });
    const n = Math.max(k, await roll(paths, writer, tableId, k, opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS));
    progress({ phase: 'roll', done: 1, total: 1 });

    // The state: the snapshot as loaded above, with the sealed segments applied.
    const rows = snap?.rows ?? new CompactFold([], key);
    const tombstones = readTombstones(paths.snapshot, snap?.meta, snap?.extra ?? []);
    const counts = emptyCounts();
    const absorbed: number[] = [];
    let entries = 0;
    const present = new Set(readWalDir(paths.wal).segments);
    for (let s = k + 1; s <= n; s++) {
      progress({ phase: 'apply', done: s - k - 1, total: n - k });
      const file = segmentPath(paths, s);
      if (!present.has(s)) throw new CorruptLogError(file, 0, `segment ${s} is missing between the snapshot's absorbed segment ${k} and the sealed segment ${n}`);
      const r = scanSegment({ path: file }, {
        segNo: s, sealed: true, expect: { table: paths.table, ...(tableId ? { tableId } : {}) },
        onPayload: (payload) => rows.applyPayload(payload, counts, tombstones) && ++entries > 0,
        onEntry: (e) => {
          if (!isWrite(e)) return;
          rows.apply(e, counts, tombstones);
          entries++;
        },
      });
      if (r.headerProblem) throw new CorruptLogError(file, 0, `segment header: ${r.headerProblem === 'foreign' ? `names table ${r.header?.table} (${r.header?.tableId}) segment ${r.header?.segment}` : r.headerProblem}`);
      const d = r.damage[0];
      if (d) throw new CorruptLogError(file, d.offset, `${d.reason} (in a sealed segment)`);
      if (r.sealedNext !== s + 1) throw new CorruptLogError(file, r.end, `sealed segment ${s} does not end in SEAL ${s + 1}`);
      absorbed.push(s);
    }
    progress({ phase: 'apply', done: n - k, total: n - k });

    const meta: SnapshotMeta = {
      format: 1, table: paths.table, tableId, key, columns: snap?.meta.columns ?? [], absorbedSegment: n,
      rowCount: rows.size, writtenAt: undefined, rowsCrc: undefined, section: snap?.meta.section ?? paths.table,
      ...(snap?.meta.conflict !== undefined ? { conflict: snap.meta.conflict } : {}), adopted: false,
    };
    writeSnapshotAtomic(paths, meta, rows, withTombstones(meta, snap?.extra ?? [], tombstones), { columns: rows.columns(), onProgress: progress });

    // §6 step 7: the log the previous snapshot absorbed; `.prev` + the segments above k stay a lossless fallback.
    const deleted: number[] = [];
    const old = readWalDir(paths.wal).segments.filter((s) => s <= k);
    old.forEach((s, i) => {
      progress({ phase: 'delete', done: i, total: old.length });
      io.unlinkSync(segmentPath(paths, s));
      deleted.push(s);
    });
    if (deleted.length > 0) fsyncDir(paths.wal);
    progress({ phase: 'delete', done: deleted.length, total: deleted.length });
    return report({ entriesApplied: entries, counts, segmentsAbsorbed: absorbed, deletedSegments: deleted, bytesAfter: measure(paths, n).total }, n, rows.size, before.total);
  } finally {
    lock.release();
  }
}
