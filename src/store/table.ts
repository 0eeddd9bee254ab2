/**
 * The public Table: validated writes, versioning and read-modify-write over the table's log
 * (a TableLog: the local directory or NATS JetStream, store/table-log.ts), which holds the
 * caught-up state and appends.
 */
import type { AppendPhaseReport } from '../wal/phases.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { SdnwalError } from '../errors.js';
import type { CompactReport } from '../compaction/compactor.js';
import type { PendingWrite, Row } from '../wal/entry.js';
import type { TablePaths } from '../wal/paths.js';
import type { Record_ } from '../replay/rules.js';
import type { LockedLog, WriteRequest } from '../wal/writer.js';
import type { ConflictStrategy } from './options.js';
import type { TableLog, TableView } from './table-log.js';
import { type UpdateResult, Versioning, type VersionSettings } from './versioning.js';
import type { WatchEntry, WatchOptions } from './watch.js';
import { keyString, type RecordRules, toInsertRow, toUpdateRow } from './record.js';

/**
 * The checked writes the current async context is inside: log id → the view it runs on (re-entry
 * into the same table would deadlock on its lock; versioning reads the view synchronously).
 */
const holding = new AsyncLocalStorage<ReadonlyMap<string, TableView>>();

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
  key: string;
  /** The declared columns, or null when none are. */
  columns: readonly string[] | null;
  /** Where the rows live and writes go. */
  log: TableLog;
  /** Local tables: their files. */
  paths?: TablePaths;
  schema: RecordRules['schema'];
  /** Called after every write this table makes (the store's auto-compaction hook). */
  onChange?: () => void;
  /** Versioned tables: the conflict strategy (and merge function). */
  versioning?: VersionSettings<R>;
  /** TableOptions.portableNames: false lets records hold names Simple's SDN parser cannot read. */
  portableNames?: boolean;
}

export class Table<R extends Record_ = Record_> {
  private readonly rules: RecordRules;
  private readonly versioning: Versioning<R> | undefined;
  /** Aborted at close: ends every watch() of this table. */
  private readonly closed = new AbortController();
  private readonly log: TableLog;
  private readonly onChange: () => void;
  private readonly localPaths: TablePaths | undefined;

  readonly name: string;
  readonly key: string;
  readonly columns: readonly string[] | null;

  /** @internal Made by Store.table(). */
  constructor(init: TableInit<R>) {
    this.name = init.name;
    this.key = init.key;
    this.columns = init.columns;
    this.log = init.log;
    this.localPaths = init.paths;
    this.onChange = init.onChange ?? (() => {});
    const { name, key, columns, schema, versioning, portableNames } = init;
    this.rules = { table: name, key, columns, schema, portableNames };
    this.versioning = versioning && new Versioning<R>({ rules: this.rules, state: () => this.inChecked().rows, tombstones: () => this.inChecked().tombstones, locked: (fn) => this.locked(fn) }, versioning);
  }

  /** The table's files (local stores only; a NATS table has none: UNSUPPORTED). */
  get paths(): TablePaths {
    if (!this.localPaths) throw new SdnwalError('UNSUPPORTED', `table ${this.name} is not in a local directory: it has no files`);
    return this.localPaths;
  }

  /** The conflict strategy of a versioned table (rows carry `version` and `last_modified`), else undefined. */
  get conflict(): ConflictStrategy | undefined {
    return this.versioning?.settings.conflict;
  }

  private guard(what: string): TableLog {
    this.checkOpen(what);
    if (holding.getStore()?.has(this.log.id)) throw new SdnwalError('REENTRANT', `${what} on table ${this.name} from inside its own modify(): the table lock is already held by this call`);
    if (!this.log.writable) throw new SdnwalError('INVALID_OPTION', `table ${this.name} is open read-only`);
    return this.log;
  }

  private write(operation: PendingWrite['operation'], rows: Row[]): Promise<void> {
    const log = this.guard(operation);
    const p = log.append({ operation, rows, timestamp: Date.now() });
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
      if (this.inChecked().rows.has(row.key)) return { result: false };
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
      if (!this.inChecked().rows.has(row.key)) throw new SdnwalError('NOT_FOUND', `table ${this.name}: no row with key ${JSON.stringify(row.key)}`);
      return { result: undefined, done: log.append([{ operation: 'update', rows: [row], timestamp: Date.now() }]) };
    });
  }

  /** Delete the row with this key (nothing happens if there is none). */
  async delete(key: unknown): Promise<void> {
    if (this.versioning) return this.versioning.delete(key);
    await this.write('delete', [{ key: keyString(key, this.name) }]);
  }

  /**
   * Read-modify-write, caught up with every entry other writers appended, with no other checked
   * write between the read and the write: `fn(current)` returns the new row, or undefined to write
   * nothing. `fn` must be synchronous (a remote log may call it again after catching up).
   */
  async modify(key: unknown, fn: (current: R | undefined) => R | undefined): Promise<R | undefined> {
    const k = keyString(key, this.name);
    if (typeof fn !== 'function') throw new TypeError('modify expects a function');
    return this.locked(async (log) => {
      const cur = this.inChecked().rows.get(k) as R | undefined;
      const next = fn(cur === undefined ? undefined : ({ ...cur } as R));
      if (next && typeof (next as unknown as Promise<unknown>).then === 'function') throw new TypeError('modify: fn must be synchronous (it returned a promise)');
      if (next === undefined) return { result: cur };
      // A versioned row gets the next version (and the time); the result is the row as stored.
      const row = this.versioning ? this.versioning.modified(k, next, cur) : toInsertRow(this.rules, next);
      if (row.key !== k) throw new SdnwalError('INVALID_RECORD', `modify: fn changed the key from ${JSON.stringify(k)} to ${JSON.stringify(row.key)}`);
      return { result: this.versioning ? ({ ...row.values } as R) : next, done: log.append([{ operation: 'insert', rows: [row], timestamp: Date.now() }]) };
    });
  }

  /** Run `fn` as a checked write of the log (caught up, nothing between its read and its append). */
  private async locked<T>(fn: (log: LockedLog) => Promise<{ result: T; done?: Promise<void> }>): Promise<T> {
    const log = this.guard('a checked write');
    let appended = false;
    const result = await log.checked((view, append) => holding.run(new Map(holding.getStore() ?? []).set(log.id, view), () => fn({
      append: (writes) => {
        appended = true;
        return append.append(writes);
      },
    } as LockedLog)));
    if (appended) this.onChange();
    return result;
  }

  /** The view of the running checked write. */
  private inChecked(): TableView {
    const view = holding.getStore()?.get(this.log.id);
    if (!view) throw new Error('internal: table state read outside a checked write');
    return view;
  }

  /** Every method of a closed table is CLOSED (reads too: its store let go of its files). */
  private checkOpen(what: string): void {
    if (this.closed.signal.aborted) throw new SdnwalError('CLOSED', `table ${this.name} is closed (${what} after store.close())`);
  }

  /** @internal The caught-up rows. */
  async state(): Promise<Map<string, Record_>> {
    this.checkOpen('a read');
    return (await this.log.view()).rows;
  }

  /** The row with this key (keys compare as strings), or undefined. */
  async get(key: unknown): Promise<R | undefined> {
    const k = keyString(key, this.name);
    const row = (await this.state()).get(k);
    return row === undefined ? undefined : ({ ...row } as R);
  }

  /** Every row, in key insertion order. */
  async all(): Promise<R[]> {
    return [...(await this.state()).values()].map((r) => ({ ...r }) as R);
  }

  /** The number of rows (without building rows where the log can). */
  async count(): Promise<number> {
    this.checkOpen('count');
    return this.log.count();
  }

  /** Fold the log into a fresh snapshot now (as `sdnwal compact`). */
  async compact(): Promise<CompactReport> {
    return this.guard('compact').compact();
  }

  /** @internal Auto-compaction: only when the log above the snapshot holds at least `minBytes`. */
  compactIfAbove(minBytes: number): Promise<CompactReport> {
    return this.guard('compact').compact({ minBytes });
  }

  /**
   * Where this process's appends to the table spent their time (a diagnostic, printed by the
   * benchmark): means per batch of encode, write, publish, fdatasync and ack, and percentiles of
   * the wait for the table lock and of its hold, in µs. Undefined for a read-only table.
   */
  appendPhases(): AppendPhaseReport | undefined {
    return this.log.phases();
  }

  /** @internal */
  async flush(): Promise<void> {
    await this.log.flush();
  }

  /**
   * Committed writes of any process, in log order, from after the current end (or, with
   * `fromStart`, from just above the snapshot); ends when `signal` aborts or the store closes.
   * Each write is yielded exactly once, across rolls and compactions (see src/store/watch.ts).
   */
  watch(opts: WatchOptions = {}): AsyncIterableIterator<WatchEntry> {
    // A closed table's watch() is an iterator that has ended (a `for await` simply stops).
    return this.log.watch(opts, this.closed.signal);
  }

  /** @internal */
  async close(): Promise<void> {
    this.closed.abort();
    await this.log.close();
  }
}

export type { CompactReport, WriteRequest };
