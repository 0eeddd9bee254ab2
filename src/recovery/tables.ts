/** Which tables a store directory holds, and which of its entries belong to no table (stray). */
import fs from 'node:fs';
import path from 'node:path';
import { SdnwalError } from '../errors.js';
import { TABLE_NAME_SOURCE } from '../wal/paths.js';

/** A table exists once it has a snapshot, a log directory or a lock file (docs/protocol.md §1). */
const TABLE_MARK = new RegExp(`^(${TABLE_NAME_SOURCE})\\.(sdn|wal|lock)$`);

/** Every name a table owns, given its name (docs/protocol.md §1 and the atomic-replace temp files). */
const TABLE_FILE = new RegExp(`^(${TABLE_NAME_SOURCE})\\.(sdn|sdn\\.prev|sdn\\.tmp|sdn\\.prev\\.tmp|lock|compact\\.lock|wal|spool)$`);

export const QUARANTINE_DIR = 'quarantine';

/** The directory must exist; recovery and verify never create a store. */
export function assertStoreDir(dir: string): string {
  const abs = path.resolve(dir);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new SdnwalError('NOT_FOUND', `no store at ${abs}`, { cause: err });
    throw new SdnwalError('IO_ERROR', `cannot read ${abs}: ${(err as Error).message}`, { cause: err });
  }
  if (!st.isDirectory()) throw new SdnwalError('NOT_FOUND', `no store at ${abs}: not a directory`);
  return abs;
}

/** Table names in `dir`, sorted. */
export function listTables(dir: string): string[] {
  const names = new Set<string>();
  for (const f of fs.readdirSync(dir)) {
    const m = TABLE_MARK.exec(f);
    if (m) names.add(m[1]!);
  }
  return [...names].sort();
}

/** Entries of `dir` that are neither a table's file nor the quarantine folder. */
export function strayEntries(dir: string, tables: readonly string[]): string[] {
  const known = new Set(tables);
  return fs
    .readdirSync(dir)
    .filter((f) => {
      if (f === QUARANTINE_DIR) return false;
      const m = TABLE_FILE.exec(f);
      return !(m && known.has(m[1]!));
    })
    .sort();
}
