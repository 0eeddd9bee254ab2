/**
 * Reading a table's stream in order from a sequence (docs/nats.md, "Reading"): an ordered consumer
 * (ephemeral, in memory, recreated by the client after a server or leader change, from the last
 * sequence it delivered). Each message decodes to a log entry with the local log's codec.
 */
import type { ConsumerMessages, JetStreamClient } from '@nats-io/jetstream';
import { SdnwalError } from '../errors.js';
import { decodeEntry, isWrite, type PendingWrite } from '../wal/entry.js';
import { toSdnwalError } from './errors.js';
import { withRetry } from './retry.js';

/** One log entry at its stream sequence. */
export interface SequencedWrite {
  seq: number;
  write: PendingWrite;
  /** Messages the server still had after this one when it sent it. */
  pending: number;
}

/** Idle consumers hear from the server every ~2.5 s and are recreated after two silent beats. */
const EXPIRES_MS = 5000;

export class StreamFeed {
  private messages: ConsumerMessages | undefined;
  private iterator: AsyncIterator<import('@nats-io/jetstream').JsMsg> | undefined;
  private stopped = false;

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

  /** The next entry (waiting for one); undefined once stopped. */
  async next(): Promise<SequencedWrite | undefined> {
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
