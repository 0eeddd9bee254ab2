/**
 * count() without loading the rows: when no write is logged above the snapshot, the table is the
 * snapshot, and its meta says how many rows it holds (row_count was checked against the rows and
 * their crc when the snapshot was written, before it replaced the last one). Any write above it,
 * an adopted file (no meta), or a snapshot replaced while we looked: undefined, and the caller
 * counts by loading. Reads only the meta block, the last line and the log's tail; writes nothing.
 */
import fs from 'node:fs';
import { io } from '../io.js';
import { metaCrc } from '../snapshot/format.js';
import { openIfExists, readHead, readTailCrcs } from '../snapshot/meta.js';
import type { TablePaths } from '../wal/paths.js';
import { LogFollower } from './follower.js';

/** Thrown from the follower's callback to stop at the first write: one is enough to know. */
const FOUND_WRITE = Symbol('found a write');

export function countFromSnapshot(paths: TablePaths, table: string, key: string, identity: { table: string; tableId?: string } | undefined): number | undefined {
  const fd = openIfExists(paths.snapshot);
  if (fd === undefined) return undefined;
  try {
    const head = readHead(fd, paths.snapshot);
    // No meta (adopted), or one the loader would refuse: let it count, or say what is wrong.
    if (!head || head.meta.table !== table || (head.meta.key !== undefined && head.meta.key !== key)) return undefined;
    // A file cut short lacks its last line, an edited meta block fails its meta-crc: the loader
    // reports either (CORRUPT_SNAPSHOT), so count() never prints a row_count all() would refuse.
    const tail = readTailCrcs(fd);
    if (tail.rowsCrc === undefined) return undefined;
    if (tail.metaCrc !== undefined && tail.metaCrc !== metaCrc(head.meta)) return undefined;
    if (hasWritesAbove(paths, head.meta.absorbedSegment, identity)) return undefined;
    // The log read above belongs to this snapshot only if no compaction replaced it meanwhile (docs/protocol.md §8).
    if (!sameFile(fd, paths.snapshot)) return undefined;
    return head.meta.rowCount;
  } finally {
    io.closeSync(fd);
  }
}

/** True if any segment above `absorbed` holds a write (or the log moved under us: then load to be exact). */
function hasWritesAbove(paths: TablePaths, absorbed: number, identity: { table: string; tableId?: string } | undefined): boolean {
  const follower = new LogFollower(paths, absorbed, identity);
  try {
    return follower.poll(() => {
      throw FOUND_WRITE;
    }).reload;
  } catch (err) {
    if (err === FOUND_WRITE) return true;
    throw err;
  } finally {
    follower.close();
  }
}

function sameFile(fd: number, file: string): boolean {
  try {
    const a = io.fstatSync(fd);
    const b = fs.statSync(file);
    return a.ino === b.ino && a.dev === b.dev;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
