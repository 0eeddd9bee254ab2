/**
 * `table.watch()` on a NATS store (docs/nats.md, "Watching"): an ordered consumer from the current
 * end of the stream (or, with `fromStart`, from just above the snapshot). Each entry is yielded
 * once, in stream order; a compaction's purge never removes what a watcher has not read unless
 * it lags two compactions behind, and then it throws WATCH_GAP rather than skip anything.
 * `segment` is 0 and `offset` is the entry's stream sequence.
 */
import { SdnwalError } from '../errors.js';
import type { WatchEntry, WatchOptions } from '../store/watch.js';
import type { NatsContext } from './context.js';
import { StreamFeed } from './reader.js';
import { withRetry } from './retry.js';
import { lastSequence, streamName, type NatsTableDefinition } from './stream.js';

export class NatsWatcher implements AsyncIterableIterator<WatchEntry> {
  private feed: StreamFeed | undefined;
  private readonly ready: Promise<void>;
  /** The next sequence expected. */
  private expected = 0;
  private yielded = 0;
  private done = false;
  private readonly signals: AbortSignal[];
  private readonly onAbort = (): void => this.stop();
  private readonly stream: string;
  private readonly fromStart: boolean;

  constructor(
    private readonly ctx: NatsContext,
    private readonly def: NatsTableDefinition,
    opts: WatchOptions,
    closed: AbortSignal,
  ) {
    if (opts.signal !== undefined && !(opts.signal instanceof AbortSignal)) throw new SdnwalError('INVALID_OPTION', `Expected \`signal\` to be an AbortSignal, got \`${String(opts.signal)}\` (${typeof opts.signal})`);
    this.stream = streamName(def.prefix, def.table);
    this.fromStart = opts.fromStart === true;
    this.signals = [closed, ...(opts.signal ? [opts.signal] : [])];
    for (const s of this.signals) s.addEventListener('abort', this.onAbort, { once: true });
    // The start is fixed now (the request leaves at once), not at the first next().
    this.ready = this.start(opts.fromStart === true);
    this.ready.catch(() => undefined);
    if (this.signals.some((s) => s.aborted)) this.stop();
  }

  private async start(fromStart: boolean): Promise<void> {
    const deadline = this.ctx.o.writeDeadlineMs;
    const from = fromStart
      ? (await this.ctx.bucket.absorbed(this.def)) + 1
      : (await withRetry(`reading the state of stream ${this.stream}`, deadline, () => lastSequence(this.ctx.jsm, this.stream))).last + 1;
    this.expected = from;
    if (this.done) return;
    this.feed = await StreamFeed.open(this.ctx.js, this.stream, from, deadline);
    if (this.done) this.feed.stop();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<WatchEntry, undefined>> {
    if (this.done) return { done: true, value: undefined };
    try {
      await this.ready;
      for (;;) {
        if (this.done || !this.feed) return { done: true, value: undefined };
        let e;
        try {
          e = await this.feed.next();
        } catch (err) {
          if (!(err instanceof SdnwalError && err.code === 'UNAVAILABLE') || this.done) throw err;
          // The consumer was lost with its server: go on from the next sequence with a new one.
          this.feed.stop();
          this.feed = await StreamFeed.open(this.ctx.js, this.stream, this.expected, this.ctx.o.writeDeadlineMs);
          if (this.done) this.feed.stop();
          continue;
        }
        if (!e || this.done) {
          this.stop();
          return { done: true, value: undefined };
        }
        if (e.seq < this.expected) continue;
        if (e.seq > this.expected && !(await this.firstAboveSnapshot(e.seq))) {
          throw new SdnwalError(
            'WATCH_GAP',
            `watch on table ${this.def.table}: sequences ${this.expected}..${e.seq - 1} were purged by compactions before this watcher read them; ` +
              'they are in the snapshot now. Reload the table and start a new watch',
          );
        }
        this.expected = e.seq + 1;
        this.yielded++;
        return { done: false, value: { operation: e.write.operation, rows: e.write.rows, timestamp: e.write.timestamp, segment: 0, offset: e.seq } };
      }
    } catch (err) {
      // Ended meanwhile (the table closed, the signal aborted): an ended iterator, as on a local store.
      if (this.done) return { done: true, value: undefined };
      this.stop();
      throw err;
    }
  }

  /**
   * Sequences below `seq` are missing before anything was yielded: with `fromStart`, fine when a
   * compaction since the start absorbed them (the watch then starts above the newer snapshot, as
   * if called later); otherwise they are a gap (a purge removed entries this watcher owed).
   */
  private async firstAboveSnapshot(seq: number): Promise<boolean> {
    if (this.yielded > 0 || !this.fromStart) return false;
    return seq <= (await this.ctx.bucket.absorbed(this.def)) + 1;
  }

  async return(): Promise<IteratorResult<WatchEntry, undefined>> {
    this.stop();
    return { done: true, value: undefined };
  }

  private stop(): void {
    if (this.done) return;
    this.done = true;
    for (const s of this.signals) s.removeEventListener('abort', this.onAbort);
    this.feed?.stop();
  }
}
