/** A sliding read window over a segment file: bounded memory, frames spanning two windows carried over. */
import { io } from '../io.js';

/**
 * Holds bytes `[start, start + len)` of the file. `ensure(pos, n)` makes `[pos, pos + n)`
 * resident (clamped to `limit`), re-reading from `pos` and keeping the bytes it already has.
 * The buffer is reused, so a view handed out earlier is only valid until the next `ensure`.
 */
export class ReadWindow {
  private buf: Buffer;
  start = 0;
  len = 0;

  /** `limit` is the end of the data to read; it shrinks if the file turns out shorter. */
  constructor(
    private readonly fd: number,
    public limit: number,
    private readonly chunkBytes: number,
  ) {
    this.buf = Buffer.alloc(0);
  }

  get end(): number {
    return this.start + this.len;
  }

  /** Read afresh from here on (another process may have appended; cached bytes are dropped). */
  reset(limit: number): void {
    this.limit = limit;
    this.start = 0;
    this.len = 0;
  }

  /** Narrow (or widen) the data to read, keeping what is resident: the same file, another end. */
  setLimit(limit: number): void {
    this.limit = limit;
  }

  /** The resident bytes before `limit`; index `i` is file offset `start + i`. */
  view(): Buffer {
    return this.buf.subarray(0, Math.max(0, Math.min(this.len, this.limit - this.start)));
  }

  /** Make `[pos, pos + n)` resident, or as much of it as lies before `limit`. I/O errors throw. */
  ensure(pos: number, n: number): void {
    const want = Math.max(0, Math.min(n, this.limit - pos));
    if (pos >= this.start && pos + want <= this.end) return;
    const size = Math.min(Math.max(this.chunkBytes, want), Math.max(0, this.limit - pos));
    let keep = 0;
    if (pos >= this.start && pos < this.end) keep = this.end - pos;
    if (this.buf.length < size) {
      const next = Buffer.allocUnsafe(size);
      if (keep > 0) this.buf.copy(next, 0, pos - this.start, this.end);
      this.buf = next;
    } else if (keep > 0) {
      // Buffer#copy is a memmove: the overlapping carry-over is safe.
      this.buf.copy(this.buf, 0, pos - this.start, this.end);
    }
    this.start = pos;
    this.len = keep;
    while (this.len < size) {
      const got = io.readSync(this.fd, this.buf, this.len, size - this.len, pos + this.len);
      if (got === 0) {
        // The file is shorter than we were told (truncated under us): its end is the limit now.
        this.limit = pos + this.len;
        break;
      }
      this.len += got;
    }
  }
}
