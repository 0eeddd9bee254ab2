/**
 * Finding the tail of a table's log under the table lock (docs/protocol.md §4 step 4, §5):
 * cheap from the control record when it is of this boot, a scan of the active segment
 * otherwise. A torn tail or unsynced hole is quarantined and cut before anything is appended;
 * an interrupted roll is finished. Corruption stops with CORRUPT_LOG.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CorruptLogError } from '../errors.js';
import { fdatasyncSegment, fsyncDir, io, openInStore } from '../io.js';
import { segmentFileName } from './constants.js';
import { type ControlRecord, currentBootId, readControl } from './control.js';
import type { TablePaths } from './paths.js';
import { cutTail, type QuarantineRecord } from './quarantine.js';
import { scanSegment } from './reader.js';
import { createSegmentFile, decodeSegmentHeader, readWalDir, type SegmentHeader } from './segment.js';

/** Enough bytes for any segment header (table names are at most 64 bytes). */
const HEADER_PROBE_BYTES = 256;

export interface LogIdentity {
  table: string;
  tableId: string;
}

export interface ActiveSegment {
  segNo: number;
  fd: number;
  path: string;
  headerLength: number;
}

export interface Tail {
  seg: ActiveSegment;
  /** The validated end: a frame boundary, where the next frame goes. */
  end: number;
  control: ControlRecord | undefined;
  quarantined: QuarantineRecord[];
  /** True when the active segment changed since the caller's `current`. */
  reopened: boolean;
}

export interface TailContext {
  paths: TablePaths;
  identity: LogIdentity;
  readonly lockFd: number;
  /** The number of the first segment when the log is empty (the snapshot's absorbed + 1). */
  firstSegment: () => number;
  maxEntryBytes: number;
}

export function segmentPath(paths: TablePaths, segNo: number): string {
  return path.join(paths.wal, segmentFileName(segNo));
}

function header(ctx: TailContext, segNo: number): SegmentHeader {
  return { formatVersion: 1, table: ctx.identity.table, tableId: ctx.identity.tableId, segment: segNo };
}

/** Open a segment and check its header names this table and number (a misplaced file is never appended to). */
function openSegment(ctx: TailContext, segNo: number): ActiveSegment {
  const p = segmentPath(ctx.paths, segNo);
  const fd = openInStore(p, fs.constants.O_RDWR);
  const buf = Buffer.alloc(HEADER_PROBE_BYTES);
  const n = io.readSync(fd, buf, 0, buf.length, 0);
  const h = decodeSegmentHeader(buf.subarray(0, n));
  // A short header is left for validate() to report; anything else wrong is a foreign file.
  if (h.ok && (h.header.table !== ctx.identity.table || h.header.tableId !== ctx.identity.tableId || h.header.segment !== segNo)) {
    io.closeSync(fd);
    throw new CorruptLogError(p, 0, `segment header names table ${h.header.table} (${h.header.tableId}) segment ${h.header.segment}: a foreign file`);
  }
  return { segNo, fd, path: p, headerLength: h.ok ? h.length : 0 };
}

/** Create segment `segNo` (tmp, fdatasync, rename, fsync dir) if it does not exist yet. */
export function ensureSegment(ctx: TailContext, segNo: number): void {
  if (!fs.existsSync(ctx.paths.wal)) {
    io.mkdirSync(ctx.paths.wal);
    fsyncDir(ctx.paths.dir);
  }
  if (!fs.existsSync(segmentPath(ctx.paths, segNo))) createSegmentFile(ctx.paths.wal, header(ctx, segNo));
}

/**
 * Validate `seg` from `from` to its end; cut what is torn; follow a SEAL to the next segment.
 * Returns the tail.
 */
function validate(ctx: TailContext, seg: ActiveSegment, from: number | undefined, quarantined: QuarantineRecord[], current: ActiveSegment | undefined): { seg: ActiveSegment; end: number } {
  const r = scanSegment({ fd: seg.fd }, { segNo: seg.segNo, expect: ctx.identity, from, maxEntryBytes: ctx.maxEntryBytes, decode: true });
  if (r.headerProblem) throw new CorruptLogError(seg.path, 0, `segment header: ${r.headerProblem}`);
  seg.headerLength = r.headerLength;
  const damage = r.damage[0];
  if (damage) {
    if (damage.kind === 'corruption') throw new CorruptLogError(seg.path, damage.offset, damage.reason);
    quarantined.push(cutTail(ctx.paths.quarantine, ctx.paths.table, seg.segNo, seg.fd, damage.offset, `${damage.kind}: ${damage.reason}`));
  }
  if (r.sealedNext !== undefined) {
    // A roll that died after its SEAL: finish it (docs/protocol.md §5, last paragraph). The dead
    // roller may not have synced its SEAL, so sync it before anything goes into N+1.
    fdatasyncSegment(seg.fd, seg.path);
    ensureSegment(ctx, r.sealedNext);
    // The caller's fd may have fdatasyncs in flight: the writer retires it, never this function.
    if (seg !== current) io.closeSync(seg.fd);
    const next = openSegment(ctx, r.sealedNext);
    return validate(ctx, next, undefined, quarantined, current);
  }
  return { seg, end: r.end };
}

function controlUsable(c: ControlRecord | undefined): c is ControlRecord {
  return c !== undefined && c.bootId === currentBootId() && c.activeSeg > 0;
}

/** Find the tail of the log. Must be called holding the table lock. */
export function findTail(ctx: TailContext, current: ActiveSegment | undefined, known?: ControlRecord): Tail {
  const control = readControl(ctx.lockFd);
  const quarantined: QuarantineRecord[] = [];
  // The record names the segment we already append to, or nobody published since we did: no roll
  // happened unseen (every roll publishes N+1 before releasing the lock, and one that died half-way
  // leaves its SEAL past published_end, which the size check below catches), so no readdir or stat
  // of N+1 is needed. Otherwise make sure the record is not behind the directory.
  const unchanged = known !== undefined && control !== undefined && control.generation === known.generation && control.activeSeg === known.activeSeg;
  const ours = current !== undefined && control !== undefined && current.segNo === control.activeSeg;
  if (controlUsable(control) && (unchanged || ours || !fs.existsSync(segmentPath(ctx.paths, control.activeSeg + 1)))) {
    let seg = current;
    let reopened = false;
    // One fstat gives both: whether our fd is still linked, and its size.
    let st = seg && seg.segNo === control.activeSeg ? io.fstatSync(seg.fd) : undefined;
    if (!st || st.nlink === 0) seg = undefined;
    if (!seg && fs.existsSync(segmentPath(ctx.paths, control.activeSeg))) {
      seg = openSegment(ctx, control.activeSeg);
      st = io.fstatSync(seg.fd);
      reopened = true;
    }
    if (seg && st) {
      const size = st.size;
      if (seg.headerLength > 0 && size === control.publishedEnd) return { seg, end: size, control, quarantined, reopened };
      // size > published_end: a dead writer's batch; validate only that range.
      const from = seg.headerLength > 0 && size > control.publishedEnd && control.publishedEnd >= seg.headerLength ? control.publishedEnd : undefined;
      const v = validate(ctx, seg, from, quarantined, current);
      return { seg: v.seg, end: v.end, control, quarantined, reopened: reopened || v.seg !== seg };
    }
  }
  // Slow path: no usable control record (first open, after a reboot) or it disagrees with the directory.
  const { segments } = readWalDir(ctx.paths.wal);
  let highest = segments.at(-1);
  if (highest === undefined) {
    highest = ctx.firstSegment();
    ensureSegment(ctx, highest);
  }
  if (current && current.segNo === highest && io.fstatSync(current.fd).nlink > 0) {
    const v = validate(ctx, current, undefined, quarantined, current);
    return { seg: v.seg, end: v.end, control, quarantined, reopened: v.seg !== current };
  }
  const seg = openSegment(ctx, highest);
  const v = validate(ctx, seg, undefined, quarantined, current);
  return { seg: v.seg, end: v.end, control, quarantined, reopened: true };
}
