/**
 * The log writer's queue of appends, in the order they were made: the next batch is taken from
 * its head, and callers that must come after every append queued so far (a checked write, a
 * flush, a close) wait until their batches have handled them (docs/protocol.md §4).
 */
import type { Queued } from './batch-encode.js';

/** Rows taken from the queue for one batch before encoding (which then stops at MAX_BATCH_BYTES). */
const MAX_BATCH_ROWS = 65_536;

export class AppendQueue {
  private queue: Queued[] = [];
  /** Appends queued so far, and how many of them their batch has handled (FIFO): flush() waits on these. */
  private _enqueued = 0;
  private handled = 0;
  /** Callers of written(), each waiting for `handled` to reach its target. */
  private handledWaiters: Array<{ target: number; resolve: () => void }> = [];

  get enqueued(): number {
    return this._enqueued;
  }

  get length(): number {
    return this.queue.length;
  }

  push(q: Queued): void {
    this._enqueued++;
    this.queue.push(q);
  }

  /** The next batch: at least one write, then whole writes up to MAX_BATCH_ROWS rows. */
  take(): Queued[] {
    let n = 0;
    let rows = 0;
    while (n < this.queue.length && (n === 0 || rows < MAX_BATCH_ROWS)) rows += this.queue[n++]!.write.rows.length;
    return this.queue.splice(0, n);
  }

  /** Writes a batch left for the next one (past MAX_BATCH_BYTES): they go first. */
  putBack(rest: Queued[]): void {
    this.queue.unshift(...rest);
  }

  /** A batch is done with `n` more appends (written or rejected). */
  noteHandled(n: number): void {
    this.handled += n;
    this.wakeHandled();
  }

  /**
   * Resolves once the first `count` appends ever queued have been handled by their batch. It
   * sleeps until then (a batch may wait lockTimeoutMs for the lock): no polling.
   */
  written(count: number): Promise<void> {
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
}
