/**
 * One compactor per table at a time (docs/nats.md, "Compaction"): a lease in the KV bucket
 * `<prefix>_leases`, key `<table>.compact`, taken with a create (or a compare-and-set over an
 * expired one) and renewed while the compaction runs. A holder that died leaves a lease that
 * expires after `ttlMs`.
 */
import os from 'node:os';
import type { JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { isWrongLastSequence, toSdnwalError } from './errors.js';
import { withRetry } from './retry.js';

export const LEASE_TTL_MS = 30_000;

interface LeaseValue {
  owner: string;
  host: string;
  pid: number;
  expires: number;
}

export function leaseBucketName(prefix: string): string {
  return `${prefix}_leases`;
}

export async function openLeaseBucket(js: JetStreamClient, prefix: string, replicas: number, deadlineMs: number): Promise<KV> {
  const kvm = new Kvm(js);
  const name = leaseBucketName(prefix);
  return withRetry(`opening KV bucket ${name}`, deadlineMs, async () => {
    try {
      return await kvm.create(name, { history: 1, replicas });
    } catch (err) {
      // Made by another process meanwhile (or with other settings): use it as it is.
      return kvm.open(name).catch(() => {
        throw err;
      });
    }
  });
}

export class Lease {
  private timer: NodeJS.Timeout | undefined;
  private lost: unknown;
  /** Renewals run one at a time (each needs the revision the last one made). */
  private renewing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly kv: KV,
    private readonly key: string,
    private revision: number,
    private readonly value: LeaseValue,
    private readonly ttlMs: number,
  ) {}

  /** Take the lease, or undefined (with who holds it) when a live holder has it. */
  static async take(kv: KV, table: string, owner: string, ttlMs = LEASE_TTL_MS): Promise<{ lease?: Lease; holder?: string }> {
    const key = `${table}.compact`;
    const value: LeaseValue = { owner, host: os.hostname(), pid: process.pid, expires: Date.now() + ttlMs };
    const bytes = (): string => JSON.stringify({ ...value, expires: Date.now() + ttlMs });
    try {
      const rev = await kv.create(key, bytes());
      return { lease: new Lease(kv, key, rev, value, ttlMs).start() };
    } catch (err) {
      if (!isWrongLastSequence(err)) throw toSdnwalError(err, `taking the compaction lease of ${table}`);
    }
    const cur = await kv.get(key);
    let held: LeaseValue | undefined;
    try {
      held = cur && cur.operation === 'PUT' ? (JSON.parse(cur.string()) as LeaseValue) : undefined;
    } catch {
      held = undefined;
    }
    if (cur && held && held.expires > Date.now()) return { holder: `${held.host} pid ${held.pid}` };
    // Expired, deleted or unreadable: take it over, unless someone else does first.
    try {
      const rev = cur ? await kv.update(key, bytes(), cur.revision) : await kv.create(key, bytes());
      return { lease: new Lease(kv, key, rev, value, ttlMs).start() };
    } catch (err) {
      if (isWrongLastSequence(err)) return { holder: 'another compactor' };
      throw toSdnwalError(err, `taking the compaction lease of ${table}`);
    }
  }

  private start(): this {
    this.timer = setInterval(() => void this.renew().catch((err) => (this.lost ??= err)), Math.max(50, this.ttlMs / 3));
    this.timer.unref();
    return this;
  }

  /** Extend the lease; throws when another compactor took it (this one stalled past its expiry). */
  renew(): Promise<void> {
    const next = this.renewing.then(() => this.renewOnce());
    this.renewing = next.catch(() => undefined);
    return next;
  }

  private async renewOnce(): Promise<void> {
    if (this.lost) throw this.lost;
    try {
      this.revision = await this.kv.update(this.key, JSON.stringify({ ...this.value, expires: Date.now() + this.ttlMs }), this.revision);
    } catch (err) {
      this.lost = toSdnwalError(err, `renewing the compaction lease ${this.key} (another compactor may have taken it over)`);
      throw this.lost;
    }
  }

  /** Give the lease up (only if it is still ours). */
  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
    try {
      await this.kv.delete(this.key, { previousSeq: this.revision });
    } catch {
      // Taken over meanwhile, or the servers are unreachable: it expires by itself.
    }
  }
}
