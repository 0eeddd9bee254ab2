/**
 * The log writer of one table in this process (docs/protocol.md §4, §5, §7): an in-process batcher in
 * front of the table lock takes everything queued as one write, finds the tail, drains the spool,
 * writes, publishes the new end in the control record, releases, and then acknowledges per sync
 * mode (group commit for 'always'). Its parts: the queue (append-queue.ts), the lock kept between
 * batches (lock-lease.ts), the writing under the lock (tail-writer.ts), calls holding the lock
 * (locked-calls.ts).
 */
import { SdnwalError } from '../errors.js';
import { AppendQueue } from './append-queue.js';
import { type Encoded, type Queued, type WriteRequest } from './batch-encode.js';
import { DEFAULT_BATCH_BYTES, DEFAULT_BATCH_MS } from './constants.js';
import { writerOptions, type WriterOptions } from './writer-options.js';
import { encodeEntry } from './entry.js';
import { Acks, type SyncMode } from './acks.js';
import { FileLock } from './lock.js';
import { LockLease, MAX_LOCK_ROUNDS } from './lock-lease.js';
import { LockedCalls, type LockedLog } from './locked-calls.js';
import { AppendPhases } from './phases.js';
import type { TablePaths } from './paths.js';
import { Spool } from './spool.js';
import type { LogIdentity, Tail } from './tail.js';
import { TailWriter, type WriterCounters, type Written } from './tail-writer.js';

export type { SyncMode };

export { DEFAULT_BATCH_BYTES, DEFAULT_BATCH_MS, writerOptions, type WriterOptions };

export type { WriteRequest };

export type { LockedLog };

export class LogWriter {
  readonly lock: FileLock;
  readonly spool: Spool;
  private readonly queue = new AppendQueue();
  private pumping = false;
  private readonly acks: Acks;
  private readonly lease: LockLease;
  private readonly tailWriter: TailWriter;
  private closed = false;
  /** close() has begun (its promise): new appends are refused, so the ones queued before it can drain. */
  private closing: Promise<void> | undefined;
  /** withLock() calls: close() waits for them. */
  private readonly lockedCalls: LockedCalls;
  /** Where each batch's time goes (the benchmark prints it: table.appendPhases()). */
  readonly phases = new AppendPhases();
  /** Counters for stats and the demo. */
  readonly counters: WriterCounters = { batches: 0, entries: 0, bytes: 0, spooled: 0, drained: 0, rolls: 0 };

  constructor(
    readonly paths: TablePaths,
    identity: LogIdentity,
    firstSegment: () => number,
    readonly opts: WriterOptions,
  ) {
    // Retained for the writer's life: one open of the lock file, not one per batch.
    const lock = (this.lock = FileLock.for(paths.lock).retain());
    this.spool = new Spool(paths.spool);
    this.acks = new Acks(opts, () => this.tailWriter.activeFd, this.phases, (fd, end) => this.tailWriter.noteSynced(fd, end));
    this.lease = new LockLease(lock, opts, this.phases);
    const { spool, acks, phases, counters } = this;
    const tailWriter = (this.tailWriter = new TailWriter({ paths, identity, firstSegment, lock, spool, opts, acks, phases, counters }));
    this.lockedCalls = new LockedCalls({ paths, lock, queue: this.queue, lease: this.lease, tailWriter, acks });
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

  private async pump(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.take();
        // Encode before taking the lock, so other processes wait only for the write itself.
        const t0 = performance.now();
        const encoded = this.tailWriter.encode(batch);
        this.phases.add('encode', t0);
        // Past MAX_BATCH_BYTES: the rest goes first into the next batch.
        this.queue.putBack(encoded.rest);
        const n = batch.length - encoded.rest.length;
        try {
          await this.writeBatch(encoded, n);
        } finally {
          this.queue.noteHandled(n);
        }
      }
    } finally {
      this.pumping = false;
      this.tailWriter.closeRetired();
    }
  }

  private async writeBatch(first: Encoded, appends: number): Promise<void> {
    let encoded = first;
    const t1 = performance.now();
    this.phases.batches++;
    this.phases.appends += appends;
    for (let round = 0; ; round++) {
      const lease = this.lease.current;
      if (!lease) {
        try {
          await this.lease.take(this.opts.lockTimeoutMs, t1);
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
          if (tail.end >= this.opts.segmentBytes) tail = this.tailWriter.rollAt(tail);
        } else {
          tail = this.tailWriter.prepare();
        }
        // The lock file was deleted or replaced during this hold: take the lock again on the new file.
        if (!lease && !this.lock.confirm()) {
          if (round >= MAX_LOCK_ROUNDS) throw new SdnwalError('IO_ERROR', `lock file ${this.paths.lock} keeps being deleted or replaced; nothing of this batch was written`);
          retry = true;
        } else {
          // `synced` names an offset of the segment it was encoded for: after a roll, encode again.
          if (encoded.fd !== tail.seg.fd) encoded = this.tailWriter.encode(encoded.ok, { bounded: false });
          written = this.tailWriter.writeEncoded(tail, encoded);
          kept = tail;
        }
      } catch (err) {
        this.tailWriter.noteSyncFailure(err);
        for (const q of encoded.ok) q.waiter.reject(err);
      } finally {
        if (kept && this.lease.mayKeep(lease)) this.lease.keep(kept, lease);
        else this.lease.release();
      }
      if (retry) continue;
      if (written) this.acks.acknowledge(written.fd, written.end, written.bytes, written.ok.map((q) => q.waiter));
      return;
    }
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
    return this.lockedCalls.run(fn, timeoutMs);
  }

  /**
   * Seal the active segment (if it holds any frame) so that every segment up to the returned
   * number is final; the compactor then works on them without the lock.
   */
  async roll(timeoutMs = this.opts.lockTimeoutMs): Promise<number> {
    return this.withLock((log) => {
      const t = log.tail;
      if (t.end > t.seg.headerLength) return this.tailWriter.rollAt(t).seg.segNo - 1;
      return t.seg.segNo - 1;
    }, timeoutMs);
  }

  /** Create the log's first segment if there is none (table creation), under the lock. */
  async ensureLog(): Promise<void> {
    await this.withLock(() => undefined);
  }

  /**
   * Wait for the appends queued before this call and their fdatasyncs. Appends queued meanwhile
   * are not waited for, so a writer that never pauses cannot starve a compaction or a close.
   */
  async flush(): Promise<void> {
    await this.queue.written(this.queue.enqueued);
    this.lease.end();
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
      await this.lockedCalls.settled();
      await this.flush();
    } finally {
      this.closed = true;
      this.tailWriter.close();
      this.lock.unref();
    }
  }
}
