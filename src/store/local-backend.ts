/**
 * The local directory backend (the embedded default): one table is a snapshot, a log directory
 * and its lock files in the store directory (docs/protocol.md §1). Opening a table that does not
 * exist creates its initial snapshot under both locks.
 */
import fs from 'node:fs';
import { SdnwalError } from '../errors.js';
import { readSnapshotMeta, type SnapshotMeta } from '../snapshot/meta.js';
import { tableIdFromLog } from '../wal/log-id.js';
import { TABLE_DATA_FILE, tablePaths, type TablePaths } from '../wal/paths.js';
import { newTableId } from '../wal/segment.js';
import type { LogWriter } from '../wal/writer.js';
import { LocalTableLog } from './local-log.js';
import type { ResolvedStoreOptions, TableOptions } from './options.js';
import { checkNewTableNames } from './portable-names.js';
import type { OpenedTable, StoreBackend, TableDefinition } from './table-log.js';
import { storedConflict, withVersionColumns } from './versioning.js';

export function noKeyError(name: string): SdnwalError {
  return new SdnwalError('INVALID_OPTION', `table ${name} does not exist yet: give its key column (store.table('${name}', { key: 'id', ... }))`);
}

function declaredColumns(meta: SnapshotMeta | undefined): string[] | null {
  return meta && meta.columns.length > 0 ? meta.columns : null;
}

export class LocalBackend implements StoreBackend {
  constructor(
    /** The store directory, absolute. */
    readonly location: string,
    private readonly options: ResolvedStoreOptions,
  ) {}

  async listTables(): Promise<string[]> {
    const names = new Set<string>();
    for (const f of fs.readdirSync(this.location)) {
      const m = TABLE_DATA_FILE.exec(f);
      if (m) names.add(m[1]!);
    }
    return [...names].sort();
  }

  async openTable(name: string, o: TableOptions, check?: (definition: TableDefinition) => void): Promise<OpenedTable> {
    const paths = tablePaths(this.location, name);
    let meta = readSnapshotMeta(paths.snapshot, { key: o.key });
    const exists = meta !== undefined || fs.existsSync(paths.wal);
    if (!exists && this.options.readOnly) throw new SdnwalError('NOT_FOUND', `no table ${name} in ${this.location}`);
    // Refuse before taking the locks, whose files would be left behind as a phantom table.
    if (!exists && !o.key && !fs.existsSync(paths.lock)) throw noKeyError(name);
    if (!exists) checkNewTableNames(name, o); // a new table's names must be portable (portable-names.ts)
    let tableId = meta?.tableId ?? tableIdFromLog(paths);
    if (!this.options.readOnly && (!meta || !tableId)) ({ meta, tableId } = await this.create(name, paths, o));
    const key = meta?.key ?? o.key;
    if (!key) throw new SdnwalError('INVALID_OPTION', `table ${name}: its snapshot names no key column; give one (store.table('${name}', { key: 'id' }))`);
    // Versioning is part of the table's definition, stored in its snapshot's meta when it was created.
    const conflict = meta ? storedConflict(paths.snapshot, meta.conflict) : o.conflict;
    const definition: TableDefinition = { key, columns: declaredColumns(meta), conflict };
    // Before the writer: a table opened with other options than its own gets no log made for it.
    check?.(definition);
    const identity = { table: name, tableId };
    const writer = this.options.readOnly ? undefined : await this.writer(name, paths, tableId!, o);
    if (writer && !fs.existsSync(paths.wal)) {
      try {
        await writer.ensureLog();
      } catch (err) {
        // The writer holds the lock file open for its life: a table that failed to open lets go of it.
        await writer.close();
        throw err;
      }
    }
    return {
      definition,
      log: new LocalTableLog({ name, paths, key, identity, writer }),
      paths,
    };
  }

  /**
   * Creating or adopting: decide the table id and definition once, under the table lock. The
   * snapshot is written through `.sdn.tmp`, which another process's recovery deletes unless
   * compact.lock is held (docs/protocol.md §9 step 2): so hold it too, taken first (§1 lock order).
   */
  private async create(name: string, paths: TablePaths, o: TableOptions): Promise<{ meta: SnapshotMeta | undefined; tableId: string }> {
    const timeoutMs = this.options.lockTimeoutMs;
    const [{ FileLock }, { createInitialSnapshot }] = await Promise.all([import('../wal/lock.js'), import('../snapshot/atomic.js')]);
    const compactLock = FileLock.for(paths.compactLock);
    await compactLock.acquire({ timeoutMs });
    const lock = FileLock.for(paths.lock);
    try {
      await lock.acquire({ timeoutMs });
    } catch (err) {
      compactLock.release();
      throw err;
    }
    try {
      let meta = readSnapshotMeta(paths.snapshot, { key: o.key });
      let tableId = meta?.tableId ?? tableIdFromLog(paths);
      if (!meta) {
        if (!o.key) throw noKeyError(name);
        tableId ??= newTableId();
        createInitialSnapshot(paths, { key: o.key, columns: o.columns ? (o.conflict ? withVersionColumns(o.columns) : [...o.columns]) : null, conflict: o.conflict ?? null }, tableId);
        meta = readSnapshotMeta(paths.snapshot, { key: o.key });
      }
      return { meta, tableId: tableId ?? newTableId() };
    } finally {
      lock.release();
      compactLock.release();
    }
  }

  /** The table's writer (loaded only for a writable store: read-only commands never load it). */
  private async writer(name: string, paths: TablePaths, tableId: string, o: TableOptions): Promise<LogWriter> {
    const { LogWriter, writerOptions } = await import('../wal/writer.js');
    const s = this.options;
    const nextSegment = () => (readSnapshotMeta(paths.snapshot)?.absorbedSegment ?? 0) + 1;
    return new LogWriter(paths, { table: name, tableId }, nextSegment, writerOptions({
      sync: o.sync ?? s.sync,
      inlineSync: s.inlineSync,
      batchMs: s.batchMs,
      batchBytes: s.batchBytes,
      segmentBytes: s.segmentBytes,
      maxEntryBytes: s.maxEntryBytes,
      lockTimeoutMs: o.lockTimeoutMs ?? s.lockTimeoutMs,
      onLockTimeout: o.onLockTimeout ?? 'error',
      trustedValues: true,
    }));
  }

  async close(): Promise<void> {}
}
