/**
 * Draining the spool into the log under the table lock, exactly once (docs/locking.md, "Spool"):
 * resolve the claims a dead drainer left, claim each queued write at the offset its frame will
 * take, append them all with one write, fdatasync whatever the sync mode, then delete the claims.
 */
import fs from 'node:fs';
import { SdnwalError } from '../errors.js';
import { fdatasyncSegment, fsyncDir, io } from '../io.js';
import { decodeEntry, encodeEntry, isWrite } from './entry.js';
import { FRAME_HEADER_BYTES } from './frame.js';
import type { TablePaths } from './paths.js';
import { scanSegment } from './reader.js';
import type { Spool } from './spool.js';
import { segmentPath, type Tail } from './tail.js';

/** What the drain needs of the writer holding the lock. */
export interface DrainTarget {
  readonly paths: TablePaths;
  readonly spool: Spool;
  /** What this process knows is durable of the active segment (the frames' `synced`). */
  readonly syncedEnd: number;
  /** One write of `payloads` at the tail, publishing the new end (cut back and thrown on failure). */
  writeFrames(tail: Tail, payloads: Buffer[]): void;
}

/** Drain everything spooled for the table into the log at `tail`; returns how many writes were appended. */
export function drainSpool(target: DrainTarget, tail: Tail): number {
  const { spool, paths } = target;
  const claims: string[] = [];
  const payloads: Buffer[] = [];
  let offset = tail.end;
  const add = (id: string, payload: Buffer): void => {
    const entry = decodeEntry(payload);
    if (!isWrite(entry)) throw new SdnwalError('CORRUPT_LOG', `spool file ${id} does not hold a write`);
    const framed = encodeEntry({ ...entry, spoolId: id, synced: target.syncedEnd });
    payloads.push(framed);
    offset += FRAME_HEADER_BYTES + framed.length;
  };
  for (const c of spool.listClaims()) {
    if (claimLanded(paths, c.segNo, c.offset, c.id)) {
      claims.push(c.file);
      continue;
    }
    // Claim it again at the offset it will take now, before writing: should this drainer die
    // after the write, the next one finds it there and does not append it a third time.
    claims.push(spool.reclaim(c, tail.seg.segNo, offset));
    add(c.id, c.payload);
  }
  for (let next = spool.getNextPending(); next; next = spool.getNextPending()) {
    if (!spoolReadable(paths, next.id, next.payload)) continue;
    claims.push(spool.claim(next.id, tail.seg.segNo, offset));
    add(next.id, next.payload);
  }
  if (claims.length === 0) return 0;
  if (payloads.length > 0) target.writeFrames(tail, payloads);
  // Even with nothing new written: a dead drainer's landed frame may never have been synced, and
  // deleting its claim must not come first (a power loss would then lose the write). A landed
  // frame in an older segment was synced by the roll that sealed it.
  fdatasyncSegment(tail.seg.fd, tail.seg.path);
  for (const f of claims) spool.removeClaim(f);
  fsyncDir(paths.spool);
  return payloads.length;
}

/** A spool file that does not hold a write is moved to quarantine (kept, reported), never retried forever. */
function spoolReadable(paths: TablePaths, id: string, payload: Buffer): boolean {
  try {
    if (isWrite(decodeEntry(payload))) return true;
  } catch {
    // fall through: unreadable
  }
  io.mkdirSync(paths.quarantine);
  io.renameSync(`${paths.spool}/${id}.w`, `${paths.quarantine}/${paths.table}.spool.${id}.w`);
  fsyncDir(paths.quarantine);
  fsyncDir(paths.spool);
  return false;
}

/**
 * Is there a valid frame carrying `spoolId` at (segNo, offset)? An error while reading is thrown,
 * never taken for "not landed" (that would append the write twice).
 */
function claimLanded(paths: TablePaths, segNo: number, offset: number, spoolId: string): boolean {
  const p = segmentPath(paths, segNo);
  // Segments are deleted only after a snapshot absorbed them, and claims resolve before any roll.
  if (!fs.existsSync(p)) return true;
  let found = false;
  scanSegment({ path: p }, {
    segNo,
    from: offset,
    onEntry: (e, at) => {
      if (at === offset && isWrite(e) && e.spoolId === spoolId) found = true;
    },
  });
  return found;
}
