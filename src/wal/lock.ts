/**
 * The table lock (PROTOCOLS.md §1): an in-process FIFO mutex in front of a non-blocking flock
 * on one fd per lock file per process. Waiting never blocks the event loop (no blocking
 * flockSync) and never parks a thread in libuv's pool (no async flock): a blocked pool would
 * also block the fsync whose completion lets the holder release — a deadlock.
 */
import path from 'node:path';
import fs from 'node:fs';
import fsExt from 'fs-ext';
import { LockTimeoutError, SdnwalError } from '../errors.js';
import { io } from '../io.js';
import { addWaiter, readControl, readControlAt, readWaiters, touchWaiter, writeControl } from './control.js';

/** Default time to wait for a lock. */
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
/** How long to retry on setImmediate before sleeping: most holds are shorter than this. */
const SPIN_NS = 200_000n;
/** Backoff sleeps grow 1, 2, 4, 8, 10, 10, ... ms. */
const BACKOFF_MIN_MS = 1;
const BACKOFF_MAX_MS = 10;
/** A waiter older than this announces itself in the control record (fairness hint). */
const ANNOUNCE_AFTER_MS = 50;
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

function isBusy(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR';
}

function ioError(file: string, what: string, err: unknown): SdnwalError {
  return new SdnwalError('IO_ERROR', `${what} ${file}: ${(err as Error).message}`, { cause: err });
}

/** Try the flock once: true if taken, false if another open file description holds it. */
function tryFlock(fd: number, file: string): boolean {
  try {
    fsExt.flockSync(fd, 'exnb');
    return true;
  } catch (err) {
    if (isBusy(err)) return false;
    throw ioError(file, 'cannot lock', err);
  }
}

/** Run an update of the waiter hint; it is only a hint, so its failure must not fail the lock. */
function hint(update: () => void): void {
  try {
    update();
  } catch {
    // Ignored on purpose: see above.
  }
}

const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function validTimeout(timeoutMs: number): number {
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new TypeError(`Expected \`timeoutMs\` to be a finite number >= 0, got \`${timeoutMs}\` (${typeof timeoutMs})`);
  }
  return timeoutMs;
}

/**
 * Poll `attempt` (spin on setImmediate for ~200 µs, then sleep 1 → 10 ms) until it returns true
 * or `deadline` (performance.now() ms) passes; returns whether it succeeded. `onWait` runs
 * before every sleep with the time waited so far.
 */
async function poll(attempt: () => boolean, deadline: number, signal?: AbortSignal, onWait?: (waitedMs: number) => void): Promise<boolean> {
  const start = performance.now();
  const spinUntil = process.hrtime.bigint() + SPIN_NS;
  let delay = BACKOFF_MIN_MS;
  for (;;) {
    signal?.throwIfAborted();
    if (attempt()) return true;
    const now = performance.now();
    if (now >= deadline) return false;
    if (process.hrtime.bigint() < spinUntil) {
      await immediate();
      continue;
    }
    onWait?.(now - start);
    await sleep(Math.max(0, Math.min(delay, deadline - now)));
    delay = Math.min(delay * 2, BACKOFF_MAX_MS);
  }
}

interface Waiter {
  grant: () => void;
}

/** The lock of one file, shared by everything in this process that locks that file. */
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
  /** This process released the flock and nobody else in it took it since (fairness, §1). */
  private justReleased = false;
  /** When the waiters hint was last read, and what it said. */
  private waitersCheckedAt = -Infinity;
  private waitersSeen = 0;
  private closed = false;

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

  /** The lock file's descriptor (O_RDWR, created 0644 on first use), also used for the control record. */
  get fd(): number {
    if (this.closed) throw new SdnwalError('CLOSED', `lock ${this.path} is closed`);
    if (this._fd === undefined) {
      try {
        this._fd = io.openSync(this.path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
      } catch (err) {
        throw ioError(this.path, 'cannot open lock file', err);
      }
    }
    return this._fd;
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
    const deadline = performance.now() + timeoutMs;
    const fd = this.fd;
    await this.takeMutex(timeoutMs, signal);
    let announced = false;
    try {
      // Fairness: having just released with another process waiting for more than 50 ms,
      // pause one full backoff step so its next attempt (≤ 10 ms away) finds the lock free.
      let waiters = 0;
      if (this.justReleased && (this.waitersSeen > 0 || performance.now() - this.waitersCheckedAt >= WAITERS_CHECK_MS)) {
        hint(() => (waiters = readWaiters(fd)));
        this.waitersSeen = waiters;
        this.waitersCheckedAt = performance.now();
      }
      if (waiters > 0) await sleep(Math.min(BACKOFF_MAX_MS, Math.max(0, deadline - performance.now())));
      const attempt = (): boolean => {
        if (this.closed) throw new SdnwalError('CLOSED', `lock ${this.path} was closed while waiting`);
        return tryFlock(fd, this.path);
      };
      const got = await poll(attempt, deadline, signal, (waited) => {
        if (waited < ANNOUNCE_AFTER_MS) return;
        hint(() => (announced ? touchWaiter(fd) : addWaiter(fd, 1)));
        announced = true;
      });
      if (!got) throw new LockTimeoutError(this.path, timeoutMs, this.holderPid());
    } catch (err) {
      this.releaseMutex();
      throw err;
    } finally {
      if (announced && !this.closed) hint(() => addWaiter(fd, -1));
    }
    this.onTaken(opts.stampHolder ?? true);
  }

  /** Take the lock only if that needs no waiting: the mutex is free and the flock is not held elsewhere. */
  tryAcquire(): boolean {
    if (this.mutexTaken || this.queue.length > 0) return false;
    if (!tryFlock(this.fd, this.path)) return false;
    this.mutexTaken = true;
    this.onTaken();
    return true;
  }

  /** Release the flock and hand the mutex to the next in-process waiter. */
  release(): void {
    if (!this._held || this._fd === undefined) throw new TypeError(`release() of ${this.path}, which this process does not hold`);
    this._held = false;
    this.justReleased = true;
    try {
      fsExt.flockSync(this._fd, 'un');
    } finally {
      this.releaseMutex();
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

  private onTaken(stamp = true): void {
    this._held = true;
    this.justReleased = false;
    if (stamp) this.stampHolder();
  }

  /** Put this pid in an existing valid control record, so a timed-out waiter can name us. */
  private stampHolder(): void {
    try {
      const rec = readControl(this.fd);
      if (rec && rec.holderPid !== process.pid) writeControl(this.fd, { ...rec, holderPid: process.pid });
    } catch {
      // The record is a hint; a failure to stamp it must not fail the lock.
    }
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

/**
 * Whether someone holds the lock of `file` (this process's own FileLock included): tries it on
 * a separate read-only descriptor and unlocks at once. A missing file → false; creates nothing.
 */
export function isLocked(file: string): boolean {
  let fd: number;
  try {
    fd = io.openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw ioError(file, 'cannot open lock file', err);
  }
  try {
    if (!tryFlock(fd, file)) return true;
    fsExt.flockSync(fd, 'un');
    return false;
  } finally {
    io.closeSync(fd);
  }
}

/** The pid named by the lock file's control record, without locking or creating anything. */
export function lockHolderPid(file: string): number | undefined {
  return readControlAt(file)?.holderPid || undefined;
}

/** ReedBase parity: wait (polling with backoff) until nobody holds the lock of `file`. */
export async function waitForUnlock(file: string, timeoutMs = DEFAULT_LOCK_TIMEOUT_MS): Promise<void> {
  validTimeout(timeoutMs);
  const free = await poll(() => !isLocked(file), performance.now() + timeoutMs);
  if (!free) throw new LockTimeoutError(file, timeoutMs, lockHolderPid(file));
}
