/** What every part of a NATS store shares: the connection, the options, the snapshot bucket. */
import type { KV } from '@nats-io/kv';
import type { Connected } from './connect.js';
import { openLeaseBucket } from './lease.js';
import type { ResolvedNatsOptions } from './options.js';
import type { SnapshotBucket } from './snapshots.js';

export class NatsContext {
  constructor(
    readonly conn: Connected,
    readonly o: ResolvedNatsOptions,
    readonly readOnly: boolean,
    readonly bucket: SnapshotBucket,
    /** The largest entry (the store's maxEntryBytes, within the servers' max_payload). */
    readonly maxEntryBytes: number,
    /** What sets that limit, for the ENTRY_TOO_LARGE message. */
    readonly maxEntryWhy: string,
  ) {}

  get js() {
    return this.conn.js;
  }

  get jsm() {
    return this.conn.jsm;
  }

  /**
   * The compaction lease bucket, made when missing. Opened again for each compaction (a request or
   * two, beside a compaction's work): a bucket the servers lost (one created just before a
   * `kill -9` of a single node can be) is then made again instead of failing every compaction.
   */
  leases(): Promise<KV> {
    return openLeaseBucket(this.conn.js, this.o.prefix, this.o.replicas, this.o.writeDeadlineMs);
  }
}
