/**
 * The I/O seam: the few file-system calls the writer, compactor and recovery make.
 * Everything that changes a store's files goes through `io`, so tests can inject
 * faults (EIO, ENOSPC, short writes) and simulate a power loss by swapping it.
 */
import fs from 'node:fs';
import { promisify } from 'node:util';
import { SyncFailedError, UnsafePathError } from './errors.js';

const fdatasyncAsync = promisify(fs.fdatasync);
const fsyncAsync = promisify(fs.fsync);

export interface FileIO {
  openSync(path: string, flags: string | number, mode?: number): number;
  closeSync(fd: number): void;
  /** Returns the number of bytes written; callers must check it (a short write is not an exception). */
  writeSync(fd: number, buf: Uint8Array, offset: number, length: number, position: number | null): number;
  readSync(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number;
  ftruncateSync(fd: number, len: number): void;
  fstatSync(fd: number): fs.Stats;
  fdatasyncSync(fd: number): void;
  fsyncSync(fd: number): void;
  /** Async, so the event loop goes on while the disk flushes (group commit happens here). */
  fdatasync(fd: number): Promise<void>;
  fsync(fd: number): Promise<void>;
  renameSync(from: string, to: string): void;
  linkSync(existing: string, newPath: string): void;
  unlinkSync(path: string): void;
  mkdirSync(path: string): void;
  writeFileSync(path: string, data: string | Uint8Array): void;
}

export const realIO: FileIO = {
  openSync: (p, f, m) => fs.openSync(p, f, m),
  closeSync: (fd) => fs.closeSync(fd),
  writeSync: (fd, b, o, l, p) => fs.writeSync(fd, b, o, l, p),
  readSync: (fd, b, o, l, p) => fs.readSync(fd, b, o, l, p),
  ftruncateSync: (fd, l) => fs.ftruncateSync(fd, l),
  fstatSync: (fd) => fs.fstatSync(fd),
  fdatasyncSync: (fd) => fs.fdatasyncSync(fd),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  fdatasync: (fd) => fdatasyncAsync(fd),
  fsync: (fd) => fsyncAsync(fd),
  renameSync: (a, b) => fs.renameSync(a, b),
  linkSync: (a, b) => fs.linkSync(a, b),
  unlinkSync: (p) => fs.unlinkSync(p),
  mkdirSync: (p) => fs.mkdirSync(p, { recursive: true }),
  writeFileSync: (p, d) => fs.writeFileSync(p, d),
};

/** The active seam. Tests replace it with `setIO` and restore it with `setIO(realIO)`. */
export let io: FileIO = realIO;

export function setIO(next: FileIO): void {
  io = next;
}

/** fsync a directory so a create, rename or delete inside it is durable. */
export function fsyncDir(dir: string): void {
  const fd = io.openSync(dir, 'r');
  try {
    io.fsyncSync(fd);
  } finally {
    io.closeSync(fd);
  }
}

/** fdatasync a log segment; a failure is a SyncFailedError, which fails the writer's handle. */
export function fdatasyncSegment(fd: number, file: string): void {
  try {
    io.fdatasyncSync(fd);
  } catch (cause) {
    throw new SyncFailedError(file, cause);
  }
}

/** Write a whole buffer at `position`, throwing on a short write (libuv reports ENOSPC that way). */
export function writeFully(fd: number, buf: Uint8Array, position: number): void {
  const n = io.writeSync(fd, buf, 0, buf.length, position);
  if (n !== buf.length) {
    const err = new Error(`short write: ${n} of ${buf.length} bytes`) as NodeJS.ErrnoException;
    err.code = 'ENOSPC';
    throw err;
  }
}

const { O_NOFOLLOW, O_WRONLY, O_CREAT, O_EXCL } = fs.constants;

/**
 * Open a file of the store without following a symbolic link at its last component (a link in
 * the store is UNSAFE_PATH, naming it); flags are fs.constants flags. Other errors are thrown as is.
 */
export function openInStore(file: string, flags: number, mode?: number): number {
  try {
    return io.openSync(file, flags | O_NOFOLLOW, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new UnsafePathError(file, err);
    throw err;
  }
}

/**
 * Create a temp file afresh: whatever is at its path (a dead writer's temp, a planted link) is
 * unlinked (a link, not its target), then the file is created exclusively without following links.
 * `extra` adds flags (O_RDWR to read it back).
 */
export function createTempFile(file: string, extra = O_WRONLY, mode = 0o644): number {
  try {
    io.unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return openInStore(file, extra | O_CREAT | O_EXCL, mode);
}

/**
 * Write `path.tmp` (truncating a stale one a crash left: tmps are never read), fsync it — or
 * fdatasync, `sync: 'data'`, where only the bytes and size matter — and rename it to `path`.
 * The caller fsyncs the directory.
 */
export function writeTmpThenRename(path: string, data: string | Uint8Array, sync: 'file' | 'data' = 'file'): void {
  const tmp = `${path}.tmp`;
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const fd = createTempFile(tmp);
  try {
    writeFully(fd, buf, 0);
    if (sync === 'data') io.fdatasyncSync(fd);
    else io.fsyncSync(fd);
  } finally {
    io.closeSync(fd);
  }
  io.renameSync(tmp, path);
}

/**
 * Replace `path` atomically with `data`: write `path.tmp`, fsync it, rename over `path`,
 * fsync the directory.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, dir: string): void {
  writeTmpThenRename(path, data);
  fsyncDir(dir);
}
