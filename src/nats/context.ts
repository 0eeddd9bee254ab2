/** What every part of a NATS store shares: the connection, the options, the snapshot bucket. */
import type { KV } from '@nats-io/kv';
import type { Connected } from './connect.js';
import { openLeaseBucket } from './lease.js';
import type { ResolvedNatsOptions } from './options.js';
import type { SnapshotBucket } from './snapshots.js';

export class NatsContext {
  private leaseBucket: Promise<KV> | undefined;

  constructor(
    readonly conn: Connected,
    readonly o: ResolvedNatsOptions,
    readonly readOnly: boolean,
    readonly bucket: SnapshotBucket,
    /** The largest entry (the store's maxEntryBytes, within the servers' max_payload). */
    readonly maxEntryBytes: number,
  ) {}

  get js() {
    return this.conn.js;
  }

  get jsm() {
    return this.conn.jsm;
  }

  /** The compaction lease bucket, made on first use. */
  leases(): Promise<KV> {
    this.leaseBucket ??= openLeaseBucket(this.conn.js, this.o.prefix, this.o.replicas, this.o.writeDeadlineMs);
    this.leaseBucket.catch(() => (this.leaseBucket = undefined));
    return this.leaseBucket;
  }
}
