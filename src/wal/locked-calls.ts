/**
 * Running a caller's function holding the table lock (checked writes, modify, compaction's roll;
 * docs/protocol.md §4): the appends queued before it are written first, the tail is found and the
 * spool drained, and appends made inside are acknowledged after the lock is released.
 */
import { SdnwalError } from '../errors.js';
import type { Acks } from './acks.js';
import type { AppendQueue } from './append-queue.js';
import type { WriteRequest } from './batch-encode.js';
import type { FileLock } from './lock.js';
import { type LockLease, MAX_LOCK_ROUNDS } from './lock-lease.js';
import type { TablePaths } from './paths.js';
import type { Tail } from './tail.js';
import type { TailWriter } from './tail-writer.js';

/** What a caller holding the lock (modify, checked writes, compaction) may do. */
export interface LockedLog {
  readonly tail: Tail;
  /** Append now, at the tail; resolves when durable per sync mode (after the lock is released). */
  append(writes: WriteRequest[]): Promise<void>;
}

/** What locked calls share with their log writer. */
export interface LockedCallParts {
  paths: TablePaths;
  lock: FileLock;
  queue: AppendQueue;
  lease: LockLease;
  tailWriter: TailWriter;
  acks: Acks;
}

export class LockedCalls {
  /** Calls begun and not yet settled (checked writes, rolls): close() waits for them. */
  private readonly calls = new Set<Promise<unknown>>();

  constructor(private readonly w: LockedCallParts) {}

  /** Run `fn` holding the table lock; the call is pending (settled()) until it settles. */
  run<T>(fn: (log: LockedLog) => T | Promise<T>, timeoutMs: number): Promise<T> {
    // A checked write begun before close() is a pending write: close() waits for it to settle
    // rather than close the segment under it (which would leave the descriptors it opens behind).
    const call = this.locked(fn, timeoutMs);
    this.calls.add(call);
    const forget = (): void => void this.calls.delete(call);
    call.then(forget, forget);
    return call;
  }

  /** Resolves once every call begun so far has settled. */
  settled(): Promise<unknown> {
    return Promise.allSettled([...this.calls]);
  }

  private async locked<T>(fn: (log: LockedLog) => T | Promise<T>, timeoutMs: number): Promise<T> {
    const { queue, lock, tailWriter, acks } = this.w;
    // Appends issued before this call are written first, so program order holds in the log
    // (later ones wait for the lock behind this call: a busy writer cannot starve it).
    await queue.written(queue.enqueued);
    this.w.lease.end();
    const tail = await this.lockedTail(timeoutMs);
    const settle: Array<() => void> = [];
    try {
      // A dead writer's complete frames past published_end (or the segment finishing its roll made)
      // are in the log now: the next append goes after them. Publish that tail first, so that `fn`,
      // catching up to published_end, reads them (docs/protocol.md §4 step 3, §10).
      if (tail.control?.activeSeg !== tail.seg.segNo || tail.control.publishedEnd !== tail.end) tailWriter.publish(tail, tail.seg.segNo, tail.end);
      const log: LockedLog = {
        tail,
        append: (writes) =>
          new Promise<void>((resolve, reject) => {
            const w = tailWriter.writeAt(tail, writes.map((write) => ({ write, waiter: { resolve: () => {}, reject } })));
            settle.push(() => acks.acknowledge(w.fd, w.end, w.bytes, [{ resolve, reject }]));
          }),
      };
      return await fn(log);
    } catch (err) {
      tailWriter.noteSyncFailure(err);
      throw err;
    } finally {
      lock.release();
      for (const a of settle) a();
    }
  }

  /** Take the lock and find the tail, again if the lock file was deleted or replaced meanwhile. */
  private async lockedTail(timeoutMs: number): Promise<Tail> {
    const { lock, tailWriter } = this.w;
    for (let round = 0; ; round++) {
      await lock.acquire({ timeoutMs });
      let tail: Tail | undefined;
      try {
        tail = tailWriter.prepare();
        if (lock.confirm()) return tail;
        if (round >= MAX_LOCK_ROUNDS) throw new SdnwalError('IO_ERROR', `lock file ${this.w.paths.lock} keeps being deleted or replaced`);
      } catch (err) {
        tailWriter.noteSyncFailure(err);
        lock.release();
        throw err;
      }
      lock.release();
    }
  }
}
