/**
 * Appends to a table's stream (docs/nats.md, "Appends"): exactly once, pipelined.
 *
 * Each message carries `Nats-Msg-Id` = this writer's id + a counter. On a timeout or "no
 * responders" (a stream without a leader during an election) it is sent again with the same id
 * until acknowledged, and the server's duplicate window (5 minutes) drops a second copy; after
 * `writeDeadlineMs` (well inside the window) the append fails with UNAVAILABLE. Up to
 * `maxInFlight` publishes await their acknowledgement at once: what group commit is for a local log.
 * Publishes leave in call order, and one that touches a key of a publish still in flight waits for
 * it: a retry across a leader change can reorder appends of different keys, never of one key.
 * While a checked write of this handle runs (hold()), publishes made after it wait, as appends
 * wait for the table lock locally: otherwise they would keep moving the stream under it.
 */
import crypto from 'node:crypto';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { describe, isRetryable, isWrongLastSequence, toSdnwalError, UnavailableError } from './errors.js';
import { backoffMs, sleep } from './retry.js';

export interface PublisherOptions {
  stream: string;
  subject: string;
  maxInFlight: number;
  ackTimeoutMs: number;
  writeDeadlineMs: number;
}

/** A checked publish found another write after the sequence it expected. */
export class WrongLastSequence extends Error {
  constructor(readonly expected: number) {
    super(`another write landed after sequence ${expected}`);
  }
}

interface Job {
  payload: Uint8Array;
  /** The row keys it writes (distinct). */
  keys: readonly string[];
  /** Numbered in call order. */
  no: number;
  /** A checked write's own publish: goes while the others are held. */
  checked: boolean;
  expectLast: number | undefined;
  resolve: (ack: PubAck) => void;
  reject: (err: unknown) => void;
}

export class Publisher {
  /** Unique per publisher (process and table handle): the first half of every message id. */
  readonly writerId = crypto.randomBytes(9).toString('base64url');
  private counter = 0;
  private inFlight = 0;
  private readonly queue: Job[] = [];
  private readonly outstanding = new Set<Promise<unknown>>();
  /** Keys of the publishes in flight (how many of them touch each). */
  private readonly busyKeys = new Map<string, number>();
  private jobs = 0;
  /** While a checked write runs: publishes numbered above this wait (unless its own). */
  private heldAfter: number | undefined;
  private closed = false;

  constructor(
    private readonly js: JetStreamClient,
    private readonly o: PublisherOptions,
  ) {}

  /** Publish one entry writing rows `keys`; resolves with its acknowledgement (its stream sequence). */
  publish(payload: Uint8Array, keys: readonly string[], expectLast?: number, checked = false): Promise<PubAck> {
    const p = new Promise<PubAck>((resolve, reject) => {
      this.queue.push({ payload, keys: [...new Set(keys)], no: ++this.jobs, checked, expectLast, resolve, reject });
    });
    const tracked = p.then(() => undefined, () => undefined);
    this.outstanding.add(tracked);
    void tracked.then(() => this.outstanding.delete(tracked));
    this.pump();
    return p;
  }

  /** Publishes made from now on wait until release() (those made before go on); a checked write's own go. */
  hold(): void {
    this.heldAfter = this.jobs;
  }

  release(): void {
    this.heldAfter = undefined;
    this.pump();
  }

  /** Wait until every publish made so far is acknowledged or has failed. */
  async flush(): Promise<void> {
    await Promise.all([...this.outstanding]);
  }

  /** Stop retrying (the store is closing after its flush, or the connection is gone). */
  close(): void {
    this.closed = true;
  }

  /**
   * Start queued publishes, in order, while fewer than maxInFlight await their acknowledgement and
   * the next one touches no key of a publish in flight.
   */
  private pump(): void {
    while (this.inFlight < this.o.maxInFlight && this.queue.length > 0) {
      const held = this.heldAfter;
      const at = held === undefined ? 0 : this.queue.findIndex((j) => j.no <= held || j.checked);
      if (at < 0) return;
      const job = this.queue[at]!;
      if (job.keys.some((k) => this.busyKeys.has(k))) return;
      this.queue.splice(at, 1);
      this.inFlight++;
      for (const k of job.keys) this.busyKeys.set(k, (this.busyKeys.get(k) ?? 0) + 1);
      const id = `${this.writerId}-${++this.counter}`;
      this.send(job, id)
        .then(job.resolve, job.reject)
        .finally(() => {
          this.inFlight--;
          for (const k of job.keys) {
            const n = this.busyKeys.get(k)! - 1;
            if (n === 0) this.busyKeys.delete(k);
            else this.busyKeys.set(k, n);
          }
          this.pump();
        });
    }
  }

  private async send(job: Job, msgID: string): Promise<PubAck> {
    const { stream, subject, ackTimeoutMs, writeDeadlineMs } = this.o;
    const until = Date.now() + writeDeadlineMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.js.publish(subject, job.payload, {
          msgID,
          timeout: ackTimeoutMs,
          expect: job.expectLast === undefined ? { streamName: stream } : { streamName: stream, lastSequence: job.expectLast },
        });
      } catch (err) {
        if (isWrongLastSequence(err)) throw new WrongLastSequence(job.expectLast ?? 0);
        if (!isRetryable(err) || this.closed) throw toSdnwalError(err, `append to stream ${stream} (message ${msgID})`);
        if (Date.now() >= until) {
          throw new UnavailableError(
            `append to stream ${stream} not acknowledged within ${writeDeadlineMs} ms (${attempt + 1} attempts of message ${msgID}; last: ${describe(err)}); ` +
              'it may or may not be in the log: retry with the same key (nats.writeDeadlineMs sets the deadline)',
            err,
          );
        }
        await sleep(backoffMs(attempt));
      }
    }
  }
}
