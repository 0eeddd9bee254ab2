/**
 * count() of a table whose log holds writes above its snapshot, without building rows: the keys
 * of the snapshot, then each logged write's operation and row keys read from its msgpack bytes
 * (wal/entry-keys.ts), values skipped. Replay's rule on a set of keys: an insert adds, a delete
 * removes, an update of a missing key is ignored (so it changes nothing).
 */
import { SdnwalError } from '../errors.js';
import { loadSnapshot, type RowTarget } from '../snapshot/load.js';
import type { Operation } from '../wal/entry.js';
import { type EntryKeys, readEntryKeys } from '../wal/entry-keys.js';
import { KeyByteSet } from './key-byte-set.js';
import type { TablePaths } from '../wal/paths.js';
import { LogFollower } from './follower.js';

/** The snapshot's rows, kept as their keys only (the loader refuses a key seen twice). */
class SnapshotKeys implements RowTarget {
  readonly keys = new Set<string>();
  get size(): number {
    return this.keys.size;
  }
  has(key: string): boolean {
    return this.keys.has(key);
  }
  set(key: string): void {
    this.keys.add(key);
  }
}

function applyWriteKeys(keys: KeyByteSet, operation: Operation, rowKeys: readonly string[]): void {
  if (operation === 'insert') for (const k of rowKeys) keys.addString(k);
  else if (operation === 'delete') for (const k of rowKeys) keys.deleteString(k);
}

function applyPayloadKeys(keys: KeyByteSet, payload: Buffer, e: EntryKeys): void {
  if (e.operation === 'insert') for (let i = 0; i < e.count; i++) keys.add(payload, e.starts[i]!, e.ends[i]!);
  else if (e.operation === 'delete') for (let i = 0; i < e.count; i++) keys.delete(payload, e.starts[i]!, e.ends[i]!);
}

export function countKeys(paths: TablePaths, table: string, key: string, identity: { table: string; tableId?: string } | undefined): number {
  for (let tries = 0; ; tries++) {
    const snap = loadSnapshot(paths.snapshot, { table, key }, () => new SnapshotKeys());
    const keys = new KeyByteSet();
    for (const k of snap?.rows.keys ?? []) keys.addString(k);
    const follower = new LogFollower(paths, snap?.meta.absorbedSegment ?? 0, identity);
    const r = follower.poll(
      (w) => applyWriteKeys(keys, w.operation, w.rows.map((row) => row.key)),
      (payload) => {
        const e = readEntryKeys(payload);
        if (e) applyPayloadKeys(keys, payload, e);
        return e !== undefined;
      },
    );
    // A compaction absorbed the segments we were reading: count again from the new snapshot.
    if (!r.reload) return keys.size;
    if (tries > 5) throw new SdnwalError('CORRUPT_LOG', `table ${table}: the log keeps changing under the reader (segments missing above the snapshot)`);
  }
}
