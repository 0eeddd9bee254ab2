/**
 * `sdn set|fmt` on a table's own snapshot (`db/<table>.sdn` written by sdnwal): the edit holds the
 * table's compact.lock (docs/protocol.md §9), so no compaction overwrites it or races its temp file,
 * and the snapshot is rewritten by the snapshot writer, so its meta, row count and rows CRC stay
 * true and readers and recovery accept it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeSnapshotAtomic } from '../../../snapshot/atomic.js';
import { loadSnapshot } from '../../../snapshot/load.js';
import { readSnapshotMeta, type SnapshotMeta } from '../../../snapshot/meta.js';
import type { SdnValue } from '../../../sdn/index.js';
import { FileLock } from '../../../wal/lock.js';
import { TABLE_NAME_PATTERN, tablePaths } from '../../../wal/paths.js';
import { UserError } from '../../command.js';

/** The snapshot meta if `file` is a store table's snapshot (has sdnwal meta and a lock or log beside it). */
export function tableSnapshotMeta(file: string): SnapshotMeta | undefined {
  const m = /^(.+)\.sdn$/.exec(path.basename(file));
  if (!m || !TABLE_NAME_PATTERN.test(m[1]!)) return undefined;
  const base = path.join(path.dirname(file), m[1]!);
  if (!fs.existsSync(`${base}.lock`) && !fs.existsSync(`${base}.wal`)) return undefined;
  try {
    const meta = readSnapshotMeta(file);
    return meta && !meta.adopted && meta.tableId ? meta : undefined;
  } catch {
    return undefined;
  }
}

/** Set `<section>.<row>.<column>` in a table snapshot, under its compact.lock. */
export function setInTableSnapshot(file: string, meta: SnapshotMeta, dotted: string, value: SdnValue): void {
  const [section, rowArg, column, ...rest] = dotted.split('.');
  const where = `${meta.section}.<row>.<column>`;
  if (section !== meta.section || rowArg === undefined || column === undefined || rest.length > 0 || !/^\d+$/.test(rowArg)) {
    throw new UserError(`${file} is the snapshot of table ${meta.table}: only cells can be set (${where}); its meta belongs to the store`);
  }
  const paths = tablePaths(path.dirname(file), meta.table);
  const lock = FileLock.for(paths.compactLock);
  if (!lock.tryAcquire()) throw new UserError(`compaction of ${meta.table} is running; try again when it is done`);
  try {
    const snap = loadSnapshot(paths.snapshot, { table: meta.table, key: meta.key })!;
    const rows = [...snap.rows.values()];
    const row = rows[Number(rowArg)];
    if (!row) throw new UserError(`${file}: table ${meta.table} has ${rows.length} rows, no row ${rowArg}`);
    if (column === meta.key) {
      const key = String(value);
      if (value === null || typeof value === 'object' || key === '') throw new UserError(`the key column ${meta.key} needs a string or number`);
      if (rows.some((r) => r !== row && String(r[meta.key!]) === key)) throw new UserError(`table ${meta.table} has a row with key ${JSON.stringify(key)} already`);
    }
    row[column] = value;
    writeSnapshotAtomic(paths, { ...snap.meta, rowCount: rows.length, writtenAt: undefined }, rows, snap.extra);
  } finally {
    lock.release();
  }
}
