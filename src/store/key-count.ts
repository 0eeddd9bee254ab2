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

/**
 * The number of keys of a table, kept caught up: the first count() reads the snapshot's keys and
 * the whole log; later ones read only what was committed since (as a loaded table's reads do).
 */
export class KeyCount {
  private keys: KeyByteSet | undefined;
  private follower: LogFollower | undefined;

  constructor(
    private readonly paths: TablePaths,
    private readonly table: string,
    private readonly key: string,
    private readonly identity: () => { table: string; tableId?: string } | undefined,
  ) {}

  count(): number {
    for (let tries = 0; ; tries++) {
      if (!this.keys || !this.follower) this.load();
      const keys = this.keys!;
      const r = this.follower!.poll(
        (w) => applyWriteKeys(keys, w.operation, w.rows.map((row) => row.key)),
        (payload) => {
          const e = readEntryKeys(payload);
          if (e) applyPayloadKeys(keys, payload, e);
          return e !== undefined;
        },
      );
      if (!r.reload) return keys.size;
      // A compaction absorbed the segments we were reading: count again from the new snapshot.
      if (tries > 5) throw new SdnwalError('CORRUPT_LOG', `table ${this.table}: the log keeps changing under the reader (segments missing above the snapshot)`);
      this.keys = undefined;
    }
  }

  private load(): void {
    const snap = loadSnapshot(this.paths.snapshot, { table: this.table, key: this.key }, () => new SnapshotKeys());
    this.keys = new KeyByteSet();
    for (const k of snap?.rows.keys ?? []) this.keys.addString(k);
    this.follower = new LogFollower(this.paths, snap?.meta.absorbedSegment ?? 0, this.identity());
  }
}
