/**
 * When a written batch is acknowledged, per sync mode (docs/wal-format.md, "Durability"):
 * 'always' after an fdatasync of this process's own descriptor (inline on the main thread, or
 * group-committed in the threadpool), 'batch' at once with an fdatasync at most `batchMs` or
 * `batchBytes` later, 'none' at once. A failed fdatasync fails the handle (`failure`).
 */
import type { SdnwalError } from '../errors.js';
import { GroupCommit, type Waiter } from './group-commit.js';
import type { AppendPhases } from './phases.js';

export type SyncMode = 'always' | 'batch' | 'none';

export interface AckOptions {
  sync: SyncMode;
  batchMs: number;
  batchBytes: number;
  /** 'always': fdatasync on the main thread right after the write (default), or in the threadpool (false). */
  inlineSync?: boolean;
}

export class Acks {
  private readonly commits = new GroupCommit();
  private batchTimer: NodeJS.Timeout | undefined;
  private unsyncedBytes = 0;

  constructor(
    private readonly opts: AckOptions,
    /** The active segment's descriptor, which a 'batch' flush syncs (a roll synced the ones before). */
    private readonly activeFd: () => number | undefined,
    phases: AppendPhases,
    onSynced: (fd: number, end: number) => void,
  ) {
    this.commits.phases = phases;
    this.commits.onSynced = onSynced;
  }

  /** fdatasync inline: then a batch waits for the loop's turn, so appends from several callbacks share it. */
  get inline(): boolean {
    return this.opts.sync === 'always' && this.opts.inlineSync !== false;
  }

  /** Set by a failed fdatasync (here or anywhere under the lock): the handle is unusable until reopened. */
  get failure(): SdnwalError | undefined {
    return this.commits.failure;
  }

  fail(err: SdnwalError): void {
    this.commits.failure ??= err;
  }

  /** fdatasync calls issued (stats and the demo report how many appends each covered). */
  get syncs(): number {
    return this.commits.syncs;
  }

  /** No fdatasync in flight: descriptors retired by a roll may be closed. */
  get idle(): boolean {
    return this.commits.idle;
  }

  /** A batch was written to `fd` up to `end` (`bytes` long): settle its waiters per the sync mode. */
  acknowledge(fd: number, end: number, bytes: number, waiters: Waiter[]): void {
    if (waiters.length === 0) return;
    if (this.inline) return this.commits.syncInline(fd, end, waiters);
    if (this.opts.sync === 'always') return this.commits.add(fd, end, waiters);
    for (const w of waiters) w.resolve();
    if (this.opts.sync === 'batch') {
      this.unsyncedBytes += bytes;
      if (this.unsyncedBytes >= this.opts.batchBytes) this.syncNow();
      else this.batchTimer ??= setTimeout(() => this.syncNow(), this.opts.batchMs);
    }
  }

  /** Resolves once every batch acknowledged so far is synced (a pending 'batch' flush starts now). */
  drain(): Promise<void> {
    if (this.batchTimer) this.syncNow();
    return this.commits.drain();
  }

  private syncNow(): void {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    this.unsyncedBytes = 0;
    const fd = this.activeFd();
    if (fd !== undefined) this.commits.add(fd, 0, []);
  }
}
