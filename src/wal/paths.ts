/** Table names and the file paths of a table inside a store directory (docs/protocol.md §1). */
import fs from 'node:fs';
import path from 'node:path';
import { SdnwalError, UnsafePathError } from '../errors.js';

/** The table-name rule as regex source, for patterns that match a table's files by name. */
export const TABLE_NAME_SOURCE = '[A-Za-z0-9_-]{1,64}';

/** Table names are plain words, so a name can never escape the store directory. */
export const TABLE_NAME_PATTERN = new RegExp(`^${TABLE_NAME_SOURCE}$`);

/** A file that marks a table in a store directory (its snapshot or its log): group 1 is the table. */
export const TABLE_DATA_FILE = new RegExp(`^(${TABLE_NAME_SOURCE})\\.(sdn|wal)$`);

export class InvalidTableNameError extends SdnwalError {
  /** `reason`: what is wrong and what to do; by default the rule above. */
  constructor(name: unknown, reason = "use 1-64 letters, digits, '_' or '-'") {
    super('INVALID_TABLE_NAME', `invalid table name ${JSON.stringify(String(name))}: ${reason}`);
  }
}

export function assertTableName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !TABLE_NAME_PATTERN.test(name)) throw new InvalidTableNameError(name);
}

export interface TablePaths {
  dir: string;
  table: string;
  snapshot: string;
  snapshotTmp: string;
  snapshotPrev: string;
  lock: string;
  compactLock: string;
  wal: string;
  spool: string;
  quarantine: string;
}

/**
 * The paths of `table` in store `dir`. Its log, spool and quarantine folders must not be symbolic
 * links (UNSAFE_PATH): files are created in them, which would then land outside the store.
 */
export function tablePaths(dir: string, table: string): TablePaths {
  assertTableName(table);
  const d = path.resolve(dir);
  const base = path.join(d, table);
  for (const folder of [`${base}.wal`, `${base}.spool`, path.join(d, 'quarantine')]) {
    if (fs.lstatSync(folder, { throwIfNoEntry: false })?.isSymbolicLink()) throw new UnsafePathError(folder);
  }
  return {
    dir: d,
    table,
    snapshot: `${base}.sdn`,
    snapshotTmp: `${base}.sdn.tmp`,
    snapshotPrev: `${base}.sdn.prev`,
    lock: `${base}.lock`,
    compactLock: `${base}.compact.lock`,
    wal: `${base}.wal`,
    spool: `${base}.spool`,
    quarantine: path.join(d, 'quarantine'),
  };
}
