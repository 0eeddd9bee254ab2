/**
 * A NATS table's snapshot is the same SDN text the local compactor writes (docs/snapshot-format.md),
 * with `absorbed_segment` naming the last stream sequence it absorbed. It is written and read with
 * the snapshot module's own writer and loader, through a private temporary directory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SNAPSHOT_FORMAT } from '../snapshot/constants.js';
import { writeSnapshotAtomic } from '../snapshot/atomic.js';
import { loadSnapshot } from '../snapshot/load.js';
import type { ExtraSection, SnapshotMeta } from '../snapshot/meta.js';
import { readTombstones, withTombstones } from '../snapshot/tombstones.js';
import { tablePaths } from '../wal/paths.js';
import type { Record_ } from '../replay/rules.js';
import type { NatsTableDefinition } from './stream.js';

/** A snapshot's content, parsed. */
export interface SnapshotState {
  rows: Map<string, Record_>;
  tombstones: Map<string, number>;
  /** The last stream sequence folded in (0: none). */
  absorbed: number;
  /** Sections other than meta and rows, kept by the next compaction. */
  extra: ExtraSection[];
  meta: SnapshotMeta | undefined;
}

export function emptyState(): SnapshotState {
  return { rows: new Map(), tombstones: new Map(), absorbed: 0, extra: [], meta: undefined };
}

function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdnwal-nats-'));
  try {
    return fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Parse and verify snapshot text (CORRUPT_SNAPSHOT when it is damaged or names another table). */
export function parseSnapshot(def: NatsTableDefinition, text: Uint8Array): SnapshotState {
  return withTempDir((dir) => {
    const paths = tablePaths(dir, def.table);
    fs.writeFileSync(paths.snapshot, text);
    const loaded = loadSnapshot(paths.snapshot, { table: def.table, key: def.key })!;
    const tombstones = readTombstones(`${def.table}.sdn`, loaded.meta, loaded.extra);
    return { rows: loaded.rows, tombstones, absorbed: loaded.meta.absorbedSegment, extra: loaded.extra, meta: loaded.meta };
  });
}

/** The snapshot text of `rows` (and a versioned table's tombstones), absorbing up to `absorbed`. */
export function renderSnapshot(def: NatsTableDefinition, rows: ReadonlyMap<string, Record_>, tombstones: ReadonlyMap<string, number>, extra: readonly ExtraSection[], absorbed: number): Buffer {
  const meta: SnapshotMeta = {
    format: SNAPSHOT_FORMAT,
    table: def.table,
    tableId: def.tableId,
    key: def.key,
    columns: def.columns ? [...def.columns] : [],
    absorbedSegment: absorbed,
    rowCount: rows.size,
    writtenAt: undefined,
    rowsCrc: undefined,
    section: def.table,
    ...(def.conflict ? { conflict: def.conflict } : {}),
    adopted: false,
  };
  // Iterable twice (the writer finds the columns first, then writes the rows).
  const values = { [Symbol.iterator]: () => rows.values() };
  return withTempDir((dir) => {
    const paths = tablePaths(dir, def.table);
    writeSnapshotAtomic(paths, meta, values, withTombstones(meta, extra, tombstones));
    return fs.readFileSync(paths.snapshot);
  });
}
