/**
 * `table.watch()`: the committed writes of every process, in log order, as an async iterator.
 *
 * Guarantee. Every write committed (published in the control record) after the starting point is
 * yielded exactly once, in the order the table lock gave the writers, across segment rolls and
 * compactions. The watcher holds a descriptor open on each segment from the one it reads onward
 * (opened as soon as a roll or a file event shows it), and an open file survives its unlink: a
 * segment a compactor deletes under a slow consumer is still read to its SEAL. The one case it
 * cannot cover is a segment created and deleted (two compactions later) while this process never
 * ran its event loop; then the iterator throws WATCH_GAP rather than skip or repeat anything.
 * Entries are committed, not necessarily durable (docs/protocol.md §8); spooled writes appear when drained.
 *
 * Waking: a debounced fs.watch on the lock file (the control record is rewritten after every
 * append) and the wal directory (segments created and deleted), and a timer that polls the control
 * record's generation, which is all there is where fs.watch is not available.
 */
import fs from 'node:fs';
import { CorruptLogError, SdnwalError } from '../errors.js';
import { readSnapshotMeta } from '../snapshot/meta.js';
import { READ_CHUNK_BYTES } from '../wal/constants.js';
import { readControlAt } from '../wal/control.js';
import type { Operation, Row } from '../wal/entry.js';
import type { TablePaths } from '../wal/paths.js';
import { readWalDir } from '../wal/segment.js';
import { segmentPath } from '../wal/tail.js';
import { isLive, LogFollower } from './follower.js';

export interface WatchOptions {
  /** The iterator ends when this signal aborts. */
  readonly signal?: AbortSignal;
  /** How often the control record is polled when no file event came (the only wake-up where fs.watch is unavailable). @default 250 */
  readonly pollMs?: number;
  /** Start with the oldest entry still in the log (just above the snapshot) instead of after the current end. @default false */
  readonly fromStart?: boolean;
}

/** One committed write, where it is in the log. */
export interface WatchEntry {
  operation: Operation;
  rows: Row[];
  /** When the writer made it (ms since the epoch). */
  timestamp: number;
  segment: number;
  /** File offset of its frame in the segment. */
  offset: number;
}

export const DEFAULT_WATCH_POLL_MS = 250;
/** File events within this window are one wake-up (an append rewrites both a segment and the control record). */
const DEBOUNCE_MS = 5;

export class WatchGapError extends SdnwalError {
  constructor(table: string, segment: number) {
    super(
      'WATCH_GAP',
      `watch on table ${table}: segment ${segment} was compacted away before this process could open it ` +
        '(its event loop did not run for two compactions); its entries are in the snapshot now. Reload the table and start a new watch',
    );
  }
}

/** The iterator behind table.watch(). Its start position is fixed when it is made, not at the first next(). */
export class LogWatcher implements AsyncIterableIterator<WatchEntry> {
  /** Reads the log; holds the segments from the one being read on, so they survive a compactor's unlink. */
  private follower!: LogFollower;
  /** False until the start position is fixed; until then a compacted start segment just moves the start. */
  private positioned = false;
  /** While the start skips to the current end: a compacted segment there loses nothing. */
  private skipping = false;
  private queue: WatchEntry[] = [];
  private failure: unknown;
  private done = false;
  private waiters: Array<() => void> = [];
  private readonly timer: NodeJS.Timeout;
  private debounce: NodeJS.Timeout | undefined;
  private readonly fsWatchers: fs.FSWatcher[] = [];
  private lastSignature = '';
  private lastActive = -1;
  private dirChanged = true;
  private readonly signals: AbortSignal[];
  private readonly onAbort = (): void => this.stop();

  constructor(
    private readonly paths: TablePaths,
    private readonly identity: { table: string; tableId?: string },
    opts: WatchOptions,
    /** Aborted when the store closes. */
    closed: AbortSignal,
  ) {
    const pollMs = opts.pollMs ?? DEFAULT_WATCH_POLL_MS;
    if (!Number.isInteger(pollMs) || pollMs < 1) throw new SdnwalError('INVALID_OPTION', `Expected \`pollMs\` to be an integer >= 1, got \`${String(pollMs)}\` (${typeof pollMs})`);
    if (opts.signal !== undefined && !(opts.signal instanceof AbortSignal)) throw new SdnwalError('INVALID_OPTION', `Expected \`signal\` to be an AbortSignal, got \`${String(opts.signal)}\` (${typeof opts.signal})`);
    this.signals = [closed, ...(opts.signal ? [opts.signal] : [])];
    this.timer = setInterval(() => this.check(false), pollMs);
    this.timer.unref();
    if (this.signals.some((s) => s.aborted)) {
      this.stop();
      return;
    }
    for (const s of this.signals) s.addEventListener('abort', this.onAbort, { once: true });
    this.watchFiles();
    try {
      this.start(opts.fromStart === true);
    } catch (err) {
      this.failure = err;
    }
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<WatchEntry, undefined>> {
    for (;;) {
      if (this.done) return { done: true, value: undefined };
      const e = this.queue.shift();
      if (e) return { done: false, value: e };
      if (this.failure === undefined) {
        try {
          this.readMore(this.queue);
        } catch (err) {
          this.failure = err;
        }
      }
      if (this.queue.length > 0) continue;
      if (this.failure !== undefined) {
        const err = this.failure;
        this.stop();
        throw err;
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        // Keep the process alive while someone awaits an entry (and only then).
        this.timer.ref();
      });
    }
  }

  async return(): Promise<IteratorResult<WatchEntry, undefined>> {
    this.stop();
    return { done: true, value: undefined };
  }

  /** Fix the start: the snapshot's absorbed point (fromStart), or the current end of the log. */
  private start(fromStart: boolean): void {
    this.follower = this.followerFrom((readSnapshotMeta(this.paths.snapshot)?.absorbedSegment ?? 0) + 1);
    if (fromStart) return;
    const c = readControlAt(this.paths.lock);
    // Everything before the active segment is before the end; skip there directly.
    if (isLive(c) && c.activeSeg > this.follower.segNo) this.follower = this.followerFrom(c.activeSeg);
    const skipped: WatchEntry[] = [];
    this.skipping = true;
    try {
      do {
        skipped.length = 0;
        this.readMore(skipped);
      } while (skipped.length > 0);
    } finally {
      this.skipping = false;
    }
    this.positioned = true;
  }

  private followerFrom(segNo: number): LogFollower {
    this.follower?.close();
    return new LogFollower(this.paths, segNo - 1, this.identity);
  }

  /** Append the next committed writes (about one read chunk of frames) to `out`; nothing if there are none yet. */
  private readMore(out: WatchEntry[]): void {
    for (;;) {
      // Hold every segment from the current one on (newly rolled ones; the current one if not yet).
      if (this.dirChanged || !this.follower.holding) {
        this.dirChanged = false;
        this.follower.holdAhead();
      }
      if (this.follower.holding) this.positioned = true;
      const r = this.follower.poll(
        (e, segment, offset) => out.push({ operation: e.operation, rows: e.rows, timestamp: e.timestamp, segment, offset }),
        // Any damage inside the published range is reported (docs/protocol.md §8).
        { chunkBytes: READ_CHUNK_BYTES, strict: true },
      );
      if (r.replaced) {
        // Every entry of the old log read so far was delivered; the new log is another table's history.
        throw new SdnwalError('WATCH_GAP', `watch on table ${this.identity.table}: its log was replaced (the store directory was removed and made again); reopen the store and start a new watch`);
      }
      if (!r.reload || r.applied > 0 || !this.missing()) return;
    }
  }

  /**
   * The segment to read next is gone. Returns true when the position moved (read again), false
   * when it is not there yet (a roll in progress). Throws when it was deleted before we held it.
   */
  private missing(): boolean {
    const segNo = this.follower.segNo;
    const absorbed = readSnapshotMeta(this.paths.snapshot)?.absorbedSegment ?? 0;
    if (absorbed >= segNo) {
      if (!this.positioned || this.skipping) {
        // Nothing was yielded from here yet: start from the newer snapshot instead.
        this.follower = this.followerFrom(absorbed + 1);
        return true;
      }
      throw new WatchGapError(this.identity.table, segNo);
    }
    if (readWalDir(this.paths.wal).segments.some((s) => s > segNo)) {
      throw new CorruptLogError(segmentPath(this.paths, segNo), 0, `segment ${segNo} is missing above the snapshot's absorbed segment ${absorbed}`);
    }
    return false;
  }

  private watchFiles(): void {
    const on = (target: string, isDir: boolean): void => {
      try {
        const w = fs.watch(target, { persistent: false }, (event) => {
          if (isDir && event === 'rename') this.dirChanged = true;
          this.debounce ??= setTimeout(() => {
            this.debounce = undefined;
            this.check(true);
          }, DEBOUNCE_MS);
        });
        // E.g. inotify limits reached later: the poll timer carries on alone.
        w.on('error', () => w.close());
        this.fsWatchers.push(w);
      } catch {
        // No such file yet (a read-only watch of a table without a log), or no fs.watch here: poll.
      }
    };
    on(this.paths.lock, false);
    on(this.paths.wal, true);
  }

  /**
   * A wake-up: pin segments a roll created (so a compaction cannot take them from under us), and
   * let a waiting next() read. The timer wakes only when the control record changed (or cannot tell).
   */
  private check(event: boolean): void {
    if (this.done) return;
    let changed = event;
    try {
      const c = readControlAt(this.paths.lock);
      const live = isLive(c);
      const sig = live ? `${c.activeSeg}:${c.generation}:${c.publishedEnd}` : 'unknown';
      // A new active segment is a roll: pin the segment it made.
      if (!live || c.activeSeg !== this.lastActive) this.dirChanged = true;
      if (sig !== this.lastSignature || !live) changed = true;
      this.lastSignature = sig;
      this.lastActive = live ? c.activeSeg : -1;
      if (this.dirChanged && this.positioned) {
        this.dirChanged = false;
        this.follower.holdAhead();
      }
    } catch (err) {
      this.failure ??= err;
      changed = true;
    }
    if (changed) this.wake();
  }

  private wake(): void {
    const waiters = this.waiters.splice(0);
    if (!this.done) this.timer.unref();
    for (const w of waiters) w();
  }

  /** End the iteration (signal, store closed, return(), or an error): release every resource. */
  private stop(): void {
    if (this.done) return;
    this.done = true;
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    for (const w of this.fsWatchers.splice(0)) w.close();
    for (const s of this.signals) s.removeEventListener('abort', this.onAbort);
    this.follower?.close();
    this.queue = [];
    this.wake();
  }
}
