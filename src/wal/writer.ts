/**
 * The log writer of one table in this process (docs/protocol.md §4, §5, §7): an in-process batcher in
 * front of the table lock takes everything queued as one write, finds the tail, drains the spool,
 * writes, publishes the new end in the control record, releases, and then acknowledges per sync
 * mode (group commit for 'always').
 */
import fs from 'node:fs';
import { SdnwalError, SyncFailedError } from '../errors.js';
import { fdatasyncSegment, io, writeFully } from '../io.js';
import { type ControlRecord, publishControl } from './control.js';
import { encodeBatch, type Encoded, type EncodeOptions, type Queued, type WriteRequest } from './batch-encode.js';
import { DEFAULT_BATCH_BYTES, DEFAULT_BATCH_MS } from './constants.js';
import { writerOptions, type WriterOptions } from './writer-options.js';
import { encodeEntry } from './entry.js';
import { encodeFrames } from './frame.js';
import { Acks, type SyncMode } from './acks.js';
import { FileLock } from './lock.js';
import { AppendPhases } from './phases.js';
import type { TablePaths } from './paths.js';
import { Spool } from './spool.js';
import { drainSpool } from './spool-drain.js';
import { type ActiveSegment, ensureSegment, findTail, type LogIdentity, type Tail, type TailContext } from './tail.js';

export type { SyncMode };

export { DEFAULT_BATCH_BYTES, DEFAULT_BATCH_MS, writerOptions, type WriterOptions };

export type { WriteRequest };

/** Rows taken from the queue for one batch before encoding (which then stops at MAX_BATCH_BYTES). */
const MAX_BATCH_ROWS = 65_536;
/**
 * Without an fdatasync to wait for ('batch', 'none'), a writer appending in a tight loop keeps the
 * table lock between its batches for at most this long (or until the event loop turns, or another
 * acquirer in this process queues): one flock, control read and fstat per lease, not per batch.
 */
const LEASE_MAX_MS = 2;
/** Takes of the lock one batch may need when its file is deleted or replaced during the hold. */
const MAX_LOCK_ROUNDS = 8;


/** The table lock kept between batches: nobody else wrote since, so `tail` is still the tail. */
interface Lease {
  tail: Tail;
  since: number;
  timer: NodeJS.Immediate;
}

interface Written {
  fd: number;
  end: number;
  bytes: number;
  ok: Queued[];
}

/** What a caller holding the lock (modify, checked writes, compaction) may do. */
export interface LockedLog {
  readonly tail: Tail;
  /** Append now, at the tail; resolves when durable per sync mode (after the lock is released). */
  append(writes: WriteRequest[]): Promise<void>;
}

export class LogWriter {
  readonly lock: FileLock;
  readonly spool: Spool;
  private readonly ctx: TailContext;
  private queue: Queued[] = [];
  private pumping = false;
  private active: ActiveSegment | undefined;
  private syncedEnd = 0;
  private retired: number[] = [];
  private readonly acks: Acks;
  /** The control record this process published last (lets the tail check skip a stat). */
  private lastControl: ControlRecord | undefined;
  private lease: Lease | undefined;
  private closed = false;
  /** close() has begun (its promise): new appends are refused, so the ones queued before it can drain. */
  private closing: Promise<void> | undefined;
  /** withLock() calls begun and not yet settled (checked writes, rolls): close() waits for them. */
  private readonly lockedCalls = new Set<Promise<unknown>>();
  /** Appends queued so far, and how many of them their batch has handled (FIFO): flush() waits on these. */
  private enqueued = 0;
  private handled = 0;
  /** Callers of written(), each waiting for `handled` to reach its target. */
  private handledWaiters: Array<{ target: number; resolve: () => void }> = [];
  /** Where each batch's time goes (the benchmark prints it: table.appendPhases()). */
  readonly phases = new AppendPhases();
  /** When the current hold of the table lock began (performance.now()), for phases. */
  private heldSince: number | undefined;
  /** Counters for stats and the demo. */
  readonly counters = { batches: 0, entries: 0, bytes: 0, spooled: 0, drained: 0, rolls: 0 };

  constructor(
    readonly paths: TablePaths,
    identity: LogIdentity,
    firstSegment: () => number,
    readonly opts: WriterOptions,
  ) {
    // Retained for the writer's life: one open of the lock file, not one per batch.
    const lock = (this.lock = FileLock.for(paths.lock).retain());
    this.spool = new Spool(paths.spool);
    // The descriptor is read at each use: it changes when the lock file was replaced (lock.ts).
    this.ctx = { paths, identity, get lockFd() { return lock.fd; }, firstSegment, maxEntryBytes: opts.maxEntryBytes };
    this.acks = new Acks(opts, () => this.active?.fd, this.phases, (fd, end) => {
      if (this.active?.fd === fd && end > this.syncedEnd) this.syncedEnd = end;
    });
  }

  get fsyncs(): number {
    return this.acks.syncs;
  }

  private handleFailed(): SdnwalError {
    return new SdnwalError('HANDLE_FAILED', `table ${this.paths.table}: an earlier fdatasync failed; reopen the store (recovery runs on open)`, { cause: this.acks.failure });
  }

  private checkUsable(): void {
    if (this.closed || this.closing) throw new SdnwalError('CLOSED', `table ${this.paths.table} is closed`);
    if (this.acks.failure) throw this.handleFailed();
  }

  /** Queue one write (the writer owns the object from here on); resolves when acknowledged per the sync mode. */
  append(write: WriteRequest): Promise<void> {
    this.checkUsable();
    this.enqueued++;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ write, waiter: { resolve, reject } });
      if (!this.pumping) {
        this.pumping = true;
        // Appends issued in the same tick form one batch. With an inline fdatasync, wait for the
        // loop's turn instead, so appends arriving from several I/O callbacks share the flush.
        if (this.acks.inline) setImmediate(() => void this.pump());
        else queueMicrotask(() => void this.pump());
      }
    });
  }

  private takeBatch(): Queued[] {
    let n = 0;
    let rows = 0;
    while (n < this.queue.length && (n === 0 || rows < MAX_BATCH_ROWS)) rows += this.queue[n++]!.write.rows.length;
    return this.queue.splice(0, n);
  }

  private async pump(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        // Encode before taking the lock, so other processes wait only for the write itself.
        const t0 = performance.now();
        const encoded = this.encode(batch);
        this.phases.add('encode', t0);
        // Past MAX_BATCH_BYTES: the rest goes first into the next batch.
        this.queue.unshift(...encoded.rest);
        const n = batch.length - encoded.rest.length;
        try {
          await this.writeBatch(encoded, n);
        } finally {
          this.handled += n;
          this.wakeHandled();
        }
      }
    } finally {
      this.pumping = false;
      this.closeRetired();
    }
  }

  private async writeBatch(first: Encoded, appends: number): Promise<void> {
    let encoded = first;
    const t1 = performance.now();
    this.phases.batches++;
    this.phases.appends += appends;
    for (let round = 0; ; round++) {
      const lease = this.lease;
      if (!lease) {
        try {
          await this.lock.acquire({ timeoutMs: this.opts.lockTimeoutMs, stampHolder: false });
          this.heldSince = performance.now();
          this.phases.lockWaited(this.heldSince - t1);
        } catch (err) {
          if ((err as SdnwalError).code === 'LOCK_TIMEOUT' && this.opts.onLockTimeout === 'spool') return this.spoolBatch(encoded.ok, err);
          for (const q of encoded.ok) q.waiter.reject(err);
          return;
        }
      }
      let written: Written | undefined;
      let kept: Tail | undefined;
      let retry = false;
      try {
        if (this.acks.failure) throw this.handleFailed();
        let tail: Tail;
        if (lease) {
          tail = lease.tail;
          if (tail.end >= this.opts.segmentBytes) tail = this.rollAt(tail);
        } else {
          tail = this.prepare();
        }
        // The lock file was deleted or replaced during this hold: take the lock again on the new file.
        if (!lease && !this.lock.confirm()) {
          if (round >= MAX_LOCK_ROUNDS) throw new SdnwalError('IO_ERROR', `lock file ${this.paths.lock} keeps being deleted or replaced; nothing of this batch was written`);
          retry = true;
        } else {
          // `synced` names an offset of the segment it was encoded for: after a roll, encode again.
          if (encoded.fd !== tail.seg.fd) encoded = this.encode(encoded.ok, { bounded: false });
          written = this.writeEncoded(tail, encoded);
          kept = tail;
        }
      } catch (err) {
        this.noteSyncFailure(err);
        for (const q of encoded.ok) q.waiter.reject(err);
      } finally {
        if (kept && this.mayKeepLock(lease)) this.keepLock(kept, lease);
        else this.releaseLock();
      }
      if (retry) continue;
      if (written) this.acks.acknowledge(written.fd, written.end, written.bytes, written.ok.map((q) => q.waiter));
      return;
    }
  }

  /** Keep the lock for the next batch? Never across an fdatasync wait, never past LEASE_MAX_MS. */
  private mayKeepLock(lease: Lease | undefined): boolean {
    if (this.opts.sync === 'always' || this.lock.contended) return false;
    return !lease || performance.now() - lease.since < LEASE_MAX_MS;
  }

  private keepLock(tail: Tail, lease: Lease | undefined): void {
    if (lease) {
      lease.tail = tail;
      return;
    }
    // Released when the event loop turns: an idle writer never sits on the lock.
    this.lease = { tail, since: performance.now(), timer: setImmediate(() => this.endLease()) };
  }

  /** Release the table lock a batch took (or kept from the batch before). */
  private releaseLock(): void {
    if (this.lease) clearImmediate(this.lease.timer);
    this.lease = undefined;
    this.lock.release();
    if (this.heldSince !== undefined) this.phases.lockHeld(performance.now() - this.heldSince);
    this.heldSince = undefined;
  }

  /** Release the lock if it is kept between batches (before anything else here takes it). */
  private endLease(): void {
    if (this.lease) this.releaseLock();
  }

  /** The lock could not be had in time: queue each write in the spool (durable there) instead. */
  private async spoolBatch(batch: Queued[], cause: unknown): Promise<void> {
    for (const q of batch) {
      try {
        await this.spool.queueWrite(encodeEntry({ ...q.write, synced: 0 }));
        this.counters.spooled++;
        q.waiter.resolve();
      } catch (err) {
        q.waiter.reject(err instanceof SdnwalError ? err : new SdnwalError('LOCK_TIMEOUT', String(err), { cause }));
      }
    }
  }

  /** Under the lock: find the tail, drain the spool, roll if the segment is full. */
  private prepare(): Tail {
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

  private closeRetired(): void {
    if (!this.acks.idle) return;
    for (const fd of this.retired.splice(0)) io.closeSync(fd);
  }

  /** Encode and write `batch` at the tail; rejects (only) entries over the size limit. */
  private writeAt(tail: Tail, batch: Queued[]): Written {
    return this.writeEncoded(tail, this.encode(batch, { bounded: false, allOrNothing: true }));
  }

  private encode(batch: Queued[], more: Partial<EncodeOptions> = {}): Encoded {
    return encodeBatch(batch, { synced: this.syncedEnd, fd: this.active?.fd, maxEntryBytes: this.opts.maxEntryBytes, trusted: this.opts.trustedValues === true, ...more });
  }

  private writeEncoded(tail: Tail, { ok, payloads }: Encoded): Written {
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

  private publish(tail: Tail, activeSeg: number, publishedEnd: number): void {
    tail.control = this.lastControl = publishControl(this.lock.fd, tail.control, activeSeg, publishedEnd);
  }

  /** Seal the active segment and start the next one (docs/protocol.md §5). Lock held. */
  private rollAt(tail: Tail): Tail {
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

  /**
   * Run `fn` holding the table lock, with the tail found and the spool drained (checked writes,
   * modify, compaction's roll). Appends made inside are acknowledged after the lock is released.
   */
  withLock<T>(fn: (log: LockedLog) => T | Promise<T>, timeoutMs = this.opts.lockTimeoutMs): Promise<T> {
    try {
      this.checkUsable();
    } catch (err) {
      return Promise.reject(err);
    }
    // A checked write begun before close() is a pending write: close() waits for it to settle
    // rather than close the segment under it (which would leave the descriptors it opens behind).
    const call = this.locked(fn, timeoutMs);
    this.lockedCalls.add(call);
    const forget = (): void => void this.lockedCalls.delete(call);
    call.then(forget, forget);
    return call;
  }

  private async locked<T>(fn: (log: LockedLog) => T | Promise<T>, timeoutMs: number): Promise<T> {
    // Appends issued before this call are written first, so program order holds in the log
    // (later ones wait for the lock behind this call: a busy writer cannot starve it).
    await this.written(this.enqueued);
    this.endLease();
    const tail = await this.lockedTail(timeoutMs);
    const settle: Array<() => void> = [];
    try {
      // A dead writer's complete frames past published_end (or the segment finishing its roll made)
      // are in the log now: the next append goes after them. Publish that tail first, so that `fn`,
      // catching up to published_end, reads them (docs/protocol.md §4 step 3, §10).
      if (tail.control?.activeSeg !== tail.seg.segNo || tail.control.publishedEnd !== tail.end) this.publish(tail, tail.seg.segNo, tail.end);
      const log: LockedLog = {
        tail,
        append: (writes) =>
          new Promise<void>((resolve, reject) => {
            const w = this.writeAt(tail, writes.map((write) => ({ write, waiter: { resolve: () => {}, reject } })));
            settle.push(() => this.acks.acknowledge(w.fd, w.end, w.bytes, [{ resolve, reject }]));
          }),
      };
      return await fn(log);
    } catch (err) {
      this.noteSyncFailure(err);
      throw err;
    } finally {
      this.lock.release();
      for (const a of settle) a();
    }
  }

  /** Take the lock and find the tail, again if the lock file was deleted or replaced meanwhile. */
  private async lockedTail(timeoutMs: number): Promise<Tail> {
    for (let round = 0; ; round++) {
      await this.lock.acquire({ timeoutMs });
      let tail: Tail | undefined;
      try {
        tail = this.prepare();
        if (this.lock.confirm()) return tail;
        if (round >= MAX_LOCK_ROUNDS) throw new SdnwalError('IO_ERROR', `lock file ${this.paths.lock} keeps being deleted or replaced`);
      } catch (err) {
        this.noteSyncFailure(err);
        this.lock.release();
        throw err;
      }
      this.lock.release();
    }
  }

  /** Any failed fdatasync of a segment (roll, tail cut, spool drain) fails the handle (docs/wal-format.md, "Durability"). */
  private noteSyncFailure(err: unknown): void {
    if (err instanceof SyncFailedError) this.acks.fail(err);
  }

  /**
   * Seal the active segment (if it holds any frame) so that every segment up to the returned
   * number is final; the compactor then works on them without the lock.
   */
  async roll(timeoutMs = this.opts.lockTimeoutMs): Promise<number> {
    return this.withLock((log) => {
      const t = log.tail;
      if (t.end > t.seg.headerLength) return this.rollAt(t).seg.segNo - 1;
      return t.seg.segNo - 1;
    }, timeoutMs);
  }

  /** Create the log's first segment if there is none (table creation), under the lock. */
  async ensureLog(): Promise<void> {
    await this.withLock(() => undefined);
  }

  /**
   * Resolves once the first `count` appends ever queued have been handled by their batch. It
   * sleeps until then (a batch may wait lockTimeoutMs for the lock): no polling.
   */
  private written(count: number): Promise<void> {
    if (this.handled >= count) return Promise.resolve();
    return new Promise((resolve) => this.handledWaiters.push({ target: count, resolve }));
  }

  private wakeHandled(): void {
    if (this.handledWaiters.length === 0) return;
    this.handledWaiters = this.handledWaiters.filter((w) => {
      if (this.handled < w.target) return true;
      w.resolve();
      return false;
    });
  }

  /**
   * Wait for the appends queued before this call and their fdatasyncs. Appends queued meanwhile
   * are not waited for, so a writer that never pauses cannot starve a compaction or a close.
   */
  async flush(): Promise<void> {
    await this.written(this.enqueued);
    this.endLease();
    await this.acks.drain();
  }

  /** Refuse new appends, wait for the queued ones, close the segment. Every call waits for the same close. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    try {
      await Promise.allSettled([...this.lockedCalls]);
      await this.flush();
    } finally {
      this.closed = true;
      this.closeRetired();
      const fd = this.active?.fd;
      this.active = undefined;
      if (fd !== undefined) io.closeSync(fd);
      this.lock.unref();
    }
  }
}
