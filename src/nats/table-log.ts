/**
 * A table's log on a NATS store (the TableLog seam, docs/nats.md): appends are pipelined
 * publishes (publisher.ts), reads catch up through the stream (follower.ts), checked writes are
 * optimistic (publish with the expected last sequence; on a mismatch catch up and run again),
 * compaction folds into the snapshot bucket (compact.ts), watch() is an ordered consumer.
 */
import { SdnwalError } from '../errors.js';
import type { CompactReport } from '../compaction/compactor.js';
import type { CheckedAppend, CheckedOutcome, TableLog, TableView, WriteRequest } from '../store/table-log.js';
import type { WatchEntry, WatchOptions } from '../store/watch.js';
import { encodeEntry } from '../wal/entry.js';
import { compactNatsTable } from './compact.js';
import type { NatsContext } from './context.js';
import { Follower } from './follower.js';
import { Publisher, WrongLastSequence } from './publisher.js';
import { backoffMs, sleep } from './retry.js';
import { streamName, subjectOf, type NatsTableDefinition } from './stream.js';
import { NatsWatcher } from './watch.js';

export class NatsTableLog implements TableLog {
  readonly id: string;
  readonly writable: boolean;
  private readonly publisher: Publisher;
  private readonly follower: Follower;
  /** Checked writes of this handle run one at a time (they would only conflict with each other). */
  private checkedChain: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly ctx: NatsContext,
    readonly def: NatsTableDefinition,
  ) {
    const stream = streamName(def.prefix, def.table);
    this.id = `nats:${ctx.conn.location}/${stream}`;
    this.writable = !ctx.readOnly;
    this.publisher = new Publisher(ctx.js, { stream, subject: subjectOf(def.prefix, def.table), maxInFlight: ctx.o.maxInFlight, ackTimeoutMs: ctx.o.ackTimeoutMs, writeDeadlineMs: ctx.o.writeDeadlineMs });
    this.follower = new Follower(ctx, def);
  }

  view(): Promise<TableView> {
    this.checkOpen('a read');
    return this.follower.caughtUp();
  }

  async count(): Promise<number> {
    return (await this.view()).rows.size;
  }

  /** The msgpack payload of a local frame, within the size the servers take. */
  private encode(write: WriteRequest): Uint8Array {
    // `synced` is a local segment's bookkeeping (docs/protocol.md §2): 0 on a stream.
    const payload = encodeEntry({ operation: write.operation, rows: write.rows, timestamp: write.timestamp, synced: 0 }, false);
    if (payload.length > this.ctx.maxEntryBytes) {
      const rows = write.rows.length;
      throw new SdnwalError(
        'ENTRY_TOO_LARGE',
        `table ${this.def.table}: the entry (${rows} row${rows === 1 ? '' : 's'}) is ${payload.length} bytes; the largest a NATS store takes is ${this.ctx.maxEntryBytes} ` +
          `(${this.ctx.maxEntryWhy}); ` +
          (rows > 1 ? 'write fewer rows at once (insertMany, or sdnwal append --batch N); nothing was written' : 'nothing was written'),
      );
    }
    return payload;
  }

  async append(write: WriteRequest): Promise<void> {
    this.checkWritable('an append');
    await this.publisher.publish(this.encode(write), write.rows.map((r) => r.key));
  }

  checked<T>(fn: (view: TableView, log: CheckedAppend) => CheckedOutcome<T> | Promise<CheckedOutcome<T>>): Promise<T> {
    this.checkWritable('a checked write');
    const run = this.checkedChain.then(() => this.runChecked(fn));
    this.checkedChain = run.catch(() => undefined);
    return run;
  }

  private async runChecked<T>(fn: (view: TableView, log: CheckedAppend) => CheckedOutcome<T> | Promise<CheckedOutcome<T>>): Promise<T> {
    // Appends made before it land first, appends made meanwhile wait (as for the local table lock).
    this.publisher.hold();
    try {
      await this.publisher.flush();
      return await this.attempts(fn);
    } finally {
      this.publisher.release();
    }
  }

  /** Catch up, run `fn`, publish what it appended conditionally; again while another writer gets there first. */
  private async attempts<T>(fn: (view: TableView, log: CheckedAppend) => CheckedOutcome<T> | Promise<CheckedOutcome<T>>): Promise<T> {
    const until = Date.now() + this.ctx.o.writeDeadlineMs;
    for (let attempt = 0; ; attempt++) {
      const view = await this.follower.caughtUp();
      const expected = this.follower.position;
      const batches: { writes: WriteRequest[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
      const outcome = await fn(view, {
        append: (writes) => new Promise<void>((resolve, reject) => {
          batches.push({ writes, resolve, reject });
        }),
      });
      const payloads = batches.map((b) => b.writes.map((w) => ({ bytes: this.encode(w), keys: w.rows.map((r) => r.key) })));
      let last = expected;
      let first = true;
      try {
        for (let i = 0; i < batches.length; i++) {
          for (const p of payloads[i]!) {
            // The first write is conditional on nothing landing since the view; the rest follow it.
            last = (await this.publisher.publish(p.bytes, p.keys, last, true)).seq;
            first = false;
          }
          batches[i]!.resolve();
        }
      } catch (err) {
        if (err instanceof WrongLastSequence && first) {
          // Another writer got there first: catch up and run fn again (its earlier promises are dropped).
          if (Date.now() > until) throw new SdnwalError('UNAVAILABLE', `table ${this.def.table}: a checked write kept losing to other writers for ${this.ctx.o.writeDeadlineMs} ms (${attempt + 1} attempts)`);
          if (attempt > 0) await sleep(backoffMs(attempt - 1));
          continue;
        }
        for (const b of batches) b.reject(err);
        if (err instanceof WrongLastSequence) {
          throw new SdnwalError('CONFLICT', `table ${this.def.table}: a checked write of several entries was interrupted by another writer after its first entry landed`);
        }
        throw err;
      }
      if (outcome.done) await outcome.done;
      return outcome.result;
    }
  }

  async flush(): Promise<void> {
    await this.publisher.flush();
  }

  async compact(opts?: { minBytes?: number }): Promise<CompactReport> {
    this.checkWritable('compact');
    await this.publisher.flush();
    return compactNatsTable(this.ctx, this.def, this.publisher.writerId, opts?.minBytes);
  }

  watch(opts: WatchOptions, closed: AbortSignal): AsyncIterableIterator<WatchEntry> {
    return new NatsWatcher(this.ctx, this.def, opts, closed);
  }

  phases(): undefined {
    return undefined;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.publisher.flush();
      this.publisher.close();
      this.follower.stop();
    })();
    return this.closing;
  }

  private checkOpen(what: string): void {
    if (this.closing) throw new SdnwalError('CLOSED', `table ${this.def.table} is closed (${what} after close)`);
  }

  private checkWritable(what: string): void {
    this.checkOpen(what);
    if (!this.writable) throw new SdnwalError('INVALID_OPTION', `table ${this.def.table}: ${what} on a read-only store`);
  }
}
