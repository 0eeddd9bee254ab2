/**
 * Reading a table's stream in order from a sequence (docs/nats.md, "Reading"): an ordered consumer
 * (ephemeral, in memory, recreated by the client after a server or leader change, from the last
 * sequence it delivered). Each message decodes to a log entry with the local log's codec.
 */
import type { ConsumerMessages, JetStreamClient } from '@nats-io/jetstream';
import { SdnwalError } from '../errors.js';
import { decodeEntry, isWrite, type PendingWrite } from '../wal/entry.js';
import type { NatsContext } from './context.js';
import { toSdnwalError, UnavailableError } from './errors.js';
import { withRetry } from './retry.js';
import { streamInfo } from './stream.js';

/** One log entry at its stream sequence. */
export interface SequencedWrite {
  seq: number;
  write: PendingWrite;
  /** Messages the server still had after this one when it sent it. */
  pending: number;
}

/** What StreamFeed.nextWithin() gives when no message came in time. */
export const QUIET = Symbol('quiet');

/** Idle consumers hear from the server every ~2.5 s and are recreated after two silent beats. */
const EXPIRES_MS = 5000;

export class StreamFeed {
  private messages: ConsumerMessages | undefined;
  private iterator: AsyncIterator<import('@nats-io/jetstream').JsMsg> | undefined;
  private stopped = false;
  /** A wait nextWithin() stopped watching: still the next entry. */
  private pending: Promise<SequencedWrite | undefined> | undefined;

  private constructor(
    private readonly stream: string,
    /** The sequence the feed was asked to start at. */
    readonly from: number,
  ) {}

  /** Start reading `stream` at sequence `from` (or the first one still there, if later). */
  static async open(js: JetStreamClient, stream: string, from: number, deadlineMs: number): Promise<StreamFeed> {
    const feed = new StreamFeed(stream, from);
    // Creating the consumer waits for the stream's leader (an election after a failure).
    feed.messages = await withRetry(`reading stream ${stream}`, deadlineMs, async () => {
      const consumer = await js.consumers.get(stream, { opt_start_seq: Math.max(1, from) });
      return consumer.consume({ max_messages: 256, expires: EXPIRES_MS });
    });
    feed.iterator = feed.messages[Symbol.asyncIterator]();
    return feed;
  }

  /**
   * The next entry, or QUIET when none came within `ms`: the wait goes on, and the next call
   * (of either method) gets what it brings, so nothing is skipped.
   */
  async nextWithin(ms: number): Promise<SequencedWrite | undefined | typeof QUIET> {
    if (!this.pending) {
      this.pending = this.next();
      // Nobody may be waiting when it fails (the caller gave up on QUIET): the next call sees it.
      this.pending.catch(() => undefined);
    }
    const pending = this.pending;
    let timer: NodeJS.Timeout | undefined;
    const quiet = new Promise<typeof QUIET>((resolve) => (timer = setTimeout(() => resolve(QUIET), ms)));
    try {
      const r = await Promise.race([pending, quiet]);
      if (r !== QUIET) this.pending = undefined;
      return r;
    } catch (err) {
      this.pending = undefined;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The next entry (waiting for one); undefined once stopped. */
  async next(): Promise<SequencedWrite | undefined> {
    if (this.pending) {
      const p = this.pending;
      this.pending = undefined;
      return p;
    }
    for (;;) {
      if (this.stopped || !this.iterator) return undefined;
      let r: IteratorResult<import('@nats-io/jetstream').JsMsg>;
      try {
        r = await this.iterator.next();
      } catch (err) {
        if (this.stopped) return undefined;
        throw toSdnwalError(err, `reading stream ${this.stream}`);
      }
      if (r.done) return undefined;
      const m = r.value;
      let entry;
      try {
        entry = decodeEntry(m.data);
      } catch (err) {
        throw new SdnwalError('CORRUPT_LOG', `stream ${this.stream}, sequence ${m.seq}: ${(err as Error).message}`, { cause: err });
      }
      // Only writes are published to a table's stream (a SEAL or PAD belongs to local segments).
      if (!isWrite(entry)) throw new SdnwalError('CORRUPT_LOG', `stream ${this.stream}, sequence ${m.seq}: not a write entry`);
      return { seq: m.seq, write: entry, pending: m.info.pending };
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    try {
      this.messages?.stop();
    } catch {
      // Already closed with the connection.
    }
  }
}

/** How long a read waits for its next message before asking the stream where it stands. */
const QUIET_CHECK_MS = 1000;

/**
 * Every entry of `stream` from sequence `from` to `last` (the last one when the caller asked), in order, to
 * `each`; stops early when `each` returns false. Resolves with the last sequence read: below
 * `last` when the rest of the range was purged meanwhile (a quiet stream is asked where it
 * stands). UNAVAILABLE when the servers stay silent past the write deadline.
 */
export async function readRange(ctx: Pick<NatsContext, 'js' | 'jsm' | 'o'>, stream: string, from: number, last: number, each: (seq: number, w: PendingWrite) => boolean | void): Promise<number> {
  if (last < from) return from - 1;
  const feed = await StreamFeed.open(ctx.js, stream, from, ctx.o.writeDeadlineMs);
  let pos = from - 1;
  let quietSince = Date.now();
  try {
    while (pos < last) {
      const e = await feed.nextWithin(QUIET_CHECK_MS);
      if (e === QUIET) {
        const info = await withRetry(`reading stream ${stream}`, ctx.o.writeDeadlineMs, () => streamInfo(ctx.jsm, stream));
        if (!info || info.state.messages === 0 || info.state.first_seq > last) break;
        if (Date.now() - quietSince > ctx.o.writeDeadlineMs) {
          throw new UnavailableError(`reading stream ${stream}: nothing after sequence ${pos} within ${ctx.o.writeDeadlineMs} ms, though it holds ${info.state.first_seq}..${info.state.last_seq}`);
        }
        continue;
      }
      quietSince = Date.now();
      // The consumer ended: its connection was closed under it.
      if (!e) throw new UnavailableError(`reading stream ${stream}: the feed ended after sequence ${pos} of ${last}`);
      if (e.seq <= pos) continue;
      // The rest of the range was purged and this one was appended after `last`: not ours to read.
      if (e.seq > last) break;
      pos = e.seq;
      if (each(e.seq, e.write) === false) break;
    }
  } finally {
    feed.stop();
  }
  return pos;
}
