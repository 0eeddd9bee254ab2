/**
 * Replay rules of log entries onto a table state (docs/protocol.md §6, "Replay rules"); no table state is
 * needed to append, so these rules decide what a write means: insert of an existing key
 * replaces the row, update of a missing key is ignored, delete of a missing key does nothing.
 * A versioned table's delete entry carries the deleted row's last version (`values.version`); replay
 * keeps it as a tombstone so a re-insert continues from it (versions never repeat for a key).
 */
import type { PendingWrite } from '../wal/entry.js';

export type Record_ = Record<string, unknown>;

/** The column holding a versioned table's row version; in a delete entry's row values it is the tombstone's version. */
export const VERSION_COLUMN = 'version';

/** Counts of each replay case, for `stats` and `verify`. */
export interface ReplayCounts {
  inserted: number;
  replaced: number;
  updated: number;
  updateMissing: number;
  deleted: number;
  deleteMissing: number;
}

export function emptyCounts(): ReplayCounts {
  return { inserted: 0, replaced: 0, updated: 0, updateMissing: 0, deleted: 0, deleteMissing: 0 };
}

/**
 * Where writes are replayed: a Map of rows (a table's reads, verify, the NATS log) or the
 * compactor's fold, which keeps plain rows as formatted lines (src/compaction/fold.ts).
 */
export interface ReplayTarget {
  has(key: string): boolean;
  get(key: string): Record_ | undefined;
  set(key: string, row: Record_): unknown;
  delete(key: string): boolean;
}

/**
 * Apply one write to `rows` (keyed by the string form of the key): the one replay rule. With
 * `tombstones` (key → version of its delete), a delete carrying a version records it and an
 * insert of the key clears it.
 */
export function applyWrite(rows: ReplayTarget, w: Pick<PendingWrite, 'operation' | 'rows'>, counts?: ReplayCounts, tombstones?: Map<string, number>): void {
  for (const row of w.rows) {
    const key = row.key;
    switch (w.operation) {
      case 'insert':
        if (counts) rows.has(key) ? counts.replaced++ : counts.inserted++;
        // The decoded entry is ours alone: keep its values object rather than copy it (readers
        // hand out copies).
        rows.set(key, row.values ?? {});
        tombstones?.delete(key);
        break;
      case 'update': {
        const cur = rows.get(key);
        if (!cur) {
          if (counts) counts.updateMissing++;
          break;
        }
        rows.set(key, { ...cur, ...(row.values ?? {}) });
        if (counts) counts.updated++;
        break;
      }
      case 'delete': {
        const had = rows.delete(key);
        if (counts) had ? counts.deleted++ : counts.deleteMissing++;
        const version = row.values?.[VERSION_COLUMN];
        if (tombstones && typeof version === 'number') tombstones.set(key, version);
        break;
      }
    }
  }
}
