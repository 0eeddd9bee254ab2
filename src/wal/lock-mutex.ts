/**
 * The in-process half of the table lock (docs/protocol.md §1): a mutex taken by one acquirer at
 * a time and handed over in FIFO order, so that only the one holding it tries the flock.
 */

interface Waiter {
  grant: () => void;
}

/** How a wait ends other than granted: the lock's own errors. */
export interface MutexErrors {
  /** The wait took its whole timeout. */
  timeout(timeoutMs: number): unknown;
  /** At the grant: the error to reject with (the lock was closed meanwhile), or undefined. */
  closed(): unknown;
}

export class FifoMutex {
  private taken = false;
  private readonly queue: Waiter[] = [];

  /** Taken by an acquirer (or handed to a queued one). */
  get isTaken(): boolean {
    return this.taken;
  }

  /** Acquirers queued behind the one that has it. */
  get queued(): number {
    return this.queue.length;
  }

  /** Take it if that needs no waiting: it is free and nobody is queued. */
  tryTake(): boolean {
    if (this.taken || this.queue.length > 0) return false;
    this.taken = true;
    return true;
  }

  /** Take it, queued FIFO behind the others; rejects after `timeoutMs` or when `signal` aborts. */
  take(timeoutMs: number, signal: AbortSignal | undefined, errors: MutexErrors): Promise<void> {
    if (!this.taken) {
      this.taken = true;
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
          const closed = errors.closed();
          if (closed) reject(closed);
          else resolve();
        },
      };
      const onAbort = (): void => leave(signal?.reason);
      const timer = setTimeout(() => leave(errors.timeout(timeoutMs)), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  /** Hand the mutex to the next queued acquirer, or free it. */
  release(): void {
    const next = this.queue.shift();
    if (next) next.grant();
    else this.taken = false;
  }

  /** Grant every queued acquirer at once (the lock was closed: each finds that and rejects). */
  grantAll(): void {
    for (const w of this.queue.splice(0)) w.grant();
  }
}
