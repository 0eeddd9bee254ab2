/**
 * Formatted row lines kept as UTF-8 bytes in a few large blocks, addressed by a small integer. A
 * compaction folding a million rows then holds one number per row instead of a row object and
 * its strings: far less for the garbage collector to copy, and far less memory.
 */

/** Bytes per block; a longer run of lines gets a block of its own. */
export const ARENA_BLOCK_BYTES = 4 * 1024 * 1024;

/** Lines are encoded in runs of about this many characters. */
const PENDING_CHARS = 64 * 1024;

export class RowArena {
  private readonly blocks: Buffer[] = [];
  private pos = 0; // no block yet: the first add opens one
  private block = new Uint32Array(1024);
  private start = new Uint32Array(1024);
  private end = new Uint32Array(1024);
  private n = 0;
  /** Lines added but not yet encoded into a block (see settle). */
  private pending = '';
  private pendingLens: number[] = [];

  /** Store `line` (UTF-8); returns its id. Lines are never freed: a replaced row's bytes stay until the fold is dropped. */
  add(line: string): number {
    if (this.n === this.block.length) this.grow();
    const id = this.n++;
    this.pending += line;
    this.pendingLens.push(line.length);
    if (this.pending.length >= PENDING_CHARS) this.settle();
    return id;
  }

  /**
   * Store `count` lines that are already UTF-8: line i is `src[ends[i-1] .. ends[i])` (from 0 for
   * the first). Returns the id of the first; the others follow in order.
   */
  addLines(src: Buffer, ends: Uint32Array, count: number): number {
    if (this.pending !== '') this.settle();
    while (this.n + count > this.block.length) this.grow();
    const bytes = count > 0 ? ends[count - 1]! : 0;
    if (this.pos + bytes > this.current().length) this.open(bytes);
    const b = this.blocks.length - 1;
    src.copy(this.current(), this.pos, 0, bytes);
    const first = this.n;
    let from = 0;
    for (let i = 0; i < count; i++) {
      const id = this.n++;
      this.block[id] = b;
      this.start[id] = this.pos + from;
      this.end[id] = this.pos + (from = ends[i]!);
    }
    this.pos += bytes;
    return first;
  }

  /**
   * Encode the pending lines with one write (a write per line costs more than the encoding). If
   * every character took one byte, line offsets are character offsets; else each line is encoded
   * on its own.
   */
  private settle(): void {
    const text = this.pending;
    if (text === '') return;
    const lens = this.pendingLens;
    this.pending = '';
    this.pendingLens = [];
    let id = this.n - lens.length;
    if (this.pos + text.length * 3 > this.current().length) this.open(text.length * 3);
    const b = this.blocks.length - 1;
    const at = this.pos;
    const bytes = this.current().write(text, at, 'utf8');
    if (bytes === text.length) {
      let p = at;
      for (const len of lens) {
        this.block[id] = b;
        this.start[id] = p;
        this.end[id++] = p += len;
      }
      this.pos = p;
      return;
    }
    let from = 0;
    for (const len of lens) {
      const line = text.slice(from, (from += len));
      this.block[id] = b;
      this.start[id] = this.pos;
      this.pos += this.current().write(line, this.pos, 'utf8');
      this.end[id++] = this.pos;
    }
  }

  /** The bytes of line `id` (a view: copy it before the arena is dropped). */
  bytes(id: number): Buffer {
    if (this.pending !== '') this.settle();
    return this.blocks[this.block[id]!]!.subarray(this.start[id]!, this.end[id]!);
  }

  /** Copy line `id` into `out` at `at`, without its last `trim` bytes; returns the bytes copied. */
  copyTo(id: number, out: Buffer, at: number, trim = 0): number {
    if (this.pending !== '') this.settle();
    return this.blocks[this.block[id]!]!.copy(out, at, this.start[id]!, this.end[id]! - trim);
  }

  /** Length in bytes of line `id`. */
  length(id: number): number {
    if (this.pending !== '') this.settle();
    return this.end[id]! - this.start[id]!;
  }

  private current(): Buffer {
    return this.blocks[this.blocks.length - 1] ?? EMPTY;
  }

  private open(min: number): void {
    this.blocks.push(Buffer.allocUnsafe(Math.max(ARENA_BLOCK_BYTES, min)));
    this.pos = 0;
  }

  private grow(): void {
    this.block = widen(this.block);
    this.start = widen(this.start);
    this.end = widen(this.end);
  }
}

const EMPTY = Buffer.alloc(0);

/** A copy of `a` twice as long. */
export function widen(a: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}
