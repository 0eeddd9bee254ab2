/**
 * Recovery steps 2 (the snapshot's temp file), 3 (verify the snapshot, fall back to `.prev`)
 * and 4 (finish an interrupted swap: delete segments `.prev` absorbed) of docs/protocol.md §9.
 */
import fs from 'node:fs';
import { SdnwalError } from '../errors.js';
import { CorruptSnapshotError } from '../snapshot/corrupt.js';
import { loadSnapshot } from '../snapshot/load.js';
import { readSnapshotMeta } from '../snapshot/meta.js';
import { readWalDir } from '../wal/segment.js';
import { segmentPath } from '../wal/tail.js';
import { act, rel, type TableRun } from './run.js';

export interface SnapshotState {
  status: 'ok' | 'missing' | 'fallback';
  absorbed: number;
  tableId?: string;
  /** What `.prev` absorbed, when the current snapshot is good and a good `.prev` exists. */
  prevAbsorbed?: number;
}

type Loaded = { kind: 'missing' } | { kind: 'ok'; absorbed: number; tableId: string | undefined; adopted: boolean } | { kind: 'bad'; error: SdnwalError };

/**
 * Verify one snapshot file. `sdnwalOnly`: the table already has an sdnwal snapshot (its `.prev`
 * has a meta block), so a file without one here (emptied, or replaced by some other text) is a
 * bad snapshot, never a plain file to adopt as a table that absorbed nothing.
 */
function tryLoad(file: string, table: string, sdnwalOnly = false): Loaded {
  try {
    const meta = readSnapshotMeta(file);
    if (!meta) return { kind: 'missing' };
    if (meta.adopted && sdnwalOnly) {
      const what = fs.statSync(file).size === 0 ? 'is empty' : 'has no sdnwal meta block';
      return { kind: 'bad', error: new CorruptSnapshotError(file, undefined, `${what}, but its .prev is an sdnwal snapshot of table ${table}`) };
    }
    // A plain SDN file not yet adopted (no sdnwal meta): nothing to verify against; it absorbed nothing.
    if (meta.adopted) return { kind: 'ok', absorbed: 0, tableId: undefined, adopted: true };
    const s = loadSnapshot(file, { table, key: meta.key });
    if (!s) return { kind: 'missing' };
    return { kind: 'ok', absorbed: s.meta.absorbedSegment, tableId: s.meta.tableId, adopted: false };
  } catch (err) {
    if (err instanceof SdnwalError && err.code === 'CORRUPT_SNAPSHOT') return { kind: 'bad', error: err };
    throw err;
  }
}

/**
 * Step 2: `.sdn.tmp` is a compaction that died before its rename, `.sdn.prev.tmp` one that died
 * while keeping the previous snapshot; only the compact.lock holder may delete them.
 */
export function removeSnapshotTemp(run: TableRun): void {
  for (const tmp of [run.paths.snapshotTmp, `${run.paths.snapshotPrev}.tmp`]) {
    if (!fs.existsSync(tmp)) continue;
    run.effects.unlink([tmp], run.paths.dir);
    run.report.tempFilesRemoved.push(rel(run, tmp));
    act(run, `deleted ${rel(run, tmp)}, left by a compaction that did not finish`);
  }
}

/**
 * Step 3: verify the snapshot (parse, meta, table, row count, CRC: loadSnapshot checks them all).
 * A bad or missing snapshot with a good `.prev` falls back to it (SNAPSHOT_FALLBACK, lossless);
 * both bad throws the error of `.prev` (CORRUPT_SNAPSHOT with its line). Before replacing the
 * snapshot, `own` takes compact.lock if the caller does not hold it yet (a compactor may be
 * mid-swap); the snapshot is then checked again, since that compactor may have replaced it.
 */
export async function checkSnapshot(run: TableRun, own: () => Promise<void>): Promise<SnapshotState> {
  const { snapshot, snapshotPrev, table } = run.paths;
  const loadBoth = (): [Loaded, Loaded] => {
    const p = fs.existsSync(snapshotPrev) ? tryLoad(snapshotPrev, table) : ({ kind: 'missing' } as Loaded);
    return [tryLoad(snapshot, table, p.kind === 'ok' && !p.adopted), p];
  };
  let [cur, prev] = loadBoth();
  if (cur.kind !== 'ok' && prev.kind !== 'missing' && !run.dryRun) {
    await own();
    [cur, prev] = loadBoth();
  }
  if (cur.kind === 'ok') {
    run.report.snapshot = 'ok';
    run.report.absorbed = cur.absorbed;
    // A bad .prev beside a good snapshot loses nothing; it only means no fallback until the next compaction.
    if (prev.kind === 'bad') run.report.actions.push(`note: ${rel(run, snapshotPrev)} is bad (${prev.error.message}); the current snapshot is good`);
    return { status: 'ok', absorbed: cur.absorbed, tableId: cur.tableId, prevAbsorbed: prev.kind === 'ok' ? prev.absorbed : undefined };
  }
  if (cur.kind === 'missing' && prev.kind === 'missing') {
    run.report.snapshot = 'missing';
    return { status: 'missing', absorbed: 0 };
  }
  if (prev.kind === 'bad') throw prev.error;
  if (prev.kind === 'missing') throw (cur as { error: SdnwalError }).error;
  const why = cur.kind === 'bad' ? cur.error.message : `${rel(run, snapshot)} is missing`;
  const kept = run.effects.restorePrev(run.paths);
  if (kept) act(run, `kept the bad snapshot's bytes in ${rel(run, kept)}`);
  run.report.snapshot = 'fallback';
  run.report.absorbed = prev.absorbed;
  act(
    run,
    `SNAPSHOT_FALLBACK: ${why}; restored ${rel(run, snapshotPrev)} (absorbed segment ${prev.absorbed}) as the snapshot; the log above it replays on top, so nothing is lost`,
    `SNAPSHOT_FALLBACK: ${why}; would restore ${rel(run, snapshotPrev)} (absorbed segment ${prev.absorbed}) as the snapshot`,
  );
  return { status: 'fallback', absorbed: prev.absorbed, tableId: prev.tableId };
}

/**
 * Step 4: a compaction that died between its rename and its deletes leaves segments that both
 * the snapshot and `.prev` absorbed; delete them (lowest first) and fsync the log directory.
 * Only ever called when the current snapshot verified good.
 */
export function deleteAbsorbedSegments(run: TableRun, prevAbsorbed: number): void {
  const doomed = readWalDir(run.paths.wal).segments.filter((s) => s <= prevAbsorbed);
  if (doomed.length === 0) return;
  run.effects.unlink(doomed.map((s) => segmentPath(run.paths, s)), run.paths.wal);
  run.report.deletedSegments.push(...doomed);
  act(run, `deleted segments ${doomed.join(', ')}, absorbed by both the snapshot and ${rel(run, run.paths.snapshotPrev)} (an interrupted snapshot swap)`);
}
