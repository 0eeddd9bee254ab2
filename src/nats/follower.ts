/**
 * A table's state on a NATS store, caught up on demand (docs/nats.md, "Reading"): the snapshot,
 * then the stream from its absorbed sequence + 1 through an ordered consumer that stays open
 * between reads, so each catch-up reads only what was appended since. A catch-up first asks the
 * stream leader for its last sequence, so it includes every append acknowledged before the call.
 * A sequence missing under the reader (two compactions purged it meanwhile) reloads the snapshot.
 */
import { SdnwalError } from '../errors.js';
import type { TableView } from '../store/table-log.js';
import { applyWrite } from '../replay/rules.js';
import type { NatsContext } from './context.js';
import { UnavailableError } from './errors.js';
import { QUIET, StreamFeed, type SequencedWrite } from './reader.js';
import { withRetry } from './retry.js';
import type { SnapshotState } from './snapshot-text.js';
import { lastSequence, streamInfo, streamName, type NatsTableDefinition } from './stream.js';

/** Reloads in a row before a reader gives up (the log keeps changing under it). */
const MAX_RELOADS = 6;

export class Follower {
  private state: (SnapshotState & { pos: number }) | undefined;
  private feed: StreamFeed | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;
  readonly stream: string;

  constructor(
    private readonly ctx: NatsContext,
    private readonly def: NatsTableDefinition,
  ) {
    this.stream = streamName(def.prefix, def.table);
  }

  /** The last sequence applied to the view (valid after a catch-up). */
  get position(): number {
    return this.state?.pos ?? 0;
  }

  /** The state caught up with every append acknowledged before the call. */
  caughtUp(): Promise<TableView> {
    const run = this.chain.then(async () => {
      const { last } = await withRetry(`reading the state of stream ${this.stream}`, this.ctx.o.writeDeadlineMs, () => lastSequence(this.ctx.jsm, this.stream));
      await this.reach(last);
      return this.state!;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<void> {
    const snap = await this.ctx.bucket.load(this.def);
    this.state = { rows: snap.rows, tombstones: snap.tombstones, absorbed: snap.absorbed, extra: snap.extra, meta: snap.meta, pos: snap.absorbed };
  }

  private async reach(target: number): Promise<void> {
    let reloads = 0;
    const until = Date.now() + this.ctx.o.writeDeadlineMs;
    if (!this.state) await this.load();
    while (this.state!.pos < target) {
      // Closed meanwhile (a feed opened while stop() ran is stopped here, not left running).
      if (this.stopped) {
        this.dropFeed();
        throw new SdnwalError('CLOSED', `table ${this.def.table} is closed`);
      }
      const s = this.state!;
      this.feed ??= await StreamFeed.open(this.ctx.js, this.stream, s.pos + 1, this.ctx.o.writeDeadlineMs);
      const e = await this.nextWithin(this.feed);
      if (!e) {
        // Timed out or ended: start a new consumer from where the view is.
        this.dropFeed();
        // Stopped while waiting (stop() ends the wait): CLOSED, without asking the stream or loading.
        if (this.stopped) continue;
        // Nothing left up to the target: purged under us (a newer snapshot absorbed it), or by hand.
        const first = await this.firstSequence();
        if (first > target) {
          await this.load();
          const pos = this.state!.pos;
          if (pos < target && pos + 1 < first) {
            throw new SdnwalError('CORRUPT_LOG', `stream ${this.stream}: sequences ${pos + 1}..${first - 1} are missing above the snapshot (purged by hand?)`);
          }
          continue;
        }
        if (Date.now() > until) {
          throw new UnavailableError(`reading stream ${this.stream}: sequence ${s.pos + 1} (of ${target}) did not arrive within ${this.ctx.o.writeDeadlineMs} ms`);
        }
        continue;
      }
      if (e.seq <= s.pos) continue;
      if (e.seq > s.pos + 1) {
        // Purged under us: a newer snapshot has absorbed what is missing.
        this.dropFeed();
        if (++reloads > MAX_RELOADS) {
          throw new SdnwalError('CORRUPT_LOG', `stream ${this.stream}: sequences ${s.pos + 1}..${e.seq - 1} are missing above the snapshot ${reloads} times in a row (the log keeps changing under the reader, or messages were purged by hand)`);
        }
        await this.load();
        continue;
      }
      applyWrite(s.rows, e.write, undefined, s.tombstones);
      s.pos = e.seq;
    }
    // Caught up after stop(): a feed opened meanwhile is not kept.
    if (this.stopped) this.dropFeed();
  }

  /** The feed's next entry, or undefined when none came within the deadline (the feed is then replaced). */
  private async nextWithin(feed: StreamFeed): Promise<SequencedWrite | undefined> {
    try {
      const e = await feed.nextWithin(this.ctx.o.ackTimeoutMs * 2);
      return e === QUIET ? undefined : e;
    } catch (err) {
      // A consumer lost with its server: a new one is made from the view's position.
      if (err instanceof SdnwalError && err.code === 'UNAVAILABLE') return undefined;
      throw err;
    }
  }

  /** The stream's first sequence (its last + 1 when it holds no message). */
  private async firstSequence(): Promise<number> {
    const info = await withRetry(`reading the state of stream ${this.stream}`, this.ctx.o.writeDeadlineMs, () => streamInfo(this.ctx.jsm, this.stream));
    if (!info) throw new SdnwalError('NOT_FOUND', `stream ${this.stream} no longer exists`);
    return info.state.first_seq;
  }

  private dropFeed(): void {
    this.feed?.stop();
    this.feed = undefined;
  }

  stop(): void {
    this.stopped = true;
    this.dropFeed();
  }
}
