/**
 * The lock knows its file (docs/protocol.md §1): the one descriptor of a lock file in this
 * process, and whether it still names the file at the path. A lock file deleted or replaced
 * excludes nobody, so a flock taken on a descriptor that no longer names it does not count.
 */
import fs from 'node:fs';
import fsExt from 'fs-ext';
import { SdnwalError } from '../errors.js';
import { io, openInStore } from '../io.js';
import { ioError } from './flock.js';

export class LockFile {
  private _fd: number | undefined;
  /** Device and inode of the open descriptor (they never change while it is open). */
  private dev = 0;
  private ino = 0;

  constructor(readonly path: string) {}

  /** The open descriptor, if any (nothing is opened). */
  get current(): number | undefined {
    return this._fd;
  }

  /** The descriptor (O_RDWR, created 0644 if missing), opened if it is not. */
  get fd(): number {
    if (this._fd === undefined) this._fd = this.open();
    return this._fd;
  }

  private open(): number {
    try {
      const fd = openInStore(this.path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
      try {
        const st = io.fstatSync(fd);
        this.dev = st.dev;
        this.ino = st.ino;
      } catch (err) {
        io.closeSync(fd);
        throw err;
      }
      return fd;
    } catch (err) {
      if (err instanceof SdnwalError) throw err; // UNSAFE_PATH: a link where the lock file belongs
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new SdnwalError('NOT_FOUND', `cannot open lock file ${this.path}: its directory no longer exists (was the store removed?)`, { cause: err });
      }
      throw ioError(this.path, 'cannot open lock file', err);
    }
  }

  /**
   * Whether the open descriptor is still the file at the path: one stat, compared with the
   * descriptor's device and inode. While we hold the descriptor open its inode cannot be reused,
   * so a match also means it is still linked. A lock file deleted or replaced excludes nobody.
   */
  namesFile(): boolean {
    const now = fs.statSync(this.path, { throwIfNoEntry: false });
    return now !== undefined && now.ino === this.ino && now.dev === this.dev;
  }

  /** Drop a descriptor that names a deleted or replaced file (unlocked, closed); the next use reopens the path. */
  forget(): void {
    const fd = this._fd;
    this._fd = undefined;
    if (fd === undefined) return;
    try {
      fsExt.flockSync(fd, 'un');
    } finally {
      io.closeSync(fd);
    }
  }

  /** Close the descriptor, if open. */
  close(): void {
    const fd = this._fd;
    if (fd === undefined) return;
    this._fd = undefined;
    io.closeSync(fd);
  }
}
