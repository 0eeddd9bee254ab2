/**
 * The one catch-up reader of a table's log (docs/protocol.md §8), used by reads, count(), watch()
 * and `sdnwal tail`: keep the current segment open and the offset of the next frame, read to the
 * published end from the control record (never by file size while writers are live: bytes past it
 * may be a batch still being written), follow a SEAL to the next segment. An open segment
 * survives a compactor's unlink, so a reader finishes it and moves on. Readers check every frame
 * and never repair: damage ends the read and is reported, the repair is recovery's job.
 */
import fs from 'node:fs';
import { CorruptLogError, SdnwalError } from '../errors.js';
import { io, openInStore } from '../io.js';
import { type ControlRecord, currentBootId, readControlAt } from '../wal/control.js';
import { isWrite, type PendingWrite } from '../wal/entry.js';
import type { TablePaths } from '../wal/paths.js';
import { scanSegment } from '../wal/reader.js';
import type { Damage, ScanResult } from '../wal/scan.js';
import { readWalDir } from '../wal/segment.js';
import { segmentPath } from '../wal/tail.js';

export interface FollowResult {
  /** Writes applied by this poll. */
  applied: number;
  /** The segment to read next is gone or was replaced (a compaction absorbed it): start again from the snapshot. */
  reload: boolean;
  /** The log itself was replaced (the store directory made again, docs/protocol.md §1), not compacted. */
  replaced?: true;
}

export interface PollOptions {
  /** Offered each payload first: true means it took that write from the bytes (the frame's CRCs were checked). */
  raw?: (payload: Buffer) => boolean;
  /** Stop after about this many bytes of frames once something was applied (watch() delivers in chunks). */
  chunkBytes?: number;
  /**
   * watch(): any damage inside the published range is CORRUPT_LOG. Without it (get/all/count), a
   * torn tail or an unsynced hole ends the read at the last good frame and only corruption throws
   * (docs/protocol.md §8).
   */
  strict?: boolean;
}

export function isLive(c: ControlRecord | undefined): c is ControlRecord {
  return c !== undefined && c.activeSeg > 0 && c.bootId === currentBootId();
}

export class LogFollower {
  /** The segment being read and the offset of its next frame (0: from its header). */
  segNo: number;
  offset = 0;
  /** Open descriptors of segments from `segNo` on, with the inode each was opened as. */
  private readonly open = new Map<number, { fd: number; ino: number; dev: number }>();
  private lastGeneration = -1;
  private lastSize = -1;

  constructor(
    private readonly paths: TablePaths,
    /** The snapshot's absorbed segment: reading starts above it. */
    absorbed: number,
    private readonly identity: { table: string; tableId?: string } | undefined,
  ) {
    this.segNo = absorbed + 1;
  }

  /**
   * Read every committed write after the current position, in order, calling `apply`. Writes
   * read before damage are applied, then the damage is thrown (CORRUPT_LOG, FOREIGN_SEGMENT).
   */
  poll(apply: (w: PendingWrite, segNo: number, offset: number) => void, opts: PollOptions = {}): FollowResult {
    const control = readControlAt(this.paths.lock);
    const live = isLive(control);
    if (live && control.generation === this.lastGeneration && control.activeSeg === this.segNo && this.offset === control.publishedEnd) {
      return this.unchanged(opts);
    }
    let applied = 0;
    let wide = opts.chunkBytes === undefined;
    const raw = opts.raw;
    for (;;) {
      const seg = this.nextSegment(live ? control.activeSeg : undefined);
      if (seg === 'stop') break;
      if (seg === 'reload') return { applied, reload: true };
      if (seg === 'replaced') return { applied, reload: true, replaced: true };
      const size = io.fstatSync(seg).size;
      if (!live && this.offset > 0 && size === this.lastSize) break;
      const limit = live && control.activeSeg === this.segNo ? Math.min(control.publishedEnd, size) : size;
      const from = this.offset > 0 ? this.offset : undefined;
      if (from !== undefined && from >= limit) break;
      const to = wide ? limit : Math.min(limit, (from ?? 0) + opts.chunkBytes!);
      const segNo = this.segNo;
      const file = segmentPath(this.paths, segNo);
      const sealed = live && control.activeSeg > segNo;
      const r = scanSegment({ fd: seg }, {
        segNo,
        expect: this.identity,
        from,
        to,
        sealed,
        onPayload: raw && ((payload) => raw(payload) && ++applied > 0),
        onEntry: (e, at) => {
          if (isWrite(e)) {
            apply(e, segNo, at);
            applied++;
          }
        },
      });
      if (this.headerEndsRead(r, file, segNo, sealed)) break;
      const before = from ?? r.headerLength;
      this.offset = r.end;
      // Unchanged size means nothing new only once the whole file was read: the size read to (the
      // file may have grown since `size` was taken; those bytes are the next poll's).
      this.lastSize = to >= limit ? limit : -1;
      const damageEndsRead = endsAtDamage(r.damage[0], file, to >= limit, live, opts.strict === true);
      if (r.sealedNext !== undefined) {
        this.close(segNo);
        this.segNo = r.sealedNext;
        this.offset = 0;
        this.lastSize = -1;
        wide = opts.chunkBytes === undefined;
        if (applied > 0 && !wide) break;
        continue;
      }
      if (wide || applied > 0 || r.end >= limit || damageEndsRead) break;
      // Nothing applied and not at the end: frames other than writes (PAD), or one frame larger than the chunk.
      wide = r.end === before;
    }
    if (live) this.lastGeneration = control.generation;
    return { applied, reload: false };
  }

  /**
   * The descriptor of the segment to read now (`activeSeg`: the live control record's active
   * segment); 'stop' when nothing more is committed yet; 'reload' when it was compacted away under
   * us; 'replaced' when the log itself is another one now.
   */
  private nextSegment(activeSeg: number | undefined): number | 'stop' | 'reload' | 'replaced' {
    // A segment above the active one is a roll not yet published: nothing in it is committed.
    // Having read into it already means the log went backwards under us: the store directory
    // was made again (docs/protocol.md §1), and what we read belongs to a log that is gone.
    if (activeSeg !== undefined && activeSeg < this.segNo) {
      return this.offset > 0 || (this.open.has(this.segNo) && this.segment(this.segNo) === 'replaced') ? 'replaced' : 'stop';
    }
    const seg = this.segment(this.segNo);
    if (seg !== undefined) return seg;
    // Gone below the active segment: compacted away under us. Beyond the last: nothing yet.
    return this.offset > 0 || readWalDir(this.paths.wal).segments.some((s) => s > this.segNo) ? 'reload' : 'stop';
  }

  /**
   * Nothing new was published, unless the log itself was replaced by one that happens to end at
   * the same place: watch() (strict) checks the file it holds, since it may wait on no further write.
   */
  private unchanged(opts: PollOptions): FollowResult {
    if (!opts.strict || this.segment(this.segNo) !== 'replaced') return { applied: 0, reload: false };
    return { applied: 0, reload: true, replaced: true };
  }

  /** A segment header that is not this table's segment `segNo` throws; one cut short ends the read. */
  private headerEndsRead(r: ScanResult, file: string, segNo: number, sealed: boolean): boolean {
    if (r.headerProblem === undefined) return false;
    if (r.headerProblem === 'foreign') throw new SdnwalError('FOREIGN_SEGMENT', `${file} is not segment ${segNo} of table ${this.identity?.table ?? this.paths.table}`);
    // A header cut short is a segment being made (torn tail of a crash): nothing committed in it.
    // In a sealed segment it is damage like any other (docs/protocol.md §8).
    if (r.headerProblem === 'short' && !sealed) return true;
    throw new CorruptLogError(file, 0, `segment header: ${r.headerProblem}`);
  }

  /**
   * The segment's open descriptor (opened now if need be), undefined if there is no such file, or
   * 'replaced' when the file at its path is another one than we hold (the store directory was
   * made again): what we read of it belongs to a log that is gone.
   */
  private segment(segNo: number): number | 'replaced' | undefined {
    const file = segmentPath(this.paths, segNo);
    const held = this.open.get(segNo);
    if (held) {
      let st: fs.Stats | undefined;
      try {
        st = fs.statSync(file);
      } catch (err) {
        // Unlinked by a compaction: what we hold is still the segment, finish reading it.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      if (st && (st.ino !== held.ino || st.dev !== held.dev)) return 'replaced';
      return held.fd;
    }
    let fd: number;
    try {
      fd = openInStore(file, fs.constants.O_RDONLY);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const st = io.fstatSync(fd);
    this.open.set(segNo, { fd, ino: st.ino, dev: st.dev });
    return fd;
  }

  /** Whether the segment to read next is open (reading has begun there). */
  get holding(): boolean {
    return this.open.has(this.segNo);
  }

  /** Open every segment from the current one on, so a compaction cannot take them before we read them (watch()). */
  holdAhead(): void {
    for (const s of readWalDir(this.paths.wal).segments) {
      if (s >= this.segNo && !this.open.has(s)) this.segment(s);
    }
  }

  /** Let go of one segment's descriptor, or of all. */
  close(segNo?: number): void {
    for (const [s, h] of this.open) {
      if (segNo !== undefined && s !== segNo) continue;
      this.open.delete(s);
      io.closeSync(h.fd);
    }
  }
}

/**
 * State built from the snapshot and kept caught up with the log by one follower: the table's rows,
 * count()'s keys, tail's position. When a compaction took the segments being read, the state is
 * built again from the new snapshot.
 */
export class CaughtUp<S> {
  private state: S | undefined;
  private follower: LogFollower | undefined;

  constructor(
    private readonly table: string,
    /** Build the state from the snapshot, with a follower starting above it. */
    private readonly load: () => { state: S; follower: LogFollower },
  ) {}

  /** Whether the state was built (and not let go of since). */
  get loaded(): boolean {
    return this.state !== undefined;
  }

  /** The state after every committed write was applied with `apply` (or taken by `raw`). */
  get(apply: (state: S, w: PendingWrite, segNo: number, offset: number) => void, raw?: (state: S, payload: Buffer) => boolean): S {
    for (let tries = 0; ; tries++) {
      if (!this.state || !this.follower) ({ state: this.state, follower: this.follower } = this.load());
      const s = this.state;
      const r = this.follower.poll((w, segNo, offset) => apply(s, w, segNo, offset), { raw: raw && ((p) => raw(s, p)) });
      if (!r.reload) return s;
      if (tries > 5) throw new SdnwalError('CORRUPT_LOG', `table ${this.table}: the log keeps changing under the reader (segments missing above the snapshot)`);
      this.reset();
    }
  }

  /** Forget the state; the next get() builds it again from the snapshot. */
  reset(): void {
    this.follower?.close();
    this.follower = undefined;
    this.state = undefined;
  }
}

/**
 * What the first damage a scan found means to a reader: true when it ends what is committed
 * (the read stops there), false when there is none or it is a frame cut by our own read window
 * (`atLimit` false); corruption throws. A torn tail past the valid end of a log with no live
 * control record is an unfinished write (recovery's business); a torn tail or an unsynced hole
 * ends a read at the last good frame, except for watch() (`strict`) (docs/protocol.md §8).
 */
function endsAtDamage(d: Damage | undefined, file: string, atLimit: boolean, live: boolean, strict: boolean): boolean {
  if (d === undefined || (d.kind === 'torn-tail' && !atLimit)) return false;
  if (d.kind === 'torn-tail' && !live) return true;
  if (!strict && d.kind !== 'corruption') return true;
  throw new CorruptLogError(file, d.offset, d.reason);
}
