/**
 * A fault-injecting I/O seam for tests (wraps realIO from src/io.ts; install with `setIO`):
 * EIO/ENOSPC on the Nth write or fsync, short writes, a cut after the Nth mutating call (the
 * machine stops: every later call throws), and a power-loss simulator.
 *
 * The power-loss model, per inode and per directory, like a journaling file system:
 * - file contents: what was there at the file's last fsync/fdatasync is durable; every page
 *   (4 KiB) written since may or may not have reached the disk: `powerLoss()` keeps a random
 *   subset of them, the rest reads as the old bytes (zeros past the old end); the size is
 *   either the durable one or the current one;
 * - directory entries (create, rename, link, unlink, mkdir): durable once the directory is
 *   fsynced; `powerLoss()` puts every directory back to its listing at its last fsync.
 * Everything present when `track()` is called counts as durable.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type FileIO, realIO } from '../../src/io.js';

export const PAGE_BYTES = 4096;

export type Fault = { op: 'write' | 'fsync'; nth: number; code: 'EIO' | 'ENOSPC' } | { op: 'short-write'; nth: number };

/** An inode and its generation (inode numbers are reused after a delete). */
type InodeKey = string;

type Entry = { kind: 'dir' } | { kind: 'file'; key: InodeKey };

export class PowerCut extends Error {
  readonly code = 'EIO';
  constructor() {
    super('simulated power loss: the machine is off');
  }
}

function errno(code: 'EIO' | 'ENOSPC', what: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: injected fault (${what})`) as NodeJS.ErrnoException;
  e.code = code;
  return e;
}

/** mulberry32: small, seeded, good enough to choose pages. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultyIO implements FileIO {
  /** Counters of calls so far. */
  writes = 0;
  syncs = 0;
  /** Mutating calls (write, truncate, sync, create, rename, link, unlink, mkdir). */
  ops = 0;
  faults: Fault[] = [];
  /** After this many mutating calls the machine stops: that call and every later one throw PowerCut. */
  cutAfter: number | undefined;
  dead = false;

  private root: string | undefined;
  private gen = new Map<number, number>();
  /** Durable contents per inode key. */
  private durable = new Map<InodeKey, Buffer>();
  /** Durable listing per directory (absolute path). */
  private listings = new Map<string, Map<string, Entry>>();
  private fds = new Map<number, { path: string; key: InodeKey | undefined; dir: boolean }>();

  constructor(private readonly inner: FileIO = realIO) {}

  // ---- tracking ------------------------------------------------------------------------

  private keyOf(ino: number): InodeKey {
    return `${ino}:${this.gen.get(ino) ?? 0}`;
  }

  private newInode(ino: number): InodeKey {
    this.gen.set(ino, (this.gen.get(ino) ?? 0) + 1);
    const key = this.keyOf(ino);
    this.durable.set(key, Buffer.alloc(0));
    return key;
  }

  private within(p: string): boolean {
    return this.root !== undefined && (p === this.root || p.startsWith(this.root + path.sep));
  }

  private listing(dir: string): Map<string, Entry> {
    const out = new Map<string, Entry>();
    for (const name of fs.readdirSync(dir)) {
      const st = fs.lstatSync(path.join(dir, name));
      out.set(name, st.isDirectory() ? { kind: 'dir' } : { kind: 'file', key: this.keyOf(st.ino) });
    }
    return out;
  }

  /** Start the power-loss model at `root`: everything under it now counts as durable. */
  track(root: string): void {
    this.root = path.resolve(root);
    const walk = (dir: string): void => {
      this.listings.set(dir, this.listing(dir));
      for (const [name, e] of this.listings.get(dir)!) {
        const p = path.join(dir, name);
        if (e.kind === 'dir') walk(p);
        else this.durable.set(e.key, fs.readFileSync(p));
      }
    };
    walk(this.root);
  }

  // ---- faults ----------------------------------------------------------------------------

  private step(): void {
    if (this.dead) throw new PowerCut();
    this.ops++;
    if (this.cutAfter !== undefined && this.ops > this.cutAfter) {
      this.dead = true;
      throw new PowerCut();
    }
  }

  private alive(): void {
    if (this.dead) throw new PowerCut();
  }

  private fault(op: 'write' | 'fsync' | 'short-write', n: number): Fault | undefined {
    return this.faults.find((f) => f.op === op && f.nth === n);
  }

  // ---- FileIO ----------------------------------------------------------------------------

  openSync(p: string, flags: string | number, mode?: number): number {
    const abs = path.resolve(p);
    const existed = fs.existsSync(abs);
    const creates = !existed && (typeof flags === 'number' ? (flags & fs.constants.O_CREAT) !== 0 : /[wa]/.test(flags));
    if (creates) this.step();
    else this.alive();
    const fd = this.inner.openSync(p, flags, mode);
    const st = fs.fstatSync(fd);
    let key: InodeKey | undefined;
    if (!st.isDirectory()) key = creates && this.within(abs) ? this.newInode(st.ino) : this.keyOf(st.ino);
    this.fds.set(fd, { path: abs, key, dir: st.isDirectory() });
    return fd;
  }

  closeSync(fd: number): void {
    this.fds.delete(fd);
    this.inner.closeSync(fd);
  }

  writeSync(fd: number, buf: Uint8Array, offset: number, length: number, position: number | null): number {
    this.step();
    const n = ++this.writes;
    const f = this.fault('write', n);
    if (f && f.op === 'write') throw errno(f.code, `write #${n}`);
    if (this.fault('short-write', n) && length > 1) return this.inner.writeSync(fd, buf, offset, Math.floor(length / 2), position);
    return this.inner.writeSync(fd, buf, offset, length, position);
  }

  readSync(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number {
    this.alive();
    return this.inner.readSync(fd, buf, offset, length, position);
  }

  ftruncateSync(fd: number, len: number): void {
    this.step();
    this.inner.ftruncateSync(fd, len);
  }

  fstatSync(fd: number): fs.Stats {
    this.alive();
    return this.inner.fstatSync(fd);
  }

  /** A successful fsync of a file makes its contents durable; of a directory, its listing. */
  private synced(fd: number): void {
    const f = this.fds.get(fd);
    if (!f || !this.within(f.path)) return;
    if (f.dir) this.listings.set(f.path, this.listing(f.path));
    // Re-open through /proc (Linux): the descriptor may be write-only.
    else if (f.key !== undefined) this.durable.set(f.key, fs.readFileSync(`/proc/self/fd/${fd}`));
  }

  private syncCall(kind: string): void {
    this.step();
    const n = ++this.syncs;
    const f = this.fault('fsync', n);
    if (f && f.op === 'fsync') throw errno(f.code, `${kind} #${n}`);
  }

  fdatasyncSync(fd: number): void {
    this.syncCall('fdatasync');
    this.inner.fdatasyncSync(fd);
    this.synced(fd);
  }

  fsyncSync(fd: number): void {
    this.syncCall('fsync');
    this.inner.fsyncSync(fd);
    this.synced(fd);
  }

  async fdatasync(fd: number): Promise<void> {
    this.syncCall('fdatasync');
    await this.inner.fdatasync(fd);
    // The machine may have died while the flush was in flight: then it never returned 0.
    if (this.dead) throw new PowerCut();
    this.synced(fd);
  }

  async fsync(fd: number): Promise<void> {
    this.syncCall('fsync');
    await this.inner.fsync(fd);
    if (this.dead) throw new PowerCut();
    this.synced(fd);
  }

  renameSync(from: string, to: string): void {
    this.step();
    this.inner.renameSync(from, to);
  }

  linkSync(existing: string, newPath: string): void {
    this.step();
    this.inner.linkSync(existing, newPath);
  }

  unlinkSync(p: string): void {
    this.step();
    // The durable contents stay in `durable`: an undone unlink brings them back.
    this.inner.unlinkSync(p);
  }

  mkdirSync(p: string): void {
    if (fs.existsSync(p)) return this.alive();
    this.step();
    this.inner.mkdirSync(p);
  }

  writeFileSync(p: string, data: string | Uint8Array): void {
    this.step();
    const abs = path.resolve(p);
    const existed = fs.existsSync(abs);
    this.inner.writeFileSync(p, data);
    if (!existed && this.within(abs)) this.newInode(fs.statSync(abs).ino);
  }

  // ---- power loss ------------------------------------------------------------------------

  /** The contents an inode has after the power loss: durable bytes plus a random subset of unsynced pages. */
  private survivor(key: InodeKey, current: Buffer | undefined, rand: () => number): Buffer {
    const old = this.durable.get(key) ?? Buffer.alloc(0);
    if (!current) return old;
    const size = rand() < 0.5 ? old.length : current.length;
    const out = Buffer.alloc(size);
    old.copy(out, 0, 0, Math.min(old.length, size));
    for (let at = 0; at < size; at += PAGE_BYTES) {
      const end = Math.min(size, at + PAGE_BYTES);
      const same = current.length >= end && old.length >= end && current.subarray(at, end).equals(old.subarray(at, end));
      if (same || rand() < 0.5) continue; // this unsynced page did not reach the disk
      out.fill(0, at, end);
      current.copy(out, at, at, Math.min(end, current.length));
    }
    return out;
  }

  /**
   * Simulate the power loss now: rewrite the tracked tree as the disk would hold it after a
   * reboot (durable listings, durable contents plus a random subset of unsynced pages). The
   * machine stays dead for this seam; install a fresh seam (or realIO) afterwards.
   */
  powerLoss(seed = 1): void {
    if (!this.root) throw new TypeError('powerLoss() before track()');
    this.dead = true;
    const rand = rng(seed);
    // Current contents of every inode still reachable by a path or an open descriptor.
    const current = new Map<InodeKey, Buffer>();
    const walk = (dir: string): void => {
      for (const name of fs.readdirSync(dir)) {
        const p = path.join(dir, name);
        const st = fs.lstatSync(p);
        if (st.isDirectory()) walk(p);
        else current.set(this.keyOf(st.ino), fs.readFileSync(p));
      }
    };
    // An inode unlinked since (reachable only by a stale descriptor, or not at all) comes back, if an
    // undone unlink brings it back, with its durable contents only: a simplification on the safe side.
    walk(this.root);
    const plan: Array<{ path: string; data?: Buffer }> = [];
    const build = (dir: string): void => {
      const entries = this.listings.get(dir);
      if (!entries) return;
      for (const [name, e] of entries) {
        const p = path.join(dir, name);
        if (e.kind === 'dir') {
          plan.push({ path: p });
          build(p);
        } else plan.push({ path: p, data: this.survivor(e.key, current.get(e.key), rand) });
      }
    };
    build(this.root);
    for (const name of fs.readdirSync(this.root)) fs.rmSync(path.join(this.root, name), { recursive: true, force: true });
    for (const item of plan) {
      if (item.data === undefined) fs.mkdirSync(item.path, { recursive: true });
      else fs.writeFileSync(item.path, item.data);
    }
  }
}
