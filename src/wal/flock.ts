/** One non-blocking flock on a descriptor, and probing a lock file without taking it (docs/protocol.md §1). */
import fs from 'node:fs';
import fsExt from 'fs-ext';
import { SdnwalError } from '../errors.js';
import { io, openInStore } from '../io.js';
import { readControlAt } from './control.js';

function isBusy(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR';
}

export function ioError(file: string, what: string, err: unknown): SdnwalError {
  return new SdnwalError('IO_ERROR', `${what} ${file}: ${(err as Error).message}`, { cause: err });
}

/** Try the flock once: true if taken, false if another open file description holds it. */
export function tryFlock(fd: number, file: string): boolean {
  try {
    fsExt.flockSync(fd, 'exnb');
    return true;
  } catch (err) {
    if (isBusy(err)) return false;
    throw ioError(file, 'cannot lock', err);
  }
}

/**
 * Whether someone holds the lock of `file` (this process's own FileLock included): tries it on
 * a separate read-only descriptor and unlocks at once. A missing file → false; creates nothing.
 */
export function isLocked(file: string): boolean {
  let fd: number;
  try {
    fd = openInStore(file, fs.constants.O_RDONLY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw ioError(file, 'cannot open lock file', err);
  }
  try {
    if (!tryFlock(fd, file)) return true;
    fsExt.flockSync(fd, 'un');
    return false;
  } finally {
    io.closeSync(fd);
  }
}

/** The pid named by the lock file's control record, without locking or creating anything. */
export function lockHolderPid(file: string): number | undefined {
  return readControlAt(file)?.holderPid || undefined;
}
