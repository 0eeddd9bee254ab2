/**
 * Crash recovery (docs/protocol.md §9): the full sequence for `recover()` and `sdnwal recover`, and
 * the fast path openStore runs (only the active tail, when the control record is of this boot).
 * Each step is idempotent, so a crash during recovery is repaired by running it again.
 */
import { applyEffects, planEffects } from './effects.js';
import fs from 'node:fs';
import { SdnwalError } from '../errors.js';
import { currentBootId, publishControl, readControl } from '../wal/control.js';
import { DEFAULT_LOCK_TIMEOUT_MS, FileLock, isLocked } from '../wal/lock.js';
import { tableIdFromLog } from '../wal/log-id.js';
import { assertTableName, tablePaths } from '../wal/paths.js';
import { readWalDir } from '../wal/segment.js';
import { Spool } from '../wal/spool.js';
import { segmentPath } from '../wal/tail.js';
import { LogWriter, writerOptions } from '../wal/writer.js';
import { readSnapshotMeta } from '../snapshot/meta.js';
import { emptyTableRecovery, RECOVERY_POLICIES, type RecoveryPolicy, type RecoveryProgress, type RecoveryReport, type TableRecovery } from './report.js';
import { act, rel, type TableRun } from './run.js';
import { checkSegments, endsInSeal, type Identity, readHeader, repairSegment } from './segments-step.js';
import { checkSnapshot, deleteAbsorbedSegments, removeSnapshotTemp } from './snapshot-step.js';
import { assertStoreDir, listTables } from './tables.js';

export interface RecoverOptions {
  /** Report what would be done and change nothing: no file is written or created, no lock taken. @default false */
  readonly dryRun?: boolean;
  /** What to do with damage (docs/recovery.md). @default 'tolerate-tail' */
  readonly policy?: RecoveryPolicy;
  /** Recover only these tables. @default every table in the directory */
  readonly tables?: readonly string[];
  /** Called before each segment is scanned and at the end of each table's scan. */
  readonly onProgress?: (p: RecoveryProgress) => void;
  /** How long to wait for a table lock held by a live writer. @default 10000 */
  readonly lockTimeoutMs?: number;
}


function checkPolicy(p: unknown): RecoveryPolicy {
  if (!(RECOVERY_POLICIES as readonly unknown[]).includes(p)) throw new SdnwalError('INVALID_OPTION', `Expected \`policy\` to be one of ${RECOVERY_POLICIES.join(', ')}, got \`${String(p)}\` (${typeof p})`);
  return p as RecoveryPolicy;
}

/** The table id: the snapshot's, else the header of the lowest readable segment. */
function identityOf(run: TableRun, snapshotTableId: string | undefined): Identity {
  const tableId = snapshotTableId ?? tableIdFromLog(run.paths);
  return tableId ? { table: run.paths.table, tableId } : { table: run.paths.table };
}

/** Publish the repaired tail so writers and readers trust it (its record is then of this boot). */
function publishTail(run: TableRun, lockFd: number, highest: number | undefined): void {
  if (run.dryRun || highest === undefined) return;
  const file = segmentPath(run.paths, highest);
  if (!fs.existsSync(file)) return;
  publishControl(lockFd, readControl(lockFd), highest, fs.statSync(file).size);
}

/**
 * Step 7: resolve spool claims and drain the spool into the log, through the writer (it finds
 * the tail and drains under the table lock, exactly once, docs/protocol.md §7).
 */
async function drainSpool(run: TableRun, id: Identity, absorbed: number): Promise<void> {
  const spool = new Spool(run.paths.spool);
  if (!spool.exists()) return;
  if (!run.dryRun) {
    const stale = spool.cleanupStaleTmp();
    for (const s of stale) run.report.tempFilesRemoved.push(rel(run, `${run.paths.spool}/${s}`));
    if (stale.length > 0) act(run, `deleted ${stale.length} spool temp file(s) whose writer died`);
  }
  const waiting = spool.countPending() + spool.listClaims().length;
  if (waiting === 0) return;
  if (id.tableId === undefined) {
    run.report.actions.push(`${waiting} spooled write(s) left in ${rel(run, run.paths.spool)}: the table has no snapshot or segment to drain them into yet`);
    return;
  }
  run.onProgress?.({ table: run.paths.table, step: 'spool', bytesDone: 0, bytesTotal: waiting });
  if (run.dryRun) {
    run.report.spoolDrained = waiting;
    act(run, '', `would drain ${waiting} spooled write(s) into the log`);
    return;
  }
  // Recovery drains; it never rolls (a roll is the compactor's or a writer's to make).
  const writer = new LogWriter(run.paths, { table: id.table, tableId: id.tableId }, () => absorbed + 1, writerOptions({ segmentBytes: Number.MAX_SAFE_INTEGER, lockTimeoutMs: run.lockTimeoutMs }));
  try {
    await writer.ensureLog();
  } finally {
    await writer.close();
  }
  run.report.spoolDrained = writer.counters.drained;
  act(run, `drained ${writer.counters.drained} spooled write(s) into the log`);
}

/** The full sequence of §9 for one table. */
async function recoverTableFull(run: TableRun): Promise<void> {
  const { paths } = run;
  // Step 1. With --dry-run no lock is taken (that could create the file): only ask whether one is held.
  const compactLock = run.dryRun ? undefined : FileLock.for(paths.compactLock);
  let compactHeld = compactLock ? compactLock.tryAcquire() : false;
  run.report.compactorRunning = run.dryRun ? isLocked(paths.compactLock) : !compactHeld;
  const ownsSnapshot = run.dryRun ? !run.report.compactorRunning : compactHeld;
  let state: { highest?: number } = {};
  let id: Identity;
  let absorbed: number;
  try {
    if (run.report.compactorRunning) act(run, 'a live compactor holds compact.lock: skipped deleting its temp file and absorbed segments', 'a live compactor holds compact.lock: would skip its temp file and absorbed segments');
    // Step 2 (the snapshot's temp file; segment temps are deleted under the table lock, since writers roll).
    if (ownsSnapshot) removeSnapshotTemp(run);
    // Step 3. Replacing a bad snapshot needs compact.lock even when a compactor has it: wait for it then.
    run.onProgress?.({ table: paths.table, step: 'snapshot', bytesDone: 0, bytesTotal: 0 });
    const snap = await checkSnapshot(run, async () => {
      if (!compactHeld) {
        await compactLock!.acquire({ timeoutMs: run.lockTimeoutMs });
        compactHeld = true;
      }
    });
    // Step 4, only when the current snapshot is good and no compactor is mid-swap.
    if (snap.status === 'ok' && snap.prevAbsorbed !== undefined && ownsSnapshot) deleteAbsorbedSegments(run, snap.prevAbsorbed);
    id = identityOf(run, snap.tableId);
    absorbed = snap.absorbed;
    // Steps 5 and 6, under the table lock.
    const tableLock = run.dryRun ? undefined : FileLock.for(paths.lock);
    await tableLock?.acquire({ timeoutMs: run.lockTimeoutMs });
    try {
      state = checkSegments(run, id, absorbed);
      if (tableLock) publishTail(run, tableLock.fd, state.highest);
    } finally {
      tableLock?.release();
    }
  } finally {
    if (compactHeld) compactLock!.release();
    compactHeld = false;
  }
  // Step 7.
  await drainSpool(run, id, absorbed);
}

function newRun(dir: string, table: string, opts: RecoverOptions, policy: RecoveryPolicy, mode: 'full' | 'fast'): TableRun {
  return {
    paths: tablePaths(dir, table),
    policy,
    dryRun: opts.dryRun ?? false,
    effects: opts.dryRun ? planEffects : applyEffects,
    report: emptyTableRecovery(table, mode),
    lockTimeoutMs: opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
    onProgress: opts.onProgress,
  };
}

function tablesOf(dir: string, only: readonly string[] | undefined): string[] {
  if (!only) return listTables(dir);
  for (const t of only) assertTableName(t);
  return [...new Set(only)].sort();
}

/**
 * Run the full recovery sequence on every table of `dir` (or `opts.tables`). Throws the first
 * error a table cannot be recovered from under the policy (CORRUPT_LOG naming file and offset,
 * CORRUPT_SNAPSHOT, FOREIGN_SEGMENT); with `dryRun` such errors are reported per table instead
 * and `ok` is false. A missing `dir` is NOT_FOUND (nothing is created).
 */
export async function recover(dir: string, opts: RecoverOptions = {}): Promise<RecoveryReport> {
  const t0 = performance.now();
  const abs = assertStoreDir(dir);
  const policy = checkPolicy(opts.policy ?? 'tolerate-tail');
  const dryRun = opts.dryRun ?? false;
  const report: RecoveryReport = { dir: abs, dryRun, policy, ms: 0, ok: true, tables: [] };
  for (const table of tablesOf(abs, opts.tables)) {
    const run = newRun(abs, table, opts, policy, 'full');
    report.tables.push(run.report);
    try {
      await recoverTableFull(run);
    } catch (err) {
      if (!dryRun || !(err instanceof SdnwalError)) throw err;
      run.report.error = { code: err.code, message: err.message };
      report.ok = false;
    }
  }
  report.ms = Math.round(performance.now() - t0);
  return report;
}

/**
 * The fast path under the table lock (docs/protocol.md §9, first paragraph): the control record is
 * valid, of this boot, and names the highest segment, so a kill -9 is the worst that happened:
 * only the active tail (a dead writer's batch past `published_end`, or an unfinished roll) can
 * be damaged. Returns false when the full sequence must run instead.
 */
async function tryFastPath(run: TableRun): Promise<{ id: Identity; absorbed: number } | false> {
  const lock = FileLock.for(run.paths.lock);
  await lock.acquire({ timeoutMs: run.lockTimeoutMs });
  try {
    const c = readControl(lock.fd);
    const highest = readWalDir(run.paths.wal).segments.at(-1);
    if (!c || c.bootId !== currentBootId() || c.activeSeg <= 0 || highest !== c.activeSeg) return false;
    const meta = readSnapshotMeta(run.paths.snapshot);
    // A snapshot without a meta block beside a .prev (emptied or replaced): the full sequence judges it.
    if (meta?.adopted && fs.existsSync(run.paths.snapshotPrev)) return false;
    run.report.snapshot = meta ? 'ok' : 'missing';
    run.report.absorbed = meta?.absorbedSegment ?? 0;
    run.report.segments = readWalDir(run.paths.wal).segments.filter((s) => s > run.report.absorbed);
    const file = segmentPath(run.paths, highest);
    const h = readHeader(file);
    if (!h.ok) return false;
    const id: Identity = { table: run.paths.table, tableId: meta?.tableId ?? h.header.tableId };
    let sealedNext: number | undefined;
    if (h.size === c.publishedEnd) {
      sealedNext = endsInSeal(file, highest, h.size);
    } else {
      // Past published_end: a dead writer's batch, validated alone; short of it: the whole segment.
      const from = h.size > c.publishedEnd && c.publishedEnd >= h.length ? c.publishedEnd : undefined;
      sealedNext = repairSegment(run, highest, id, false, from).sealedNext;
    }
    // A roll that died after its SEAL: the full sequence finishes it (rare, so no shortcut).
    if (sealedNext !== undefined) return false;
    publishTail(run, lock.fd, highest);
    return { id, absorbed: run.report.absorbed };
  } finally {
    lock.release();
  }
}

/**
 * Recovery at openStore: per table, the fast path when the control record allows it, else the
 * full sequence. Throws like `recover` when a table cannot be recovered under `policy`.
 */
export async function recoverStoreOnOpen(dir: string, policy: RecoveryPolicy = 'tolerate-tail', opts: Omit<RecoverOptions, 'dryRun' | 'policy'> = {}): Promise<RecoveryReport> {
  const t0 = performance.now();
  const abs = assertStoreDir(dir);
  checkPolicy(policy);
  const report: RecoveryReport = { dir: abs, dryRun: false, policy, ms: 0, ok: true, tables: [] };
  for (const table of tablesOf(abs, opts.tables)) {
    let run = newRun(abs, table, opts, policy, 'fast');
    const fast = await tryFastPath(run);
    if (fast) {
      // Writes spooled while the lock was busy become visible now, not at the next append.
      await drainSpool(run, fast.id, fast.absorbed);
    } else {
      const tried = run.report;
      run = newRun(abs, table, opts, policy, 'full');
      // What the fast path already repaired (a dead writer's torn batch) stays in the report.
      run.report.quarantined.push(...tried.quarantined);
      run.report.actions.push(...tried.actions);
      await recoverTableFull(run);
    }
    report.tables.push(run.report);
  }
  report.ms = Math.round(performance.now() - t0);
  return report;
}

export type { TableRecovery };
