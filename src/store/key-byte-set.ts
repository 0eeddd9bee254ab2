/**
 * A set of keys held as their UTF-8 bytes, never as JS strings: count() of a log of a million
 * rows adds and deletes a million keys, and making and hashing a string for each took most of
 * its time. Open addressing over an arena of key bytes; a deleted key keeps its entry (marked
 * dead) so probe chains stay intact, and is revived if added again. Keys must be valid UTF-8
 * (the canonical bytes of their string), so equal strings are equal bytes.
 */
const EMPTY = 0;

export class KeyByteSet {
  private arena: Buffer = Buffer.allocUnsafe(1 << 16);
  private used = 0;
  /** Entry index + 1 per slot (0: empty); the table is a power of two. */
  private slots = new Int32Array(1 << 12);
  private starts = new Float64Array(1 << 11);
  private lengths = new Int32Array(1 << 11);
  private hashes = new Int32Array(1 << 11);
  private live = new Uint8Array(1 << 11);
  private entries = 0;
  size = 0;

  add(buf: Uint8Array, start: number, end: number): void {
    const i = this.find(buf, start, end, true);
    if (this.live[i] === 0) {
      this.live[i] = 1;
      this.size++;
    }
  }

  delete(buf: Uint8Array, start: number, end: number): void {
    const i = this.find(buf, start, end, false);
    if (i >= 0 && this.live[i] === 1) {
      this.live[i] = 0;
      this.size--;
    }
  }

  addString(key: string): void {
    const b = Buffer.from(key, 'utf8');
    this.add(b, 0, b.length);
  }

  deleteString(key: string): void {
    const b = Buffer.from(key, 'utf8');
    this.delete(b, 0, b.length);
  }

  /** The entry of the key (created when `create`), or -1. */
  private find(buf: Uint8Array, start: number, end: number, create: boolean): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    const mask = this.slots.length - 1;
    const n = end - start;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = this.slots[s]! - 1;
      if (e + 1 === EMPTY) {
        if (!create) return -1;
        return this.insert(s, h, buf, start, end);
      }
      if (this.hashes[e] === h && this.lengths[e] === n && this.sameBytes(e, buf, start, n)) return e;
    }
  }

  private sameBytes(e: number, buf: Uint8Array, start: number, n: number): boolean {
    const at = this.starts[e]!;
    for (let i = 0; i < n; i++) if (this.arena[at + i] !== buf[start + i]) return false;
    return true;
  }

  private insert(slot: number, h: number, buf: Uint8Array, start: number, end: number): number {
    const n = end - start;
    if (this.used + n > this.arena.length) this.arena = grownBuffer(this.arena, this.used + n);
    const arena = this.arena;
    for (let i = 0, at = this.used; i < n; i++) arena[at + i] = buf[start + i]!;
    const e = this.entries++;
    if (e === this.live.length) this.growEntries();
    this.starts[e] = this.used;
    this.lengths[e] = n;
    this.hashes[e] = h;
    this.live[e] = 0;
    this.used += n;
    this.slots[slot] = e + 1;
    // Keep the table at most half full, so probes stay short.
    if (this.entries * 2 > this.slots.length) this.rehash();
    return e;
  }

  private growEntries(): void {
    const size = this.live.length * 2;
    const starts = new Float64Array(size);
    starts.set(this.starts);
    const lengths = new Int32Array(size);
    lengths.set(this.lengths);
    const hashes = new Int32Array(size);
    hashes.set(this.hashes);
    const live = new Uint8Array(size);
    live.set(this.live);
    this.starts = starts;
    this.lengths = lengths;
    this.hashes = hashes;
    this.live = live;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let e = 0; e < this.entries; e++) {
      let s = this.hashes[e]! & mask;
      while (slots[s] !== EMPTY) s = (s + 1) & mask;
      slots[s] = e + 1;
    }
    this.slots = slots;
  }
}

function grownBuffer(old: Buffer, need: number): Buffer {
  let size = old.length * 2;
  while (size < need) size *= 2;
  const b = Buffer.allocUnsafe(size);
  old.copy(b, 0, 0, old.length);
  return b;
}
