/** sdnwal: the store API. SDN on its own is `sdnwal/sdn`. */
export * from './errors.js';
export { openStore, Store, SchemaMismatchError } from './store/store.js';
export { Table, type InsertOptions, type UpdateOptions } from './store/table.js';
export type { StoreOptions, TableOptions, SyncMode, RecoveryPolicy, ConflictStrategy } from './store/options.js';
export { InvalidRecordError } from './store/record.js';
export { InvalidTableNameError } from './wal/paths.js';
export { simpleTables, TodoSchema, FeatureSchema, TaskSchema, TODO_COLUMNS, FEATURE_COLUMNS, TASK_COLUMNS, type Todo, type Feature, type Task } from './store/schemas.js';
export { VERSION_COLUMN, LAST_MODIFIED_COLUMN, type UpdateResult } from './store/versioning.js';
export { WatchGapError, type WatchEntry, type WatchOptions } from './store/watch.js';
export { recover, verify, formatRecoveryReport, formatVerifyReport, type RecoverOptions, type RecoveryReport, type TableRecovery, type VerifyOptions, type VerifyReport, type TableVerify, type Finding } from './recovery/index.js';
// ReedBase parity: the table lock and the write queue on their own (docs/locking.md, "Spool"; docs/protocol.md §1, §7).
export { FileLock, acquireLock, isLocked, waitForUnlock } from './wal/lock.js';
export { Spool, QueueFullError } from './wal/spool.js';
export { tablePaths, type TablePaths } from './wal/paths.js';
export type { PendingWrite, Row, Operation } from './wal/entry.js';
export type { CompactReport } from './compaction/compactor.js';
export { toCsv, csvHeader, CSV_EOL } from './store/csv.js';
