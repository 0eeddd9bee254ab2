/**
 * The seam between a Table and where its log and snapshots live (docs/architecture.md, "Backends").
 * A Table validates records, runs versioning and answers the public API; a TableLog holds the
 * caught-up state, appends writes and folds them into snapshots. Two implementations: the local
 * directory (store/local-log.ts, the embedded default) and NATS JetStream (src/nats/).
 */
import type { AppendPhaseReport } from '../wal/phases.js';
import type { WriteRequest } from '../wal/writer.js';
import type { Record_ } from '../replay/rules.js';
import type { CompactReport } from '../compaction/compactor.js';
import type { WatchEntry, WatchOptions } from './watch.js';

/** The table as of the last catch-up: rows by key string and, for versioned tables, deletes' versions. */
export interface TableView {
  readonly rows: Map<string, Record_>;
  /** Key → version of its delete (versioned tables). */
  readonly tombstones: Map<string, number>;
}

/** What a checked write's function appends with; its promise settles when the append is acknowledged. */
export interface CheckedAppend {
  append(writes: WriteRequest[]): Promise<void>;
}

/** A checked write's outcome: its result, and the acknowledgement of what it appended (if anything). */
export interface CheckedOutcome<T> {
  result: T;
  done?: Promise<void>;
}

/** A write as the Table makes it: operation, rows, timestamp (the log adds its own bookkeeping). */
export type { WriteRequest };

export interface TableLog {
  /** Identifies the table for re-entry checks (a checked write inside another of the same table). */
  readonly id: string;
  /** False for a read-only table: writes are refused before reaching the log. */
  readonly writable: boolean;
  /** The state caught up with every write acknowledged to any writer before the call. */
  view(): Promise<TableView>;
  /** The number of rows, caught up (may avoid building rows). */
  count(): Promise<number>;
  /** Append one write; resolves when acknowledged per the sync mode. */
  append(write: WriteRequest): Promise<void>;
  /**
   * Run `fn` on the caught-up view so that no other checked write lands between its read and its
   * append. The local log holds the table lock; a remote log may run `fn` again after catching up
   * when another writer got there first (optimistic concurrency), so `fn` must be synchronous in
   * effect and free of side effects beyond its return value.
   */
  checked<T>(fn: (view: TableView, log: CheckedAppend) => CheckedOutcome<T> | Promise<CheckedOutcome<T>>): Promise<T>;
  /** Wait until every append made so far is acknowledged. */
  flush(): Promise<void>;
  /**
   * Fold the log into a fresh snapshot now; with `minBytes`, only when the log above the snapshot
   * holds at least that much (auto-compaction). Another compaction running: a report with `skipped`.
   */
  compact(opts?: { minBytes?: number }): Promise<CompactReport>;
  /** Committed writes of any writer, in log order (see Table.watch). `closed` aborts when the table closes. */
  watch(opts: WatchOptions, closed: AbortSignal): AsyncIterableIterator<WatchEntry>;
  /** Where appends spent their time (local log only). */
  phases(): AppendPhaseReport | undefined;
  close(): Promise<void>;
}

/** A table's definition as stored with it (a table that exists needs no options in another process). */
export interface TableDefinition {
  key: string;
  /** Declared columns (a versioned table's end with version and last_modified), or null. */
  columns: readonly string[] | null;
  /** Versioned tables: the conflict strategy chosen at creation. */
  conflict: import('./options.js').ConflictStrategy | undefined;
}

/** What a backend gives Store.table(): the stored definition and the table's log. */
export interface OpenedTable {
  definition: TableDefinition;
  log: TableLog;
  /** Local tables: their files. */
  paths?: import('../wal/paths.js').TablePaths;
}

/** Where a store's tables live: a local directory (the default) or a NATS JetStream cluster. */
export interface StoreBackend {
  /** The directory path or the server URL(s), as shown in messages. */
  readonly location: string;
  /** Names of the tables that exist, sorted. */
  listTables(): Promise<string[]>;
  /**
   * Open the table, creating it from `opts` (key, columns, conflict) when it does not exist and
   * the store is writable; NOT_FOUND for a missing table of a read-only store, INVALID_OPTION when
   * it does not exist and `opts.key` is missing. Store.table() checks the options against the
   * returned definition (SCHEMA_MISMATCH). `check`, when given, is called with the definition before
   * the backend makes anything for writing (a local table's log), so a table opened with the wrong
   * options is refused before it changes anything more.
   */
  openTable(name: string, opts: import('./options.js').TableOptions, check?: (definition: TableDefinition) => void): Promise<OpenedTable>;
  close(): Promise<void>;
}
