/**
 * The table lock as a log writer's batches hold it (docs/protocol.md §4): taken for a batch, or
 * kept from the batch before (a lease), and how long each hold lasted (phases).
 */
import type { FileLock } from './lock.js';
import type { AppendPhases } from './phases.js';
import type { Tail } from './tail.js';
import type { WriterOptions } from './writer-options.js';

/**
 * Without an fdatasync to wait for ('batch', 'none'), a writer appending in a tight loop keeps the
 * table lock between its batches for at most this long (or until the event loop turns, or another
 * acquirer in this process queues): one flock, control read and fstat per lease, not per batch.
 */
const LEASE_MAX_MS = 2;
/** Takes of the lock one batch may need when its file is deleted or replaced during the hold. */
export const MAX_LOCK_ROUNDS = 8;

/** The table lock kept between batches: nobody else wrote since, so `tail` is still the tail. */
export interface Lease {
  tail: Tail;
  since: number;
  timer: NodeJS.Immediate;
}

export class LockLease {
  private lease: Lease | undefined;
  /** When the current hold of the table lock began (performance.now()), for phases. */
  private heldSince: number | undefined;

  constructor(
    private readonly lock: FileLock,
    private readonly opts: Pick<WriterOptions, 'sync'>,
    private readonly phases: AppendPhases,
  ) {}

  /** The lease kept from the batch before, if any: the lock is held and its tail is still the tail. */
  get current(): Lease | undefined {
    return this.lease;
  }

  /** Take the table lock for a batch that began waiting for it at `t1` (performance.now(), for phases). */
  async take(timeoutMs: number, t1: number): Promise<void> {
    await this.lock.acquire({ timeoutMs, stampHolder: false });
    this.heldSince = performance.now();
    this.phases.lockWaited(this.heldSince - t1);
  }

  /** Keep the lock for the next batch? Never across an fdatasync wait, never past LEASE_MAX_MS. */
  mayKeep(lease: Lease | undefined): boolean {
    if (this.opts.sync === 'always' || this.lock.contended) return false;
    return !lease || performance.now() - lease.since < LEASE_MAX_MS;
  }

  keep(tail: Tail, lease: Lease | undefined): void {
    if (lease) {
      lease.tail = tail;
      return;
    }
    // Released when the event loop turns: an idle writer never sits on the lock.
    this.lease = { tail, since: performance.now(), timer: setImmediate(() => this.end()) };
  }

  /** Release the table lock a batch took (or kept from the batch before). */
  release(): void {
    if (this.lease) clearImmediate(this.lease.timer);
    this.lease = undefined;
    this.lock.release();
    if (this.heldSince !== undefined) this.phases.lockHeld(performance.now() - this.heldSince);
    this.heldSince = undefined;
  }

  /** Release the lock if it is kept between batches (before anything else here takes it). */
  end(): void {
    if (this.lease) this.release();
  }
}
