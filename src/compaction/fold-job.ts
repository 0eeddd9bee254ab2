/**
 * Steps 4–7 of a compaction (docs/protocol.md §6): load the snapshot (before the roll), then, once the
 * log up to segment `n` is sealed, apply the sealed segments above it, write the new snapshot
 * atomically, delete the log the previous snapshot absorbed. Synchronous and self-contained,
 * so it runs in the caller's thread or, for a compaction inside a writer's process, in a worker
 * thread (compact-worker.ts), which keeps that process's event loop free for its writers.
 */
import { CorruptLogError, SdnwalError } from '../errors.js';
import { fsyncDir, io } from '../io.js';
import { isWrite } from '../wal/entry.js';
import type { TablePaths } from '../wal/paths.js';
import { scanSegment } from '../wal/reader.js';
import { emptyCounts, type ReplayCounts } from '../replay/rules.js';
import { readWalDir } from '../wal/segment.js';
import { segmentPath } from '../wal/tail.js';
import { writeSnapshotAtomic } from '../snapshot/atomic.js';
import { CompactFold } from './fold.js';
import { type LoadedSnapshot, loadSnapshot } from '../snapshot/load.js';
import type { SnapshotMeta } from '../snapshot/meta.js';
import { readTombstones, withTombstones } from '../snapshot/tombstones.js';

export interface FoldJob {
  paths: TablePaths;
  /** The absorbed segment of the snapshot the compaction started from. */
  k: number;
  /** The key column given by the caller (needed only for a snapshot without meta). */
  key: string | undefined;
  tableId: string | undefined;
}

/** The snapshot loaded into the fold, before the roll (stays in the thread that loaded it). */
export interface LoadedFold {
  job: FoldJob;
  key: string;
  snap: LoadedSnapshot<CompactFold> | undefined;
  rows: CompactFold;
  tombstones: Map<string, number>;
}

export interface FoldResult {
  entries: number;
  counts: ReplayCounts;
  rows: number;
  segmentsAbsorbed: number[];
  deletedSegments: number[];
}

export interface FoldProgress {
  phase: string;
  done: number;
  total: number;
}

/**
 * Step 4's first half, before the roll: load and verify the snapshot, so a bad one fails the
 * compaction before it changes anything.
 */
export function loadForFold(job: FoldJob): LoadedFold {
  const { paths, k } = job;
  // Loaded straight into the fold: the only copy of the table this compaction holds.
  const snap = loadSnapshot(paths.snapshot, { table: paths.table, key: job.key }, (m, key) => new CompactFold(m.columns, key));
  if (snap && snap.meta.absorbedSegment !== k) throw new SdnwalError('CORRUPT_SNAPSHOT', `${paths.snapshot} changed while compact.lock was held`);
  const key = snap?.meta.key ?? job.key;
  if (key === undefined) throw new SdnwalError('INVALID_OPTION', `table ${paths.table} has no snapshot naming its key column: give opts.key`);
  return { job, key, snap, rows: snap?.rows ?? new CompactFold([], key), tombstones: readTombstones(paths.snapshot, snap?.meta, snap?.extra ?? []) };
}

/** The rest, once the log up to segment `n` is sealed: apply, write, delete. */
export function finishFold(loaded: LoadedFold, n: number, progress: (p: FoldProgress) => void): FoldResult {
  const { job, key, snap, rows, tombstones } = loaded;
  const { paths, k, tableId } = job;
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
  return { entries, counts, rows: rows.size, segmentsAbsorbed: absorbed, deletedSegments: deleted };
}
