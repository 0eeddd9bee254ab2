/**
 * The local directory's TableLog: the snapshot plus the log tail of one table, caught up with
 * other processes' appends before each read (docs/protocol.md §8), checked writes under the table
 * lock (§1), compaction into the table's .sdn (§6).
 */
import { SdnwalError } from '../errors.js';
import type { CompactReport } from '../compaction/compactor.js';
import type { TablePaths } from '../wal/paths.js';
import type { AppendPhaseReport } from '../wal/phases.js';
import { applyWrite, type Record_ } from '../replay/rules.js';
import type { LogWriter, WriteRequest } from '../wal/writer.js';
import { CaughtUp, LogFollower } from './follower.js';
import type { KeyCount } from './key-count.js';
import { countFromSnapshot } from './snapshot-count.js';
import type { CheckedAppend, CheckedOutcome, TableLog, TableView } from './table-log.js';
import { LogWatcher, type WatchEntry, type WatchOptions } from './watch.js';

/**
 * What reads that build rows or keys need, loaded by the first such read: a count answered from
 * the snapshot's meta (a scanner's or cron job's `sdnwal count`) never loads it.
 */
interface Readers {
  loadSnapshot: typeof import('../snapshot/load.js').loadSnapshot;
  readTombstones: typeof import('../snapshot/tombstones.js').readTombstones;
  KeyCount: typeof KeyCount;
}
let readers: Readers | undefined;
let loadingReaders: Promise<Readers> | undefined;

function loadReaders(): Promise<Readers> {
  loadingReaders ??= Promise.all([import('../snapshot/load.js'), import('../snapshot/tombstones.js'), import('./key-count.js')]).then(
    ([load, tombstones, keys]) => (readers = { loadSnapshot: load.loadSnapshot, readTombstones: tombstones.readTombstones, KeyCount: keys.KeyCount }),
  );
  return loadingReaders;
}

export interface LocalLogInit {
  name: string;
  paths: TablePaths;
  key: string;
  /** What the log's segment headers must name. */
  identity: { table: string; tableId?: string };
  /** Undefined for a read-only table. */
  writer: LogWriter | undefined;
}

export class LocalTableLog implements TableLog {
  readonly id: string;
  /** The rows and deletes' versions, from the snapshot and the log (built at the first read). */
  private readonly state: CaughtUp<TableView>;
  /** count() before the rows are loaded: keys only, caught up incrementally. */
  private keyCount: KeyCount | undefined;
  private readonly name: string;
  private readonly paths: TablePaths;
  private readonly key: string;
  private readonly identity: { table: string; tableId?: string };
  readonly writer: LogWriter | undefined;

  constructor(init: LocalLogInit) {
    ({ name: this.name, paths: this.paths, key: this.key, identity: this.identity, writer: this.writer } = init);
    this.id = init.paths.lock;
    this.state = new CaughtUp(this.name, () => {
      // Every path that builds the state awaited loadReaders() first.
      const { loadSnapshot, readTombstones } = readers!;
      const snap = loadSnapshot(this.paths.snapshot, { table: this.name, key: this.key });
      const state = { rows: snap?.rows ?? new Map<string, Record_>(), tombstones: readTombstones(this.paths.snapshot, snap?.meta, snap?.extra ?? []) };
      return { state, follower: new LogFollower(this.paths, snap?.meta.absorbedSegment ?? 0, this.followIdentity()) };
    });
  }

  get writable(): boolean {
    return this.writer !== undefined;
  }

  private writerOrThrow(): LogWriter {
    if (!this.writer) throw new SdnwalError('INVALID_OPTION', `table ${this.name} is open read-only`);
    return this.writer;
  }

  async view(): Promise<TableView> {
    if (!readers) await loadReaders();
    return this.caughtUp();
  }

  private caughtUp(): TableView {
    return this.state.get((view, w) => applyWrite(view.rows, w, undefined, view.tombstones));
  }

  /** What the log's segment headers must name (nothing to check before the table has an id). */
  private followIdentity(): { table: string; tableId: string } | undefined {
    return this.identity.tableId ? { table: this.name, tableId: this.identity.tableId } : undefined;
  }

  /**
   * Before anything loaded the rows: the snapshot's row count when nothing is logged above it,
   * else the snapshot's keys and the logged writes' keys (no rows are built), kept caught up.
   */
  async count(): Promise<number> {
    if (this.state.loaded) return this.caughtUp().rows.size;
    const n = countFromSnapshot(this.paths, this.name, this.key, this.followIdentity());
    if (n !== undefined) return n;
    const { KeyCount } = await loadReaders();
    this.keyCount ??= new KeyCount(this.paths, this.name, this.key, () => this.followIdentity());
    return this.keyCount.count();
  }

  append(write: WriteRequest): Promise<void> {
    return this.writerOrThrow().append(write);
  }

  /** Under the table lock, caught up; the append's acknowledgement is awaited after the lock is released. */
  async checked<T>(fn: (view: TableView, log: CheckedAppend) => CheckedOutcome<T> | Promise<CheckedOutcome<T>>): Promise<T> {
    const writer = this.writerOrThrow();
    if (!readers) await loadReaders();
    const out = await writer.withLock((log) => fn(this.caughtUp(), log));
    if (out.done) await out.done;
    return out.result;
  }

  async flush(): Promise<void> {
    await this.writer?.flush();
  }

  async compact(opts: { minBytes?: number } = {}): Promise<CompactReport> {
    const w = this.writerOrThrow();
    await w.flush();
    const auto = opts.minBytes !== undefined;
    const { compactTable } = await import('../compaction/compactor.js');
    return compactTable(this.paths, w, { force: !auto, key: this.key, minBytes: opts.minBytes, inWorker: true });
  }

  watch(opts: WatchOptions, closed: AbortSignal): AsyncIterableIterator<WatchEntry> {
    return new LogWatcher(this.paths, this.identity, opts, closed);
  }

  phases(): AppendPhaseReport | undefined {
    return this.writer && { ...this.writer.phases.report(), fsyncs: this.writer.fsyncs };
  }

  async close(): Promise<void> {
    try {
      // First: a checked write still running catches up (opening segments) before it appends.
      await this.writer?.close();
    } finally {
      this.state.reset();
      this.keyCount?.close();
    }
  }
}
