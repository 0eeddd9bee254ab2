/**
 * The table lock (docs/protocol.md §1): an in-process FIFO mutex in front of a non-blocking flock
 * on one fd per lock file per process. Waiting never blocks the event loop (no blocking
 * flockSync) and never parks a thread in libuv's pool (no async flock): a blocked pool would
 * also block the fsync whose completion lets the holder release — a deadlock.
 */
import path from 'node:path';
import fs from 'node:fs';
import fsExt from 'fs-ext';
import { LockTimeoutError, SdnwalError } from '../errors.js';
import { io, openInStore } from '../io.js';
import { addWaiter, readControl, readWaiters, stampHolder, touchWaiter } from './control.js';
import { ioError, isLocked, lockHolderPid, tryFlock } from './flock.js';
import { BACKOFF_MAX_MS, poll, sleep, validTimeout, WAIT } from './lock-wait.js';
import { DEFAULT_LOCK_TIMEOUT_MS } from './constants.js';

export { DEFAULT_LOCK_TIMEOUT_MS, isLocked, lockHolderPid };
export { DEFAULT_WAIT, type WaitPolicy } from './lock-wait.js';
/** A lock file replaced over and over while we take it: give up after this many reopen rounds. */
const MAX_REOPENS = 64;
/**
 * A process re-taking the lock in a loop reads the waiters hint at most this often: a waiter
 * announces only after 50 ms, so a check per millisecond loses nothing and saves a read per take.
 */
const WAITERS_CHECK_MS = 1;

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

/** Run an update of the waiter hint; it is only a hint, so its failure must not fail the lock. */
function hint(update: () => void): void {
  try {
    update();
  } catch {
    // Ignored on purpose: see above.
  }
}

interface Waiter {
  grant: () => void;
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
  private _fd: number | undefined;
  private _held = false;
  /** The in-process mutex: taken by one acquirer at a time, handed over in FIFO order. */
  private mutexTaken = false;
  private readonly queue: Waiter[] = [];
  /** Users that keep the descriptor open between takes (retain/unref). */
  private users = 0;
  /** This process released the flock and nobody else in it took it since (fairness, §1). */
  private justReleased = false;
  /** The waiter count its holder read during the last hold (noteWaiters), if any. */
  private waitersNoted: number | undefined;
  /** When the waiters hint was last read, and what it said. */
  private waitersCheckedAt = -Infinity;
  private waitersSeen = 0;
  private closed = false;
  /** Device and inode of the open descriptor (they never change while it is open). */
  private dev = 0;
  private ino = 0;
  /** The held descriptor no longer names the file (confirm()): release closes it. */
  private stale = false;
  /** How often a flocked descriptor turned out to name a deleted or replaced file (tests, stats). */
  reopens = 0;

  private constructor(abs: string) {
    this.path = abs;
  }

  get held(): boolean {
    return this._held;
  }

  /** Whether another acquirer in this process is queued behind the current holder. */
  get contended(): boolean {
    return this.queue.length > 0;
  }

  /**
   * The lock file's descriptor (O_RDWR, created 0644 if missing), also used for the control
   * record. Read it while holding the lock: only then is it checked to name the file.
   */
  get fd(): number {
    if (this.closed) throw new SdnwalError('CLOSED', `lock ${this.path} is closed`);
    if (this._fd === undefined) this._fd = this.open();
    return this._fd;
  }

  private open(): number {
    try {
      const fd = openInStore(this.path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
      try {
        const st = io.fstatSync(fd);
        this.dev = st.dev;
        this.ino = st.ino;
      } catch (err) {
        io.closeSync(fd);
        throw err;
      }
      return fd;
    } catch (err) {
      if (err instanceof SdnwalError) throw err; // UNSAFE_PATH: a link where the lock file belongs
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new SdnwalError('NOT_FOUND', `cannot open lock file ${this.path}: its directory no longer exists (was the store removed?)`, { cause: err });
      }
      throw ioError(this.path, 'cannot open lock file', err);
    }
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
    if (this.users > 0 || this._held || this.mutexTaken || this.queue.length > 0 || this._fd === undefined) return;
    const fd = this._fd;
    this._fd = undefined;
    io.closeSync(fd);
  }

  /**
   * Whether the open descriptor is still the file at the path: one stat, compared with the
   * descriptor's device and inode. While we hold the descriptor open its inode cannot be reused,
   * so a match also means it is still linked. A lock file deleted or replaced excludes nobody.
   */
  private namesFile(): boolean {
    const now = fs.statSync(this.path, { throwIfNoEntry: false });
    return now !== undefined && now.ino === this.ino && now.dev === this.dev;
  }

  /** Drop a descriptor that names a deleted or replaced file; the next take reopens the path. */
  private forgetFile(): void {
    const fd = this._fd;
    this._fd = undefined;
    this.reopens++;
    if (fd === undefined) return;
    try {
      fsExt.flockSync(fd, 'un');
    } finally {
      io.closeSync(fd);
    }
  }

  /** One try at the flock: true if taken on a descriptor that names the file now. */
  private tryTake(): boolean {
    for (let round = 0; ; round++) {
      if (this.closed) throw new SdnwalError('CLOSED', `lock ${this.path} was closed while waiting`);
      const fd = this.fd;
      if (!tryFlock(fd, this.path)) return false;
      if (this.namesFile()) return true;
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
    await this.takeMutex(timeoutMs, signal);
    let announced = false;
    try {
      // Fairness: having just released with another process waiting for more than 50 ms,
      // pause one full backoff step so its next attempt (at most that far away) finds the lock free.
      let waiters = 0;
      if (this.justReleased && this.waitersNoted !== undefined) {
        waiters = this.waitersNoted;
      } else if (this.justReleased && (this.waitersSeen > 0 || performance.now() - this.waitersCheckedAt >= WAITERS_CHECK_MS)) {
        hint(() => (waiters = readWaiters(this.fd)));
        this.waitersSeen = waiters;
        this.waitersCheckedAt = performance.now();
      }
      if (waiters > 0) await sleep(Math.min(BACKOFF_MAX_MS, Math.max(0, deadline - performance.now())));
      const got = await poll(() => this.tryTake(), deadline, signal, (waited) => {
        if (waited < WAIT.announceAfterMs) return;
        hint(() => (announced ? touchWaiter(this.fd) : addWaiter(this.fd, 1)));
        announced = true;
      });
      if (!got) throw new LockTimeoutError(this.path, timeoutMs, this.holderPid());
    } catch (err) {
      if (announced && !this.closed) hint(() => addWaiter(this.fd, -1));
      this.releaseMutex();
      this.closeIfIdle();
      throw err;
    }
    if (announced) hint(() => addWaiter(this.fd, -1));
    this.onTaken(opts.stampHolder ?? true);
  }

  /** Take the lock only if that needs no waiting: the mutex is free and the flock is not held elsewhere. */
  tryAcquire(): boolean {
    if (this.mutexTaken || this.queue.length > 0) return false;
    this.mutexTaken = true;
    let got = false;
    try {
      got = this.tryTake();
    } finally {
      if (!got) {
        this.mutexTaken = false;
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
    if (!this._held || this._fd === undefined) throw new TypeError(`confirm() of ${this.path}, which this process does not hold`);
    if (this.namesFile()) return true;
    this.stale = true;
    return false;
  }

  /** Release the flock and hand the mutex to the next in-process waiter. */
  release(): void {
    if (!this._held || this._fd === undefined) throw new TypeError(`release() of ${this.path}, which this process does not hold`);
    this._held = false;
    this.justReleased = true;
    try {
      if (this.stale) {
        this.stale = false;
        this.forgetFile();
      } else fsExt.flockSync(this._fd, 'un');
    } finally {
      this.releaseMutex();
      this.closeIfIdle();
    }
  }

  /** Release if held, close the fd, reject every queued waiter with CLOSED, forget this instance. */
  close(): void {
    if (this._held) this.release();
    this.closed = true;
    for (const w of this.queue.splice(0)) w.grant();
    if (this._fd !== undefined) io.closeSync(this._fd);
    this._fd = undefined;
    if (FileLock.instances.get(this.path) === this) FileLock.instances.delete(this.path);
  }

  /** Whether this process has the lock file open (tests: descriptors do not outlive their users). */
  get isOpen(): boolean {
    return this._fd !== undefined;
  }

  /**
   * The holder read the waiter slot with the control record during this hold: the next take
   * uses it for the fairness check instead of reading the slot again.
   */
  noteWaiters(waiters: number): void {
    if (this._held) this.waitersNoted = waiters;
  }

  private onTaken(stamp = true): void {
    this._held = true;
    this.waitersNoted = undefined;
    this.justReleased = false;
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

  private takeMutex(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (!this.mutexTaken) {
      this.mutexTaken = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const leave = (err: unknown): void => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        done();
        reject(err);
      };
      const waiter: Waiter = {
        grant: () => {
          done();
          if (this.closed) reject(new SdnwalError('CLOSED', `lock ${this.path} was closed while waiting`));
          else resolve();
        },
      };
      const onAbort = (): void => leave(signal?.reason);
      const timer = setTimeout(() => leave(new LockTimeoutError(this.path, timeoutMs, this.holderPid())), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  /** Hand the mutex to the next queued acquirer, or free it. */
  private releaseMutex(): void {
    const next = this.queue.shift();
    if (next) next.grant();
    else this.mutexTaken = false;
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
