/**
 * The table lock (docs/protocol.md §1): an in-process FIFO mutex in front of a non-blocking flock
 * on one fd per lock file per process. Waiting never blocks the event loop (no blocking
 * flockSync) and never parks a thread in libuv's pool (no async flock): a blocked pool would
 * also block the fsync whose completion lets the holder release — a deadlock.
 */
import path from 'node:path';
import fsExt from 'fs-ext';
import { LockTimeoutError, SdnwalError } from '../errors.js';
import { addWaiter, readControl, stampHolder, touchWaiter } from './control.js';
import { isLocked, lockHolderPid, tryFlock } from './flock.js';
import { Fairness, hint } from './lock-fairness.js';
import { LockFile } from './lock-file.js';
import { FifoMutex, type MutexErrors } from './lock-mutex.js';
import { BACKOFF_MAX_MS, poll, sleep, validTimeout, WAIT } from './lock-wait.js';
import { DEFAULT_LOCK_TIMEOUT_MS } from './constants.js';

export { DEFAULT_LOCK_TIMEOUT_MS, isLocked, lockHolderPid };
export { DEFAULT_WAIT, type WaitPolicy } from './lock-wait.js';
/** A lock file replaced over and over while we take it: give up after this many reopen rounds. */
const MAX_REOPENS = 64;

export interface AcquireOptions {
  /** Give up with LOCK_TIMEOUT after this many ms. @default 10_000 */
  readonly timeoutMs?: number;
  /** Abort the wait; the promise rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
  /**
   * Write this pid into the control record on taking the lock, so a timed-out waiter can name
   * the holder. The log writer passes false: it publishes its pid with the batch it writes a few
   * microseconds later, and the extra read and write would lengthen every hold. @default true
   */
  readonly stampHolder?: boolean;
}

/**
 * The lock of one file, shared by everything in this process that locks that file. Its descriptor
 * is open only while someone uses it: a holder, a waiter, or a user that `retain()`ed it (a table's
 * log writer); it is closed when the last of them lets go, and after every flock the descriptor
 * is checked to still name the file (docs/protocol.md §1, "The lock knows its file").
 */
export class FileLock {
  private static readonly instances = new Map<string, FileLock>();

  /** The FileLock of `file` (resolved to an absolute path); one per path per process. */
  static for(file: string): FileLock {
    const abs = path.resolve(file);
    let lock = FileLock.instances.get(abs);
    if (!lock) {
      lock = new FileLock(abs);
      FileLock.instances.set(abs, lock);
    }
    return lock;
  }

  readonly path: string;
  /** The descriptor, checked to name the file (lock-file.ts). */
  private readonly file: LockFile;
  private _held = false;
  /** The in-process mutex: taken by one acquirer at a time, handed over in FIFO order. */
  private readonly mutex = new FifoMutex();
  /** How a queued acquirer's wait ends when not granted: LOCK_TIMEOUT naming the holder, or CLOSED. */
  private readonly mutexErrors: MutexErrors = {
    timeout: (timeoutMs) => new LockTimeoutError(this.path, timeoutMs, this.holderPid()),
    closed: () => (this.closed ? new SdnwalError('CLOSED', `lock ${this.path} was closed while waiting`) : undefined),
  };
  /** Users that keep the descriptor open between takes (retain/unref). */
  private users = 0;
  /** Whether to step aside for another process's waiter (lock-fairness.ts). */
  private readonly fairness = new Fairness();
  private closed = false;
  /** The held descriptor no longer names the file (confirm()): release closes it. */
  private stale = false;
  /** How often a flocked descriptor turned out to name a deleted or replaced file (tests, stats). */
  reopens = 0;

  private constructor(abs: string) {
    this.path = abs;
    this.file = new LockFile(abs);
  }

  get held(): boolean {
    return this._held;
  }

  /** Whether another acquirer in this process is queued behind the current holder. */
  get contended(): boolean {
    return this.mutex.queued > 0;
  }

  /**
   * The lock file's descriptor (O_RDWR, created 0644 if missing), also used for the control
   * record. Read it while holding the lock: only then is it checked to name the file.
   */
  get fd(): number {
    if (this.closed) throw new SdnwalError('CLOSED', `lock ${this.path} is closed`);
    return this.file.fd;
  }

  /** Keep the descriptor open between takes until the matching `unref()` (a log writer's lifetime). */
  retain(): this {
    if (this.closed) throw new SdnwalError('CLOSED', `lock ${this.path} is closed`);
    this.users++;
    return this;
  }

  /** Undo one `retain()`; the descriptor is closed once nobody uses it. */
  unref(): void {
    if (this.users > 0) this.users--;
    this.closeIfIdle();
  }

  /** Close the descriptor when no holder, waiter or retaining user needs it. */
  private closeIfIdle(): void {
    if (this.users > 0 || this._held || this.mutex.isTaken || this.mutex.queued > 0 || this.file.current === undefined) return;
    this.file.close();
  }

  /** Drop a descriptor that names a deleted or replaced file; the next take reopens the path. */
  private forgetFile(): void {
    this.reopens++;
    this.file.forget();
  }

  /** One try at the flock: true if taken on a descriptor that names the file now. */
  private tryTake(): boolean {
    for (let round = 0; ; round++) {
      if (this.closed) throw new SdnwalError('CLOSED', `lock ${this.path} was closed while waiting`);
      const fd = this.fd;
      if (!tryFlock(fd, this.path)) return false;
      if (this.file.namesFile()) return true;
      this.forgetFile();
      if (round >= MAX_REOPENS) throw new SdnwalError('IO_ERROR', `lock file ${this.path} keeps being deleted or replaced; is something removing the store's files?`);
    }
  }

  /**
   * Take the lock: the in-process mutex (FIFO), then the flock. Rejects with LOCK_TIMEOUT
   * (naming the holder pid of the control record, if any) after `timeoutMs`, or with
   * `signal.reason` when aborted; in both cases nothing is held.
   */
  async acquire(opts: AcquireOptions = {}): Promise<void> {
    const timeoutMs = validTimeout(opts.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
    const { signal } = opts;
    signal?.throwIfAborted();
    if (this.closed) throw new SdnwalError('CLOSED', `lock ${this.path} is closed`);
    const deadline = performance.now() + timeoutMs;
    await this.mutex.take(timeoutMs, signal, this.mutexErrors);
    let announced = false;
    try {
      // Fairness: having just released with another process waiting for more than 50 ms,
      // pause one full backoff step so its next attempt (at most that far away) finds the lock free.
      const waiters = this.fairness.waitersAfterRelease(() => this.fd);
      if (waiters > 0) await sleep(Math.min(BACKOFF_MAX_MS, Math.max(0, deadline - performance.now())));
      const got = await poll(() => this.tryTake(), deadline, signal, (waited) => {
        if (waited < WAIT.announceAfterMs) return;
        hint(() => (announced ? touchWaiter(this.fd) : addWaiter(this.fd, 1)));
        announced = true;
      });
      if (!got) throw new LockTimeoutError(this.path, timeoutMs, this.holderPid());
    } catch (err) {
      if (announced && !this.closed) hint(() => addWaiter(this.fd, -1));
      this.mutex.release();
      this.closeIfIdle();
      throw err;
    }
    if (announced) hint(() => addWaiter(this.fd, -1));
    this.onTaken(opts.stampHolder ?? true);
  }

  /** Take the lock only if that needs no waiting: the mutex is free and the flock is not held elsewhere. */
  tryAcquire(): boolean {
    if (!this.mutex.tryTake()) return false;
    let got = false;
    try {
      got = this.tryTake();
    } finally {
      if (!got) {
        this.mutex.release(); // nobody queued meanwhile: this frees it
        this.closeIfIdle();
      }
    }
    if (got) this.onTaken();
    return got;
  }

  /**
   * Holding the lock: does its descriptor still name the file? Checked again right before a
   * write, so a lock file deleted or replaced during the hold is noticed before anything is
   * written (the caller releases and takes the lock again, on the new file).
   */
  confirm(): boolean {
    if (!this._held || this.file.current === undefined) throw new TypeError(`confirm() of ${this.path}, which this process does not hold`);
    if (this.file.namesFile()) return true;
    this.stale = true;
    return false;
  }

  /** Release the flock and hand the mutex to the next in-process waiter. */
  release(): void {
    const fd = this.file.current;
    if (!this._held || fd === undefined) throw new TypeError(`release() of ${this.path}, which this process does not hold`);
    this._held = false;
    this.fairness.released();
    try {
      if (this.stale) {
        this.stale = false;
        this.forgetFile();
      } else fsExt.flockSync(fd, 'un');
    } finally {
      this.mutex.release();
      this.closeIfIdle();
    }
  }

  /** Release if held, close the fd, reject every queued waiter with CLOSED, forget this instance. */
  close(): void {
    if (this._held) this.release();
    this.closed = true;
    this.mutex.grantAll();
    this.file.close();
    if (FileLock.instances.get(this.path) === this) FileLock.instances.delete(this.path);
  }

  /** Whether this process has the lock file open (tests: descriptors do not outlive their users). */
  get isOpen(): boolean {
    return this.file.current !== undefined;
  }

  /**
   * The holder read the waiter slot with the control record during this hold: the next take
   * uses it for the fairness check instead of reading the slot again.
   */
  noteWaiters(waiters: number): void {
    if (this._held) this.fairness.noteWaiters(waiters);
  }

  private onTaken(stamp = true): void {
    this._held = true;
    this.fairness.taken();
    if (stamp) this.stampHolder();
  }

  /** Put this pid in the control record, so a timed-out waiter can name us. */
  private stampHolder(): void {
    // The record is a hint; a failure to stamp it must not fail the lock.
    hint(() => stampHolder(this.fd));
  }

  private holderPid(): number | undefined {
    try {
      return readControl(this.fd)?.holderPid || undefined;
    } catch {
      return undefined;
    }
  }
}

/** ReedBase parity: take the lock of `file` and return it (call `release()` when done). */
export async function acquireLock(file: string, timeoutMs = DEFAULT_LOCK_TIMEOUT_MS): Promise<FileLock> {
  const lock = FileLock.for(file);
  await lock.acquire({ timeoutMs });
  return lock;
}

/** ReedBase parity: wait (polling with backoff) until nobody holds the lock of `file`. */
export async function waitForUnlock(file: string, timeoutMs = DEFAULT_LOCK_TIMEOUT_MS): Promise<void> {
  validTimeout(timeoutMs);
  const free = await poll(() => !isLocked(file), performance.now() + timeoutMs);
  if (!free) throw new LockTimeoutError(file, timeoutMs, lockHolderPid(file));
}
