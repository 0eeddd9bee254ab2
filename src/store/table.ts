/**
 * The public Table: validated writes through the table's log writer, reads from the snapshot
 * plus the log tail (catching up with other processes' appends before each read), checked writes
 * and read-modify-write under the table lock.
 */
import type { AppendPhaseReport } from '../wal/phases.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { SdnwalError } from '../errors.js';
import { compactTable, type CompactReport } from '../snapshot/compactor.js';
import { loadSnapshot } from '../snapshot/load.js';
import { readTombstones } from '../snapshot/tombstones.js';
import type { PendingWrite, Row } from '../wal/entry.js';
import type { TablePaths } from '../wal/paths.js';
import { applyWrite, type Record_ } from '../wal/replay.js';
import type { LockedLog, LogWriter, WriteRequest } from '../wal/writer.js';
import { LogFollower } from './follower.js';
import { countFromSnapshot } from './snapshot-count.js';
import { KeyCount } from './key-count.js';
import type { ConflictStrategy } from './options.js';
import { type UpdateResult, Versioning, type VersionSettings } from './versioning.js';
import { LogWatcher, type WatchEntry, type WatchOptions } from './watch.js';
import { keyString, type RecordRules, toInsertRow, toUpdateRow } from './record.js';

/** Which tables the current async context holds the lock of (re-entry would deadlock). */
const holding = new AsyncLocalStorage<ReadonlySet<string>>();

export interface InsertOptions {
  /** Insert only if no row has this key (checked under the lock); resolves false if one has. */
  readonly ifAbsent?: boolean;
}

export interface UpdateOptions {
  /** Fail with NOT_FOUND if no row has this key (checked under the lock). */
  readonly mustExist?: boolean;
  /** Versioned tables: the version the caller read; if the stored one differs, the table's conflict strategy decides. */
  readonly expectedVersion?: number;
}

/** @internal What Store.table() makes a Table of. */
export interface TableInit<R extends Record_> {
  name: string;
  paths: TablePaths;
  key: string;
  /** The declared columns, or null when none are. */
  columns: readonly string[] | null;
  /** What the log's segment headers must name. */
  identity: { table: string; tableId?: string };
  /** Undefined for a read-only table. */
  writer: LogWriter | undefined;
  schema: RecordRules['schema'];
  /** Called after every write this table makes (the store's auto-compaction hook). */
  onChange?: () => void;
  /** Versioned tables: the conflict strategy (and merge function). */
  versioning?: VersionSettings<R>;
}

export class Table<R extends Record_ = Record_> {
  private rows: Map<string, Record_> | undefined;
  private follower: LogFollower | undefined;
  private readonly rules: RecordRules;
  /** Versioned tables: key → version of its delete (caught up with `rows`). */
  private tombstones = new Map<string, number>();
  private readonly versioning: Versioning<R> | undefined;
  /** count() before the rows are loaded: keys only, caught up incrementally. */
  private keyCount: KeyCount | undefined;
  /** Aborted at close: ends every watch() of this table. */
  private readonly closed = new AbortController();

  readonly name: string;
  readonly paths: TablePaths;
  readonly key: string;
  readonly columns: readonly string[] | null;
  private readonly identity: { table: string; tableId?: string };
  private readonly writer: LogWriter | undefined;
  private readonly onChange: () => void;

  /** @internal Made by Store.table(). */
  constructor(init: TableInit<R>) {
    this.name = init.name;
    this.paths = init.paths;
    this.key = init.key;
    this.columns = init.columns;
    this.identity = init.identity;
    this.writer = init.writer;
    this.onChange = init.onChange ?? (() => {});
    const { name, key, columns, schema, versioning } = init;
    this.rules = { table: name, key, columns, schema };
    this.versioning = versioning && new Versioning<R>({ rules: this.rules, state: () => this.state(), tombstones: () => this.tombstones, locked: (fn) => this.locked(fn) }, versioning);
  }

  /** The conflict strategy of a versioned table (rows carry `version` and `last_modified`), else undefined. */
  get conflict(): ConflictStrategy | undefined {
    return this.versioning?.settings.conflict;
  }

  private guard(what: string): LogWriter {
    this.checkOpen(what);
    if (holding.getStore()?.has(this.paths.lock)) throw new SdnwalError('REENTRANT', `${what} on table ${this.name} from inside its own modify(): the table lock is already held by this call`);
    if (!this.writer) throw new SdnwalError('INVALID_OPTION', `table ${this.name} is open read-only`);
    return this.writer;
  }

  private write(operation: PendingWrite['operation'], rows: Row[]): Promise<void> {
    const w = this.guard(operation);
    const p = w.append({ operation, rows, timestamp: Date.now() });
    this.onChange();
    return p;
  }

  /** Insert (or replace) a whole record. Resolves when acknowledged per the sync mode. */
  async insert(record: R, opts: InsertOptions = {}): Promise<boolean> {
    if (this.versioning) return this.versioning.insert(record, opts.ifAbsent === true);
    const row = toInsertRow(this.rules, record);
    if (!opts.ifAbsent) {
      await this.write('insert', [row]);
      return true;
    }
    return this.locked(async (log) => {
      if (this.state().has(row.key)) return { result: false };
      return { result: true, done: log.append([{ operation: 'insert', rows: [row], timestamp: Date.now() }]) };
    });
  }

  /** Insert many records as one log entry (one write, one fdatasync). All are checked before any is written. */
  async insertMany(records: readonly R[]): Promise<void> {
    if (!Array.isArray(records)) throw new TypeError('insertMany expects an array of records');
    if (this.versioning) return this.versioning.insertMany(records);
    const rows = records.map((r) => toInsertRow(this.rules, r));
    if (rows.length > 0) await this.write('insert', rows);
  }

  /** Merge the given columns into the row with this key; a missing key is ignored unless `mustExist`. */
  async update(partial: Partial<R>, opts: UpdateOptions = {}): Promise<UpdateResult<R> | undefined> {
    if (this.versioning) return this.versioning.update(partial, opts);
    if (opts.expectedVersion !== undefined) throw new SdnwalError('INVALID_OPTION', `table ${this.name} is not versioned: expectedVersion needs a table created with a conflict strategy`);
    const row = toUpdateRow(this.rules, partial);
    if (!opts.mustExist) return this.write('update', [row]).then(() => undefined);
    await this.locked(async (log) => {
      if (!this.state().has(row.key)) throw new SdnwalError('NOT_FOUND', `table ${this.name}: no row with key ${JSON.stringify(row.key)}`);
      return { result: undefined, done: log.append([{ operation: 'update', rows: [row], timestamp: Date.now() }]) };
    });
  }

  /** Delete the row with this key (nothing happens if there is none). */
  async delete(key: unknown): Promise<void> {
    if (this.versioning) return this.versioning.delete(key);
    await this.write('delete', [{ key: keyString(key, this.name) }]);
  }

  /**
   * Read-modify-write under the table lock, after catching up with every entry other processes
   * appended: `fn(current)` returns the new row, or undefined to write nothing. `fn` must be synchronous.
   */
  async modify(key: unknown, fn: (current: R | undefined) => R | undefined): Promise<R | undefined> {
    const k = keyString(key, this.name);
    if (typeof fn !== 'function') throw new TypeError('modify expects a function');
    return this.locked(async (log) => {
      const cur = this.state().get(k) as R | undefined;
      const next = fn(cur === undefined ? undefined : ({ ...cur } as R));
      if (next && typeof (next as unknown as Promise<unknown>).then === 'function') throw new TypeError('modify: fn must be synchronous (it returned a promise)');
      if (next === undefined) return { result: cur };
      // A versioned row gets the next version (and the time); the result is the row as stored.
      const row = this.versioning ? this.versioning.modified(k, next, cur) : toInsertRow(this.rules, next);
      if (row.key !== k) throw new SdnwalError('INVALID_RECORD', `modify: fn changed the key from ${JSON.stringify(k)} to ${JSON.stringify(row.key)}`);
      return { result: this.versioning ? ({ ...row.values } as R) : next, done: log.append([{ operation: 'insert', rows: [row], timestamp: Date.now() }]) };
    });
  }

  /** Run `fn` holding the lock, caught up; wait for its append's acknowledgement after releasing. */
  private async locked<T>(fn: (log: LockedLog) => Promise<{ result: T; done?: Promise<void> }>): Promise<T> {
    const w = this.guard('a checked write');
    const inner = new Set(holding.getStore() ?? []).add(this.paths.lock);
    const out = await w.withLock((log) => holding.run(inner, () => {
      this.catchUp();
      return fn(log);
    }));
    if (out.done) {
      this.onChange();
      await out.done;
    }
    return out.result;
  }

  /** Every method of a closed table is CLOSED (reads too: its store let go of its files). */
  private checkOpen(what: string): void {
    if (this.closed.signal.aborted) throw new SdnwalError('CLOSED', `table ${this.name} is closed (${what} after store.close())`);
  }

  /** @internal The caught-up state. */
  state(): Map<string, Record_> {
    this.checkOpen('a read');
    this.catchUp();
    return this.rows!;
  }

  private load(): void {
    const snap = loadSnapshot(this.paths.snapshot, { table: this.name, key: this.key });
    this.rows = snap?.rows ?? new Map();
    this.tombstones = readTombstones(this.paths.snapshot, snap?.meta, snap?.extra ?? []);
    this.follower = new LogFollower(this.paths, snap?.meta.absorbedSegment ?? 0, this.followIdentity());
  }

  /** What the log's segment headers must name (nothing to check before the table has an id). */
  private followIdentity(): { table: string; tableId: string } | undefined {
    return this.identity.tableId ? { table: this.name, tableId: this.identity.tableId } : undefined;
  }

  private catchUp(): void {
    for (let tries = 0; ; tries++) {
      if (!this.rows || !this.follower) this.load();
      const r = this.follower!.poll((w) => applyWrite(this.rows!, w, undefined, this.tombstones));
      if (!r.reload) return;
      if (tries > 5) throw new SdnwalError('CORRUPT_LOG', `table ${this.name}: the log keeps changing under the reader (segments missing above the snapshot)`);
      this.rows = undefined;
    }
  }

  /** The row with this key (keys compare as strings), or undefined. */
  async get(key: unknown): Promise<R | undefined> {
    const row = this.state().get(keyString(key, this.name));
    return row === undefined ? undefined : ({ ...row } as R);
  }

  /** Every row, in key insertion order. */
  async all(): Promise<R[]> {
    return [...this.state().values()].map((r) => ({ ...r }) as R);
  }

  /**
   * The number of rows. Before anything loaded the rows: the snapshot's row count when nothing is
   * logged above it, else the snapshot's keys and the logged writes' keys (no rows are built).
   */
  async count(): Promise<number> {
    this.checkOpen('count');
    if (!this.rows) {
      const n = countFromSnapshot(this.paths, this.name, this.key, this.followIdentity());
      if (n !== undefined) return n;
      // Nothing loaded yet: count keys without building rows (a scanner's or cron job's count),
      // kept caught up across calls.
      this.keyCount ??= new KeyCount(this.paths, this.name, this.key, () => this.followIdentity());
      return this.keyCount.count();
    }
    return this.state().size;
  }

  /** Fold the log into a fresh snapshot now (as `sdnwal compact`). */
  async compact(): Promise<CompactReport> {
    this.checkOpen('compact');
    const w = this.guard('compact');
    await w.flush();
    const report = await compactTable(this.paths, w, { force: true, key: this.key, inWorker: true });
    return report;
  }

  /** @internal The writer a compaction rolls with (undefined for read-only tables). */
  writerForCompaction(): LogWriter | undefined {
    return this.writer;
  }

  /**
   * Where this process's appends to the table spent their time (a diagnostic, printed by the
   * benchmark): means per batch of encode, write, publish, fdatasync and ack, and percentiles of
   * the wait for the table lock and of its hold, in µs. Undefined for a read-only table.
   */
  appendPhases(): AppendPhaseReport | undefined {
    return this.writer?.phases.report();
  }

  /** @internal */
  async flush(): Promise<void> {
    await this.writer?.flush();
  }

  /**
   * Committed writes of any process, in log order, from after the current end (or, with
   * `fromStart`, from just above the snapshot); ends when `signal` aborts or the store closes.
   * Each write is yielded exactly once, across rolls and compactions (see src/store/watch.ts).
   */
  watch(opts: WatchOptions = {}): AsyncIterableIterator<WatchEntry> {
    // A closed table's watch() is an iterator that has ended (a `for await` simply stops).
    return new LogWatcher(this.paths, this.identity, opts, this.closed.signal);
  }

  /** @internal */
  async close(): Promise<void> {
    this.closed.abort();
    await this.writer?.close();
  }
}

export type { CompactReport, WriteRequest };
