/**
 * What a log writer does holding the table lock (docs/protocol.md §4, §5): find the tail and drain
 * the spool, write a batch's frames at the tail and publish the new end in the control record,
 * seal a full segment and roll to the next. The active segment stays open between holds.
 */
import fs from 'node:fs';
import { SdnwalError, SyncFailedError } from '../errors.js';
import { fdatasyncSegment, io, writeFully } from '../io.js';
import type { Acks } from './acks.js';
import { encodeBatch, type Encoded, type EncodeOptions, type Queued } from './batch-encode.js';
import { type ControlRecord, publishControl } from './control.js';
import { encodeEntry } from './entry.js';
import { encodeFrames } from './frame.js';
import type { FileLock } from './lock.js';
import type { AppendPhases } from './phases.js';
import type { TablePaths } from './paths.js';
import type { Spool } from './spool.js';
import { drainSpool } from './spool-drain.js';
import { type ActiveSegment, ensureSegment, findTail, type LogIdentity, type Tail, type TailContext } from './tail.js';
import type { WriterOptions } from './writer-options.js';

/** Counters for stats and the demo. */
export interface WriterCounters {
  batches: number;
  entries: number;
  bytes: number;
  spooled: number;
  drained: number;
  rolls: number;
}

/** A batch written at the tail: acknowledged (per sync mode) once the lock is released. */
export interface Written {
  fd: number;
  end: number;
  bytes: number;
  ok: Queued[];
}

/** What the tail writer shares with its log writer. */
export interface TailWriterParts {
  paths: TablePaths;
  identity: LogIdentity;
  firstSegment: () => number;
  lock: FileLock;
  spool: Spool;
  opts: WriterOptions;
  acks: Acks;
  phases: AppendPhases;
  counters: WriterCounters;
}

export class TailWriter {
  private readonly ctx: TailContext;
  private readonly paths: TablePaths;
  private readonly lock: FileLock;
  private readonly spool: Spool;
  private readonly opts: WriterOptions;
  private readonly acks: Acks;
  private readonly phases: AppendPhases;
  private readonly counters: WriterCounters;
  private active: ActiveSegment | undefined;
  private syncedEnd = 0;
  private retired: number[] = [];
  /** The control record this process published last (lets the tail check skip a stat). */
  private lastControl: ControlRecord | undefined;

  constructor({ paths, identity, firstSegment, lock, spool, opts, acks, phases, counters }: TailWriterParts) {
    this.paths = paths;
    this.lock = lock;
    this.spool = spool;
    this.opts = opts;
    this.acks = acks;
    this.phases = phases;
    this.counters = counters;
    // The descriptor is read at each use: it changes when the lock file was replaced (lock.ts).
    this.ctx = { paths, identity, get lockFd() { return lock.fd; }, firstSegment, maxEntryBytes: opts.maxEntryBytes };
  }

  /** The active segment's descriptor (a 'batch' flush syncs it). */
  get activeFd(): number | undefined {
    return this.active?.fd;
  }

  /** An fdatasync of `fd` made it durable up to `end`: the next frames' `synced`. */
  noteSynced(fd: number, end: number): void {
    if (this.active?.fd === fd && end > this.syncedEnd) this.syncedEnd = end;
  }

  /** Under the lock: find the tail, drain the spool, roll if the segment is full. */
  prepare(): Tail {
    this.closeRetired();
    let tail = findTail(this.ctx, this.active, this.lastControl);
    this.lock.noteWaiters(tail.control?.waiters ?? 0);
    this.adopt(tail);
    if (fs.existsSync(this.paths.spool)) {
      const target = { paths: this.paths, spool: this.spool, syncedEnd: this.syncedEnd, writeFrames: (t: Tail, p: Buffer[]) => void this.writeFrames(t, p) };
      this.counters.drained += drainSpool(target, tail);
    }
    if (tail.end >= this.opts.segmentBytes) tail = this.rollAt(tail);
    return tail;
  }

  private adopt(tail: Tail): void {
    if (this.active && this.active.fd !== tail.seg.fd) {
      this.retired.push(this.active.fd);
      this.syncedEnd = 0;
    }
    if (!this.active || this.active.fd !== tail.seg.fd) this.syncedEnd = tail.seg.headerLength;
    this.active = tail.seg;
  }

  closeRetired(): void {
    if (!this.acks.idle) return;
    for (const fd of this.retired.splice(0)) io.closeSync(fd);
  }

  /** Encode and write `batch` at the tail; rejects (only) entries over the size limit. */
  writeAt(tail: Tail, batch: Queued[]): Written {
    return this.writeEncoded(tail, this.encode(batch, { bounded: false, allOrNothing: true }));
  }

  encode(batch: Queued[], more: Partial<EncodeOptions> = {}): Encoded {
    return encodeBatch(batch, { synced: this.syncedEnd, fd: this.active?.fd, maxEntryBytes: this.opts.maxEntryBytes, trusted: this.opts.trustedValues === true, ...more });
  }

  writeEncoded(tail: Tail, { ok, payloads }: Encoded): Written {
    const start = tail.end;
    const end = this.writeFrames(tail, payloads);
    this.counters.batches++;
    this.counters.entries += payloads.length;
    return { fd: tail.seg.fd, end, bytes: end - start, ok };
  }

  /**
   * One write of `payloads` at the tail; on any failure cut back to the tail and throw.
   * `publish: false` leaves the control record alone (a SEAL: the next holder must see it
   * past published_end and finish the roll, never append after it).
   */
  private writeFrames(tail: Tail, payloads: Buffer[], publish = true): number {
    if (payloads.length === 0) return tail.end;
    const buf = encodeFrames(tail.seg.segNo, tail.end, payloads);
    const t0 = performance.now();
    try {
      writeFully(tail.seg.fd, buf, tail.end);
    } catch (cause) {
      try {
        io.ftruncateSync(tail.seg.fd, tail.end);
      } catch {
        // The next lock holder validates [published_end, size) and cuts what is torn.
      }
      const code = (cause as NodeJS.ErrnoException).code === 'ENOSPC' ? 'DISK_FULL' : 'IO_ERROR';
      throw new SdnwalError(code, `append to ${tail.seg.path} failed (${(cause as Error).message}); nothing of this batch was acknowledged`, { cause });
    }
    const end = tail.end + buf.length;
    this.counters.bytes += buf.length;
    const t1 = this.phases.add('write', t0);
    if (publish) {
      this.publish(tail, tail.seg.segNo, end);
      this.phases.add('publish', t1);
    }
    tail.end = end;
    return end;
  }

  publish(tail: Tail, activeSeg: number, publishedEnd: number): void {
    tail.control = this.lastControl = publishControl(this.lock.fd, tail.control, activeSeg, publishedEnd);
  }

  /** Seal the active segment and start the next one (docs/protocol.md §5). Lock held. */
  rollAt(tail: Tail): Tail {
    const n = tail.seg.segNo;
    this.writeFrames(tail, [encodeEntry({ seal: n + 1 })], false);
    fdatasyncSegment(tail.seg.fd, tail.seg.path);
    ensureSegment(this.ctx, n + 1);
    const next = findTail(this.ctx, undefined);
    next.control = tail.control;
    this.publish(next, next.seg.segNo, next.end);
    this.adopt(next);
    this.counters.rolls++;
    return next;
  }

  /** Any failed fdatasync of a segment (roll, tail cut, spool drain) fails the handle (docs/wal-format.md, "Durability"). */
  noteSyncFailure(err: unknown): void {
    if (err instanceof SyncFailedError) this.acks.fail(err);
  }

  /** Close the active segment and the retired ones (the writer's close). */
  close(): void {
    this.closeRetired();
    const fd = this.active?.fd;
    this.active = undefined;
    if (fd !== undefined) io.closeSync(fd);
  }
}
