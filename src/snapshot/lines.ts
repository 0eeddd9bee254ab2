/** Reading a file as runs of whole lines, one chunk at a time, so a big snapshot is never held whole. */
import { io } from '../io.js';
import { READ_CHUNK_BYTES } from './constants.js';

export class LineRuns {
  private carry: Buffer = Buffer.alloc(0);
  private eof = false;

  constructor(
    private readonly fd: number,
    private pos: number,
    private readonly chunkBytes = READ_CHUNK_BYTES,
  ) {}

  /** The next run of whole lines, each ending in LF (the file's last line may lack it); undefined at the end. */
  next(): Buffer | undefined {
    for (;;) {
      if (this.eof) {
        if (this.carry.length === 0) return undefined;
        const rest = this.carry;
        this.carry = Buffer.alloc(0);
        return rest;
      }
      const chunk = Buffer.alloc(this.chunkBytes);
      const n = io.readSync(this.fd, chunk, 0, chunk.length, this.pos);
      this.pos += n;
      if (n === 0) {
        this.eof = true;
        continue;
      }
      const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      const last = data.lastIndexOf(10);
      if (last < 0) {
        this.carry = data; // a line longer than a chunk: read on
        continue;
      }
      this.carry = Buffer.from(data.subarray(last + 1));
      return data.subarray(0, last + 1);
    }
  }
}
