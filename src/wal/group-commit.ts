/**
 * Group commit (docs/protocol.md §4 step 7): batches written while an fdatasync is in flight
 * share the next one. A batch is acknowledged only by an fdatasync this process issued
 * after the batch's write returned; a failed fdatasync rejects everything it was to cover
 * and is never retried to acknowledge them (the kernel may have dropped the dirty pages).
 */
import { SdnwalError } from '../errors.js';
import { io } from '../io.js';
import type { AppendPhases } from './phases.js';

export interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

interface Written {
  fd: number;
  /** Segment offset up to which this batch is durable once its fd is synced. */
  end: number;
  waiters: Waiter[];
}

export class GroupCommit {
  private pending: Written[] = [];
  private inFlight: Promise<void> | undefined;
  /** Number of fdatasync calls issued (the demo and stats report how many appends each covered). */
  syncs = 0;
  /** Called with (fd, end) after a successful sync, so the writer can record `synced`. */
  onSynced: (fd: number, end: number) => void = () => {};
  /** Where the fdatasync and ack time of each batch is added (the writer's). */
  phases: AppendPhases | undefined;
  /** Set after a failed fdatasync: the handle is unusable until reopened. */
  failure: SdnwalError | undefined;
  /** Batches added, and how many of them are settled (synced or failed), in order: drain() waits on these. */
  private added = 0;
  private settled = 0;
  private drains: { target: number; resolve: () => void }[] = [];

  /** Queue a written batch for the next fdatasync of `fd`. */
  add(fd: number, end: number, waiters: Waiter[]): void {
    this.pending.push({ fd, end, waiters });
    this.added++;
    if (!this.inFlight) this.inFlight = this.loop();
  }

  get idle(): boolean {
    return this.inFlight === undefined;
  }

  /**
   * fdatasync `fd` now, on this thread, then settle `waiters` (inline mode: no threadpool hop;
   * the event loop waits for the flush, appends queued meanwhile share the next one).
   */
  syncInline(fd: number, end: number, waiters: Waiter[]): void {
    if (this.failure) {
      for (const w of waiters) w.reject(this.failure);
      return;
    }
    this.syncs++;
    const t0 = performance.now();
    try {
      io.fdatasyncSync(fd);
    } catch (cause) {
      for (const w of [...waiters, ...this.fail(cause)]) w.reject(this.failure);
      return;
    }
    const t1 = this.phases?.add('sync', t0) ?? 0;
    this.onSynced(fd, end);
    for (const w of waiters) w.resolve();
    this.phases?.add('ack', t1);
  }

  /** Record a failed fdatasync; returns the waiters still queued, which it fails too. */
  private fail(cause: unknown): Waiter[] {
    this.failure = new SdnwalError('IO_ERROR', `fdatasync failed; appends it covered are not acknowledged (they may or may not be present after recovery); reopen the store`, { cause });
    const groups = this.pending.splice(0);
    this.settle(groups.length);
    return groups.flatMap((g) => g.waiters);
  }

  private settle(groups: number): void {
    this.settled += groups;
    if (this.drains.length === 0) return;
    this.drains = this.drains.filter((d) => {
      if (this.settled < d.target) return true;
      d.resolve();
      return false;
    });
  }

  /**
   * Resolves when every batch added so far is synced (or failed). Batches added meanwhile are not
   * waited for, so a writer that never pauses cannot hold it up.
   */
  drain(): Promise<void> {
    const target = this.added;
    if (this.settled >= target) return Promise.resolve();
    return new Promise((resolve) => this.drains.push({ target, resolve }));
  }

  private async loop(): Promise<void> {
    // Start on a later microtask, so `inFlight` is assigned before the loop can end and clear it.
    await undefined;
    try {
      while (this.pending.length > 0) {
        const group = this.pending.splice(0);
        const fds = [...new Set(group.map((g) => g.fd))];
        const t0 = performance.now();
        try {
          for (const fd of fds) {
            this.syncs++;
            await io.fdatasync(fd);
          }
        } catch (cause) {
          this.settle(group.length);
          for (const w of [...group.flatMap((g) => g.waiters), ...this.fail(cause)]) w.reject(this.failure);
          return;
        }
        const t1 = this.phases?.add('sync', t0) ?? 0;
        for (const g of group) {
          this.onSynced(g.fd, g.end);
          for (const w of g.waiters) w.resolve();
        }
        this.phases?.add('ack', t1);
        this.settle(group.length);
      }
    } finally {
      this.inFlight = undefined;
    }
  }
}
