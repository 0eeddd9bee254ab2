/**
 * The msgpack the compactor's fast path (insert-lines.ts) reads byte by byte: strs, maps, arrays
 * and the number forms msgpackr reads back the same way. Anything outside that throws DECLINE,
 * and the entry is left to the decoder.
 */

/** Thrown inside the reader for anything the fast path leaves to the decoder; made once, so no stack capture. */
export const DECLINE = new Error('not a plain insert');

export abstract class MsgpackReader {
  protected p: Buffer = Buffer.alloc(0);
  protected at = 0;
  /** Where the text of the str skipStr last read starts. */
  protected text = 0;

  /** Skip a str; returns the end of its text, which starts at `this.text`. */
  protected skipStr(): number {
    const p = this.p;
    const b = p[this.at++]!;
    let len: number;
    if ((b & 0xe0) === 0xa0) len = b & 0x1f;
    else if (b === 0xd9) len = p[this.at++]!;
    else if (b === 0xda) {
      len = p.readUInt16BE(this.at);
      this.at += 2;
    } else if (b === 0xdb) {
      len = p.readUInt32BE(this.at);
      this.at += 4;
    } else throw DECLINE;
    const a = this.at;
    if (a + len > p.length) throw DECLINE;
    this.text = a;
    this.at += len;
    return a + len;
  }

  /** Whether the str at `at` is exactly `want` (consumed if so). Keys are fixstr or str8 in practice. */
  protected keyIs(want: Uint8Array): boolean {
    const p = this.p;
    let at = this.at;
    const b = p[at]!;
    let len: number;
    if ((b & 0xe0) === 0xa0) {
      len = b & 0x1f;
      at++;
    } else if (b === 0xd9) {
      len = p[at + 1]!;
      at += 2;
    } else return false;
    if (len !== want.length || at + len > p.length) return false;
    for (let i = 0; i < len; i++) if (p[at + i] !== want[i]) return false;
    this.at = at + len;
    return true;
  }

  /** An int or float64 (uint64/int64/float32 and the rest decline: msgpackr may read them otherwise). */
  protected number(): number {
    const p = this.p;
    const b = p[this.at++]!;
    if (b < 0x80) return b;
    if (b >= 0xe0) return b - 0x100;
    let v: number;
    switch (b) {
      case 0xcc: v = p[this.at]!; this.at += 1; return v;
      case 0xcd: v = p.readUInt16BE(this.at); this.at += 2; return v;
      case 0xce: v = p.readUInt32BE(this.at); this.at += 4; return v;
      case 0xd0: v = p.readInt8(this.at); this.at += 1; return v;
      case 0xd1: v = p.readInt16BE(this.at); this.at += 2; return v;
      case 0xd2: v = p.readInt32BE(this.at); this.at += 4; return v;
      case 0xcb: v = p.readDoubleBE(this.at); this.at += 8; return v;
    }
    throw DECLINE;
  }

  protected mapHeader(): number {
    return this.header(0x80, 0xde);
  }

  protected arrayHeader(): number {
    return this.header(0x90, 0xdc);
  }

  /** A map or array header: fix form `fix | n` (n < 16), else the 16-bit form `wide` or the 32-bit one after it. */
  protected header(fix: number, wide: number): number {
    const p = this.p;
    const b = p[this.at++]!;
    if ((b & 0xf0) === fix) return b & 0x0f;
    if (b === wide) {
      this.at += 2;
      return p.readUInt16BE(this.at - 2);
    }
    if (b === wide + 1) {
      this.at += 4;
      return p.readUInt32BE(this.at - 4);
    }
    throw DECLINE;
  }
}
