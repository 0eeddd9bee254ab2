/**
 * The compactor (docs/protocol.md §6): one per table (compact.lock, non-blocking); roll under the
 * table lock (milliseconds); then, without it, fold the sealed segments above the snapshot into a
 * new snapshot written atomically; then delete the log the previous snapshot had absorbed, so
 * `.prev` plus the segments above it stays a lossless fallback (fold-job.ts, optionally in a worker
 * thread: fold-thread.ts). Writers go on meanwhile.
 */
import fs from 'node:fs';
import { SdnwalError } from '../errors.js';
import { DEFAULT_LOCK_TIMEOUT_MS, FileLock } from '../wal/lock.js';
import type { TablePaths } from '../wal/paths.js';
import { emptyCounts, type ReplayCounts } from '../replay/rules.js';
import { tableIdFromLog } from '../wal/log-id.js';
import { readWalDir } from '../wal/segment.js';
import { segmentPath } from '../wal/tail.js';
import { LogWriter, writerOptions } from '../wal/writer.js';
import { startFold } from './fold-thread.js';
import { readSnapshotMeta } from '../snapshot/meta.js';

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
  /**
   * Fold in a worker thread, so this process's event loop (and its writers) go on meanwhile; the
   * roll still runs here. Used by `table.compact()` and autoCompact. @default false
   */
  inWorker?: boolean;
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

/** Seal the active segment (§5) and return N: every segment ≤ N is final. */
async function roll(paths: TablePaths, writer: LogWriter | undefined, tableId: string | undefined, absorbed: number, lockTimeoutMs: number): Promise<number> {
  if (writer) return writer.roll();
  const segs = readWalDir(paths.wal).segments;
  // No log at all: nothing to roll and nothing to create (a compactor never starts a log).
  if (segs.length === 0 || tableId === undefined) return absorbed;
  const own = new LogWriter(paths, { table: paths.table, tableId }, () => absorbed + 1, writerOptions({ lockTimeoutMs }));
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
    const key = current?.key ?? opts.key;
    if (key === undefined) throw new SdnwalError('INVALID_OPTION', `table ${paths.table} has no snapshot naming its key column: give opts.key`);
    const tableId = current?.tableId ?? tableIdFromLog(paths);
    // Load and verify the snapshot first: a bad one fails the compaction before the roll changes anything.
    const fold = await startFold({ paths, k, key: opts.key, tableId }, progress, opts.inWorker === true);
    let n: number;
    try {
      progress({ phase: 'roll', done: 0, total: 1 });
      n = Math.max(k, await roll(paths, writer, tableId, k, opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS));
      progress({ phase: 'roll', done: 1, total: 1 });
    } catch (err) {
      fold.cancel();
      throw err;
    }
    const r = await fold.finish(n);
    return report({ entriesApplied: r.entries, counts: r.counts, segmentsAbsorbed: r.segmentsAbsorbed, deletedSegments: r.deletedSegments, bytesAfter: measure(paths, n).total }, n, r.rows, before.total);
  } finally {
    lock.release();
  }
}
