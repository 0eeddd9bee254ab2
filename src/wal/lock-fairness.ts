/**
 * Fairness between processes (docs/protocol.md §1, docs/locking.md "The table lock"): a process
 * that has just released the lock and finds a fresh waiter count above zero in the waiter slot
 * steps aside for one backoff step, so the waiter's next attempt finds the lock free.
 */
import { readWaiters } from './control.js';

/**
 * A process re-taking the lock in a loop reads the waiters hint at most this often: a waiter
 * announces only after 50 ms, so a check per millisecond loses nothing and saves a read per take.
 */
const WAITERS_CHECK_MS = 1;

/** Run an update of the waiter hint; it is only a hint, so its failure must not fail the lock. */
export function hint(update: () => void): void {
  try {
    update();
  } catch {
    // Ignored on purpose: see above.
  }
}

/** What one FileLock knows of the processes waiting for it. */
export class Fairness {
  /** This process released the flock and nobody else in it took it since (fairness, §1). */
  private justReleased = false;
  /** The waiter count its holder read during the last hold (noteWaiters), if any. */
  private waitersNoted: number | undefined;
  /** When the waiters hint was last read, and what it said. */
  private waitersCheckedAt = -Infinity;
  private waitersSeen = 0;

  released(): void {
    this.justReleased = true;
  }

  taken(): void {
    this.waitersNoted = undefined;
    this.justReleased = false;
  }

  /** The holder read the waiter slot with the control record during this hold. */
  noteWaiters(waiters: number): void {
    this.waitersNoted = waiters;
  }

  /**
   * How many other processes wait, if this process has just released the lock (else 0): the count
   * noted during the last hold, or the waiter slot read from `fd()` (at most once a WAITERS_CHECK_MS
   * while it showed none).
   */
  waitersAfterRelease(fd: () => number): number {
    let waiters = 0;
    if (this.justReleased && this.waitersNoted !== undefined) {
      waiters = this.waitersNoted;
    } else if (this.justReleased && (this.waitersSeen > 0 || performance.now() - this.waitersCheckedAt >= WAITERS_CHECK_MS)) {
      hint(() => (waiters = readWaiters(fd())));
      this.waitersSeen = waiters;
      this.waitersCheckedAt = performance.now();
    }
    return waiters;
  }
}
