/**
 * One compactor per table at a time (docs/nats.md, "Compaction"): a lease in the KV bucket
 * `<prefix>_leases`, key `<table>.compact`, taken with a create (or a compare-and-set over an
 * expired one) and renewed while the compaction runs. A holder that died leaves a lease that
 * expires after `ttlMs`; one that died on this machine (same host name, boot and process namespace, its
 * pid gone) is taken over at once.
 */
import fs from 'node:fs';
import os from 'node:os';
import type { JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { isWrongLastSequence, toSdnwalError } from './errors.js';
import { withRetry } from './retry.js';

export const LEASE_TTL_MS = 30_000;

interface LeaseValue {
  owner: string;
  host: string;
  /** The holder's machine boot and process namespace (Linux), so a pid is only judged where it means the same process. */
  boot?: string;
  pidns?: string;
  pid: number;
  expires: number;
}

/** This process's pid namespace (`pid:[4026531836]`), or '' where there is none to read. */
function pidNamespace(): string {
  try {
    return fs.readlinkSync('/proc/self/ns/pid');
  } catch {
    return '';
  }
}

/** This machine's boot (Linux), so two machines given one host name are not taken for one. */
function bootId(): string {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

const HERE = { host: os.hostname(), boot: bootId(), pidns: pidNamespace() };

/**
 * The leases this process holds now (owner and key). A lease naming this process but none of
 * these was left behind by a release that failed (the servers were unreachable then).
 */
const heldHere = new Set<string>();
const heldId = (owner: unknown, key: string): string => `${String(owner)}\u0000${key}`;

/**
 * The holder ran on this machine, in this process namespace, and is gone: its process was killed
 * or crashed, or it is this process and no compaction of it holds the lease any more.
 */
export function holderIsDead(held: { owner?: unknown; host?: unknown; boot?: unknown; pidns?: unknown; pid?: unknown }, key: string): boolean {
  if (held.host !== HERE.host || (held.boot ?? '') !== HERE.boot || (held.pidns ?? '') !== HERE.pidns || typeof held.pid !== 'number' || !Number.isInteger(held.pid) || held.pid <= 0) return false;
  if (held.pid === process.pid) return !heldHere.has(heldId(held.owner, key));
  try {
    process.kill(held.pid, 0);
    return false;
  } catch (err) {
    // EPERM: it exists under another user.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
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

/** A write refused because the key changed meanwhile (as the client threw it, or wrapped by withRetry). */
function wrongLastSequence(err: unknown): boolean {
  return isWrongLastSequence(err) || isWrongLastSequence((err as { cause?: unknown } | undefined)?.cause);
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
  static async take(kv: KV, table: string, owner: string, ttlMs = LEASE_TTL_MS, deadlineMs = 30_000): Promise<{ lease?: Lease; holder?: string }> {
    const key = `${table}.compact`;
    const value: LeaseValue = { owner, host: HERE.host, boot: HERE.boot, pidns: HERE.pidns, pid: process.pid, expires: Date.now() + ttlMs };
    const bytes = (): string => JSON.stringify({ ...value, expires: Date.now() + ttlMs });
    // Each request is retried through timeouts and elections. A retried write that had landed meets
    // its own first copy: a lease naming this owner, which no compaction of this process holds, so
    // it is taken over below.
    const what = `taking the compaction lease of ${table}`;
    const retried = <T>(fn: () => Promise<T>): Promise<T> => withRetry(what, deadlineMs, fn);
    try {
      const rev = await retried(() => kv.create(key, bytes()));
      return { lease: new Lease(kv, key, rev, value, ttlMs).start() };
    } catch (err) {
      if (!wrongLastSequence(err)) throw toSdnwalError(err, what);
    }
    const cur = await retried(() => kv.get(key));
    let held: LeaseValue | undefined;
    try {
      held = cur && cur.operation === 'PUT' ? (JSON.parse(cur.string()) as LeaseValue) : undefined;
    } catch {
      held = undefined;
    }
    if (cur && held && held.expires > Date.now() && !holderIsDead(held, key)) return { holder: `${held.host} pid ${held.pid}` };
    // Expired, its holder dead, deleted or unreadable: take it over, unless someone else does first.
    try {
      const rev = await retried(() => (cur ? kv.update(key, bytes(), cur.revision) : kv.create(key, bytes())));
      return { lease: new Lease(kv, key, rev, value, ttlMs).start() };
    } catch (err) {
      if (wrongLastSequence(err)) return { holder: 'another compactor' };
      throw toSdnwalError(err, what);
    }
  }

  private start(): this {
    heldHere.add(heldId(this.value.owner, this.key));
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
      // Taken over meanwhile, or the servers are unreachable: it expires by itself, and this
      // process (no longer holding it, below) takes it over at once.
    } finally {
      heldHere.delete(heldId(this.value.owner, this.key));
    }
  }
}
