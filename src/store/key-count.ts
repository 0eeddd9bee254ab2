/**
 * count() of a table whose log holds writes above its snapshot, without building rows: the keys
 * of the snapshot, then each logged write's operation and row keys read from its msgpack bytes
 * (wal/entry-keys.ts), values skipped. Replay's rule on a set of keys: an insert adds, a delete
 * removes, an update of a missing key is ignored (so it changes nothing).
 */
import { parseRowAt, plainKeyCell, runHeaderColumns } from '../snapshot/key-cell.js';
import { checkNewKey, loadSnapshot, rowKey, type RowTarget } from '../snapshot/load.js';
import type { Operation } from '../wal/entry.js';
import { type EntryKeys, readEntryKeys } from '../wal/entry-keys.js';
import { KeyByteSet } from './key-byte-set.js';
import type { TablePaths } from '../wal/paths.js';
import { CaughtUp, LogFollower } from './follower.js';

/**
 * The snapshot's rows, kept as their keys only (the loader refuses a key seen twice). Runs of row
 * lines are taken as bytes: only the key cell is read (the loader still checks the rows-crc over
 * them); a line whose key is not a plain quoted string is parsed.
 */
class SnapshotKeys implements RowTarget {
  readonly keys = new Set<string>();
  private header: string | undefined;
  private columns: string[] | undefined;
  private keyCol = -1;

  constructor(private readonly key: string) {}

  get size(): number {
    return this.keys.size;
  }
  has(key: string): boolean {
    return this.keys.has(key);
  }
  set(key: string): void {
    this.keys.add(key);
  }

  lines(buf: Buffer, from: number, to: number, firstLine: number, header: string, file: string): boolean {
    if (header !== this.header) {
      this.header = header;
      this.columns = runHeaderColumns(header);
      this.keyCol = this.columns?.indexOf(this.key) ?? -1;
    }
    if (this.keyCol < 0) return false;
    for (let start = from, i = 0; start < to; i++) {
      const nl = buf.indexOf(10, start);
      const end = nl < 0 || nl >= to ? to : nl + 1;
      const line = (): number => firstLine + i;
      const ks = plainKeyCell(buf, start, end, this.keyCol) ?? rowKey(parseRowAt(buf, start, end, this.columns!, file, line), this.key, file, line);
      checkNewKey(this, ks, file, line);
      this.keys.add(ks);
      start = end;
    }
    return true;
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
  private readonly keys: CaughtUp<KeyByteSet>;

  constructor(paths: TablePaths, table: string, key: string, identity: () => { table: string; tableId?: string } | undefined) {
    this.keys = new CaughtUp(table, () => {
      const snap = loadSnapshot(paths.snapshot, { table, key }, (_, k) => new SnapshotKeys(k));
      const keys = new KeyByteSet();
      for (const k of snap?.rows.keys ?? []) keys.addString(k);
      return { state: keys, follower: new LogFollower(paths, snap?.meta.absorbedSegment ?? 0, identity()) };
    });
  }

  count(): number {
    return this.keys.get(
      (keys, w) => applyWriteKeys(keys, w.operation, w.rows.map((row) => row.key)),
      (keys, payload) => {
        const e = readEntryKeys(payload);
        if (e) applyPayloadKeys(keys, payload, e);
        return e !== undefined;
      },
    ).size;
  }

  close(): void {
    this.keys.reset();
  }
}
