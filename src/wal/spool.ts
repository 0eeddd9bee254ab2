/**
 * The spool `db/<table>.spool/` (docs/protocol.md §7): writes queued when the table lock was not had
 * in time, one file per write, FIFO by name, drained exactly once by the next lock holder.
 *
 * File names in the directory:
 *   <id>.tmp                   being written (its writer holds an flock on it)
 *   <id>.w                     queued, durable (renamed from .tmp after fsync, dir fsynced)
 *   <id>.claimed.<seg>.<off>   taken by a drainer: its frame goes to segment <seg> at offset <off>
 * <id> = 15-digit ms timestamp, 10-digit pid, 10-digit per-process counter, joined by '-', so
 * plain name order is queue order (within a millisecond, by pid, then by counter).
 */
import fs from 'node:fs';
import path from 'node:path';
import fsExt from 'fs-ext';
import { SdnwalError } from '../errors.js';
import { fsyncDir, io, openInStore, writeFully } from '../io.js';

/** Default bound on queued (`.w`) writes. */
export const DEFAULT_MAX_PENDING = 100;
/** A `.tmp` older than this whose flock is free was left by a dead writer. */
export const STALE_TMP_MS = 60_000;

const PENDING = '.w';
const TMP = '.tmp';
const CLAIM = /^(.+)\.claimed\.(\d+)\.(\d+)$/;

export class QueueFullError extends SdnwalError {
  readonly dir: string;
  readonly maxPending: number;
  constructor(dir: string, maxPending: number) {
    super('QUEUE_FULL', `spool ${dir} already holds ${maxPending} queued writes; nothing was written`);
    this.dir = dir;
    this.maxPending = maxPending;
  }
}

export interface SpoolOptions {
  /** Most `.w` files the spool may hold; queueWrite beyond it throws QUEUE_FULL. @default 100 */
  readonly maxPending?: number;
}

export interface SpoolClaim {
  id: string;
  segNo: number;
  offset: number;
  payload: Buffer;
  /** Absolute path of the claimed file (pass it to removeClaim). */
  file: string;
}

function ioError(file: string, what: string, err: unknown): SdnwalError {
  const code = (err as NodeJS.ErrnoException).code;
  return new SdnwalError(code === 'ENOSPC' ? 'DISK_FULL' : 'IO_ERROR', `${what} ${file}: ${(err as Error).message}`, { cause: err });
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

let lastMs = 0;
let counter = 0;

/** A new queue id; per process the ids grow even if the clock steps back. */
function nextId(): string {
  lastMs = Math.max(lastMs, Date.now());
  counter++;
  return `${String(lastMs).padStart(15, '0')}-${String(process.pid).padStart(10, '0')}-${String(counter).padStart(10, '0')}`;
}

export class Spool {
  readonly dir: string;
  readonly maxPending: number;

  constructor(dir: string, opts: SpoolOptions = {}) {
    const max = opts.maxPending ?? DEFAULT_MAX_PENDING;
    if (!Number.isInteger(max) || max < 1) throw new TypeError(`Expected \`maxPending\` to be an integer >= 1, got \`${max}\` (${typeof max})`);
    this.dir = path.resolve(dir);
    this.maxPending = max;
  }

  exists(): boolean {
    return fs.existsSync(this.dir);
  }

  /** File names in the spool, sorted; a missing directory is an empty spool (nothing is created). */
  private names(): string[] {
    try {
      return fs.readdirSync(this.dir).sort();
    } catch (err) {
      if (isMissing(err)) return [];
      throw ioError(this.dir, 'cannot list spool', err);
    }
  }

  private pendingIds(): string[] {
    return this.names()
      .filter((n) => n.endsWith(PENDING))
      .map((n) => n.slice(0, -PENDING.length));
  }

  countPending(): number {
    return this.pendingIds().length;
  }

  /**
   * Queue one write durably: `<id>.tmp` under an flock, fsync, rename to `<id>.w`, fsync the
   * directory; resolves with the id once all of that is done. The bound is checked before
   * writing, so processes queueing at the same moment may overshoot it by one each.
   */
  async queueWrite(payload: Uint8Array): Promise<string> {
    if (this.countPending() >= this.maxPending) throw new QueueFullError(this.dir, this.maxPending);
    this.ensureDir();
    const id = nextId();
    const tmp = path.join(this.dir, id + TMP);
    let fd: number;
    try {
      fd = openInStore(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o644);
    } catch (err) {
      throw ioError(tmp, 'cannot create', err);
    }
    let renamed = false;
    try {
      // The flock tells cleanupStaleTmp this .tmp has a live writer; closing the fd drops it.
      fsExt.flockSync(fd, 'exnb');
      writeFully(fd, payload, 0);
      await io.fsync(fd);
      io.renameSync(tmp, path.join(this.dir, id + PENDING));
      renamed = true;
      fsyncDir(this.dir);
    } catch (err) {
      // After the rename only the directory fsync failed: the .w exists but may not survive a
      // power loss, so the caller learns the outcome is unknown (like any rejected append).
      if (!renamed) {
        try {
          io.unlinkSync(tmp);
        } catch {
          // Left for cleanupStaleTmp once our flock is gone.
        }
      }
      throw ioError(tmp, 'cannot queue write in', err);
    } finally {
      io.closeSync(fd);
    }
    return id;
  }

  /** Create the spool directory, making its entry in the parent durable too. */
  private ensureDir(): void {
    if (fs.existsSync(this.dir)) return;
    try {
      io.mkdirSync(this.dir);
      fsyncDir(path.dirname(this.dir));
    } catch (err) {
      throw ioError(this.dir, 'cannot create spool', err);
    }
  }

  /** The oldest queued write, or undefined if none. */
  getNextPending(): { id: string; payload: Buffer } | undefined {
    for (const id of this.pendingIds()) {
      try {
        return { id, payload: fs.readFileSync(path.join(this.dir, id + PENDING)) };
      } catch (err) {
        // Claimed or removed between readdir and read: the next one is now the oldest.
        if (!isMissing(err)) throw ioError(path.join(this.dir, id + PENDING), 'cannot read', err);
      }
    }
    return undefined;
  }

  /** Delete a queued write (already gone → nothing to do) and make that durable. */
  removeFromQueue(id: string): void {
    this.unlinkDurably(path.join(this.dir, this.checkId(id) + PENDING));
  }

  /** Mark a queued write as being drained into segment `segNo` at `offset` (rename, dir fsync). */
  claim(id: string, segNo: number, offset: number): string {
    return this.renameClaim(path.join(this.dir, this.checkId(id) + PENDING), id, segNo, offset);
  }

  /** Move a claim a dead drainer left (not landed) to the position its frame will take now; returns its new path. */
  reclaim(claim: SpoolClaim, segNo: number, offset: number): string {
    return this.renameClaim(claim.file, this.checkId(claim.id), segNo, offset);
  }

  private renameClaim(from: string, id: string, segNo: number, offset: number): string {
    if (!Number.isSafeInteger(segNo) || segNo < 0) throw new TypeError(`Expected \`segNo\` to be an integer >= 0, got \`${segNo}\` (${typeof segNo})`);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new TypeError(`Expected \`offset\` to be an integer >= 0, got \`${offset}\` (${typeof offset})`);
    const to = path.join(this.dir, `${id}.claimed.${segNo}.${offset}`);
    if (to === from) return to;
    try {
      io.renameSync(from, to);
      fsyncDir(this.dir);
    } catch (err) {
      throw ioError(from, 'cannot claim', err);
    }
    return to;
  }

  listClaims(): SpoolClaim[] {
    const claims: SpoolClaim[] = [];
    for (const name of this.names()) {
      const m = CLAIM.exec(name);
      if (!m) continue;
      const file = path.join(this.dir, name);
      try {
        claims.push({ id: m[1], segNo: Number(m[2]), offset: Number(m[3]), payload: fs.readFileSync(file), file });
      } catch (err) {
        if (!isMissing(err)) throw ioError(file, 'cannot read', err);
      }
    }
    return claims;
  }

  /** Delete a claimed file once its frame is durable in the log. */
  removeClaim(file: string): void {
    const name = path.basename(file);
    if (!CLAIM.test(name)) throw new TypeError(`Expected \`file\` to be a claimed spool file, got \`${file}\` (${typeof file})`);
    this.unlinkDurably(path.join(this.dir, name));
  }

  /**
   * Delete each `.tmp` older than `maxAgeMs` whose flock can be taken (its writer died before
   * the rename; a live writer holds the flock, so its file is never touched). Returns the names.
   */
  cleanupStaleTmp(maxAgeMs = STALE_TMP_MS): string[] {
    const removed: string[] = [];
    const now = Date.now();
    for (const name of this.names()) {
      if (!name.endsWith(TMP)) continue;
      const file = path.join(this.dir, name);
      let fd: number;
      try {
        if (now - fs.statSync(file).mtimeMs <= maxAgeMs) continue;
        fd = openInStore(file, fs.constants.O_RDONLY);
      } catch (err) {
        if (isMissing(err)) continue;
        throw ioError(file, 'cannot inspect', err);
      }
      try {
        fsExt.flockSync(fd, 'exnb');
      } catch {
        io.closeSync(fd);
        continue; // a live writer holds it (or it cannot be locked): never delete
      }
      try {
        io.unlinkSync(file);
        removed.push(name);
      } catch (err) {
        if (!isMissing(err)) throw ioError(file, 'cannot delete', err);
      } finally {
        io.closeSync(fd);
      }
    }
    if (removed.length > 0) fsyncDir(this.dir);
    return removed;
  }

  private unlinkDurably(file: string): void {
    try {
      io.unlinkSync(file);
    } catch (err) {
      if (isMissing(err)) return;
      throw ioError(file, 'cannot delete', err);
    }
    fsyncDir(this.dir);
  }

  /** Ids are file-name stems made by nextId; anything with a path separator is misuse. */
  private checkId(id: string): string {
    if (typeof id !== 'string' || id === '' || id.includes('/') || id.includes('\0') || id.startsWith('.')) {
      throw new TypeError(`Expected \`id\` to be a spool id, got \`${String(id)}\` (${typeof id})`);
    }
    return id;
  }
}
