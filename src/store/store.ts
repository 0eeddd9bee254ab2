/** The Store: a directory of tables. openStore() runs recovery first; store.table() opens or creates a table. */
import fs from 'node:fs';
import path from 'node:path';
import { SdnwalError } from '../errors.js';
import { fsyncDir, io } from '../io.js';
import { recoverStoreOnOpen, type RecoveryReport } from '../recovery/index.js';
import { createInitialSnapshot } from '../snapshot/atomic.js';
import { compactTable } from '../snapshot/compactor.js';
import { readSnapshotMeta, type SnapshotMeta } from '../snapshot/meta.js';
import { FileLock } from '../wal/lock.js';
import { tableIdFromLog } from '../wal/log-id.js';
import { TABLE_DATA_FILE, tablePaths, type TablePaths } from '../wal/paths.js';
import type { Record_ } from '../wal/replay.js';
import { newTableId } from '../wal/segment.js';
import { LogWriter, writerOptions } from '../wal/writer.js';
import { checkTableOptions, resolveStoreOptions, type ResolvedStoreOptions, type StoreOptions, type TableOptions, type ConflictStrategy } from './options.js';
import { Table } from './table.js';
import { storedConflict, withVersionColumns } from './versioning.js';

export class SchemaMismatchError extends SdnwalError {
  constructor(message: string) {
    super('SCHEMA_MISMATCH', message);
  }
}

function noKeyError(name: string): SdnwalError {
  return new SdnwalError('INVALID_OPTION', `table ${name} does not exist yet: give its key column (store.table('${name}', { key: 'id', ... }))`);
}

function declaredColumns(meta: SnapshotMeta | undefined): string[] | null {
  return meta && meta.columns.length > 0 ? meta.columns : null;
}

export class Store {
  private readonly tables = new Map<string, Table<Record_>>();
  /** Tables being opened, so two concurrent table() calls share one writer. */
  private readonly opening = new Map<string, Promise<Table<Record_>>>();
  /** What recovery found and did when the store was opened (undefined for read-only stores). */
  recovery: RecoveryReport | undefined;
  private closing: Promise<void> | undefined;
  private compactTimer: NodeJS.Timeout | undefined;

  /** @internal Use openStore(). */
  constructor(
    readonly dir: string,
    readonly options: ResolvedStoreOptions,
  ) {}

  /** Names of the tables in the store directory (a snapshot or a log). */
  listTables(): string[] {
    const names = new Set<string>();
    for (const f of fs.readdirSync(this.dir)) {
      const m = TABLE_DATA_FILE.exec(f);
      if (m) names.add(m[1]!);
    }
    return [...names].sort();
  }

  /** Open (or create) a table. Reopening with other key or columns is SCHEMA_MISMATCH, never a silent change. */
  async table<R extends Record_ = Record_>(name: string, opts?: TableOptions<R>): Promise<Table<R>> {
    if (this.closing) throw new SdnwalError('CLOSED', 'the store is closed');
    const o = checkTableOptions(opts as TableOptions);
    const paths = tablePaths(this.dir, name);
    const pending = this.opening.get(name);
    if (pending) await pending.catch(() => undefined);
    const open = this.tables.get(name);
    if (open) {
      this.checkSame(name, open.key, open.columns, o, open.conflict);
      return open as unknown as Table<R>;
    }
    const p = this.openTable<R>(name, paths, o);
    this.opening.set(name, p as unknown as Promise<Table<Record_>>);
    try {
      return await p;
    } finally {
      this.opening.delete(name);
    }
  }

  private async openTable<R extends Record_>(name: string, paths: TablePaths, o: TableOptions): Promise<Table<R>> {
    let meta = readSnapshotMeta(paths.snapshot, { key: o.key });
    const exists = meta !== undefined || fs.existsSync(paths.wal);
    if (!exists && this.options.readOnly) throw new SdnwalError('NOT_FOUND', `no table ${name} in ${this.dir}`);
    // Refuse before taking the locks, whose files would be left behind as a phantom table.
    if (!exists && !o.key && !fs.existsSync(paths.lock)) throw noKeyError(name);
    let tableId = meta?.tableId ?? tableIdFromLog(paths);
    if (!this.options.readOnly && (!meta || !tableId)) {
      // Creating or adopting: decide the table id and definition once, under the table lock.
      // The snapshot is written through `.sdn.tmp`, which another process's recovery deletes
      // unless compact.lock is held (docs/protocol.md §9 step 2): so hold it too, taken first (§1 lock order).
      const compactLock = FileLock.for(paths.compactLock);
      await compactLock.acquire({ timeoutMs: this.options.lockTimeoutMs });
      const lock = FileLock.for(paths.lock);
      try {
        await lock.acquire({ timeoutMs: this.options.lockTimeoutMs });
      } catch (err) {
        compactLock.release();
        throw err;
      }
      try {
        meta = readSnapshotMeta(paths.snapshot, { key: o.key });
        tableId = meta?.tableId ?? tableIdFromLog(paths);
        if (!meta) {
          if (!o.key) throw noKeyError(name);
          tableId ??= newTableId();
          createInitialSnapshot(paths, { key: o.key, columns: o.columns ? (o.conflict ? withVersionColumns(o.columns) : [...o.columns]) : null, conflict: o.conflict ?? null }, tableId);
          meta = readSnapshotMeta(paths.snapshot, { key: o.key });
        }
        tableId ??= newTableId();
      } finally {
        lock.release();
        compactLock.release();
      }
    }
    const key = meta?.key ?? o.key;
    if (!key) throw new SdnwalError('INVALID_OPTION', `table ${name}: its snapshot names no key column; give one (store.table('${name}', { key: 'id' }))`);
    const columns = declaredColumns(meta);
    // Versioning is part of the table's definition, stored in its snapshot's meta when it was created.
    const conflict = meta ? storedConflict(paths.snapshot, meta.conflict) : o.conflict;
    this.checkSame(name, key, columns, o, conflict);
    const identity = { table: name, tableId };
    const writer = this.options.readOnly
      ? undefined
      : new LogWriter(paths, { table: name, tableId: tableId! }, () => (readSnapshotMeta(paths.snapshot)?.absorbedSegment ?? 0) + 1, writerOptions({
          sync: o.sync ?? this.options.sync,
          inlineSync: this.options.inlineSync,
          batchMs: this.options.batchMs,
          batchBytes: this.options.batchBytes,
          segmentBytes: this.options.segmentBytes,
          maxEntryBytes: this.options.maxEntryBytes,
          lockTimeoutMs: o.lockTimeoutMs ?? this.options.lockTimeoutMs,
          onLockTimeout: o.onLockTimeout ?? 'error',
          trustedValues: true,
        }));
    if (writer && !fs.existsSync(paths.wal)) await writer.ensureLog();
    const given = o.columns ? (conflict ? withVersionColumns(o.columns) : [...o.columns]) : null;
    const versioning = conflict ? { conflict, merge: o.merge as never } : undefined;
    const t = new Table<R>({ name, paths, key, columns: columns ?? given, identity, writer, schema: o.schema as never, versioning });
    this.tables.set(name, t as unknown as Table<Record_>);
    return t;
  }

  private checkSame(name: string, key: string, columns: readonly string[] | null, o: TableOptions, conflict: ConflictStrategy | undefined): void {
    if (o.key && o.key !== key) throw new SchemaMismatchError(`table ${name} has key column ${JSON.stringify(key)}, not ${JSON.stringify(o.key)}`);
    if (o.conflict && o.conflict !== conflict) {
      throw new SchemaMismatchError(conflict ? `table ${name} has conflict strategy ${conflict}, not ${o.conflict}` : `table ${name} is not versioned: versioning (the conflict option) is chosen when a table is created`);
    }
    if (o.merge && conflict !== 'merge') throw new SdnwalError('INVALID_OPTION', `table ${name}: a merge function is used only with conflict: 'merge' (the table's strategy is ${conflict ?? 'none'})`);
    // A versioned table's stored columns end with version and last_modified; callers need not name them.
    const declared = o.columns && conflict ? withVersionColumns(o.columns) : o.columns;
    if (declared && columns && declared.join('\u0000') !== columns.join('\u0000')) {
      throw new SchemaMismatchError(`table ${name} has columns ${columns.join(', ')}; it was opened with ${declared.join(', ')}`);
    }
  }

  /** Wait for pending writes and close every table. */
  async close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.compactTimer);
      // A running auto-compaction finishes first (its fold runs in a worker thread).
      await this.autoCompacting;
      for (const t of this.tables.values()) await t.close();
    })();
    return this.closing;
  }

  /**
   * In-process compaction (openStore's `autoCompact`): every `everyMs`, each open table whose log
   * above the snapshot holds at least `afterBytes`. Errors are kept in `lastAutoCompactError`
   * (a compaction that fails leaves the old snapshot and the log as they were).
   */
  lastAutoCompactError: unknown;
  private autoCompacting: Promise<void> | undefined;

  /** @internal */
  startAutoCompact(everyMs: number, afterBytes: number): void {
    this.compactTimer = setInterval(() => {
      if (this.autoCompacting || this.closing) return;
      this.autoCompacting = (async () => {
        for (const t of this.tables.values()) {
          try {
            await compactTable(t.paths, t.writerForCompaction(), { force: false, key: t.key, minBytes: afterBytes, inWorker: true });
          } catch (err) {
            this.lastAutoCompactError = err;
          }
        }
      })().finally(() => (this.autoCompacting = undefined));
    }, everyMs);
    this.compactTimer.unref();
  }

  get openTables(): Table<Record_>[] {
    return [...this.tables.values()];
  }
}

/** Open a store directory (created if missing unless readOnly); runs recovery first. */
export async function openStore(dir: string, options?: StoreOptions): Promise<Store> {
  if (typeof dir !== 'string' || dir.length === 0 || dir.includes('\0')) throw new SdnwalError('INVALID_OPTION', `Expected \`dir\` to be a directory path, got \`${String(dir)}\``);
  const opts = resolveStoreOptions(options);
  const abs = path.resolve(dir);
  if (opts.readOnly) {
    if (!fs.existsSync(abs)) throw new SdnwalError('NOT_FOUND', `no store at ${abs}`);
  } else if (!fs.existsSync(abs)) {
    io.mkdirSync(abs);
    fsyncDir(path.dirname(abs));
  }
  const store = new Store(abs, opts);
  if (!opts.readOnly) {
    store.recovery = await recoverStoreOnOpen(abs, opts.recovery);
    if (opts.autoCompact) store.startAutoCompact(opts.autoCompact.everyMs, opts.autoCompact.afterBytes);
  }
  return store;
}
