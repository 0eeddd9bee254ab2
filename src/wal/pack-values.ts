/**
 * The msgpack writer behind packWrite (entry-pack.ts): plain values (strings, numbers, booleans,
 * null, arrays and plain objects of those) written into a shared slab with exactly the bytes
 * msgpackr writes with entry.ts's options, except -0, a float64. Anything else throws UNSUPPORTED
 * and packWrite leaves the entry to msgpackr.
 */
import { cacheKey, keyCache, slotBytes, slotKeys } from './pack-keys.js';

const SLAB = 64 * 1024;
export const MAX_KEPT_SLAB = 4 * 1024 * 1024; // a slab grown for one huge entry is not kept for the next

// Entries are written into a shared slab and handed out as views, as msgpackr does; a view is
// never written again because `start` moves past it.
let buf: Buffer;
let view: DataView;
let start: number; // where the entry being encoded begins
let pos: number;
setSlab(Buffer.allocUnsafeSlow(SLAB));

/** Thrown inside the encoder for a value it leaves to msgpackr; made once, so no stack capture. */
const UNSUPPORTED = new Error('not handled by the fast path');

/**
 * Objects msgpackr writes as maps of their own keys. It asks a null-prototype object for an own
 * `toJSON` first, so those go to msgpackr.
 */
export function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || (proto === null && !('toJSON' in v));
}

export function ensure(n: number): void {
  if (pos + n > buf.length) grow(n);
}

function grow(n: number): void {
  const used = pos - start;
  const next = Buffer.allocUnsafeSlow(Math.max(SLAB, (used + n) * 2));
  buf.copy(next, 0, start, pos);
  setSlab(next);
  pos = used;
}

function setSlab(b: Buffer): void {
  buf = b;
  view = new DataView(b.buffer, b.byteOffset, b.length);
  start = pos = 0;
}

/** The entry written since the last one, handed out as a view; the next one begins after it. */
export function takeEntry(): Buffer {
  const out = buf.subarray(start, pos);
  start = pos;
  return out;
}

/** Forget the entry being written (it went to msgpackr). */
export function dropEntry(): void {
  pos = start;
}

/** After an entry: a slab grown for a huge one is not kept for the next. */
export function trimSlab(): void {
  if (buf.length > MAX_KEPT_SLAB) setSlab(Buffer.allocUnsafeSlow(SLAB));
}

/** Reserve the byte of a map header; its offset from the start of the entry, for finishMap. */
export function beginMap(): number {
  ensure(1);
  return pos++ - start; // relative: a grow moves the entry to the start of a new slab
}

export function writeValue(v: unknown, depth: number): void {
  switch (typeof v) {
    case 'string':
      return writeString(v);
    case 'number':
      return writeNumber(v);
    case 'boolean':
      ensure(1);
      buf[pos++] = v ? 0xc3 : 0xc2;
      return;
    case 'undefined': // only inside arrays (object properties are skipped): msgpackr's fixext 0
      ensure(3);
      buf[pos++] = 0xd4;
      buf[pos++] = 0;
      buf[pos++] = 0;
      return;
    case 'object': {
      if (v === null) {
        ensure(1);
        buf[pos++] = 0xc0;
        return;
      }
      if (Array.isArray(v)) {
        if (Object.getPrototypeOf(v) === Array.prototype) return writeArray(v, depth);
      } else if (isPlain(v)) return writeObject(v as Record<string, unknown>, depth);
    }
  }
  throw UNSUPPORTED;
}

// The same choices as msgpackr: uint/int up to 32 bits, everything else (and -0 → 0) as such.
function writeNumber(v: number): void {
  ensure(9);
  // -0 passes the integer tests below (msgpackr writes it as 0); written as a float64 it reads back as -0.
  if (v === 0 && 1 / v < 0) {
    buf[pos++] = 0xcb;
    view.setFloat64(pos, v);
    pos += 8;
  } else if (v >>> 0 === v) {
    if (v < 0x80) buf[pos++] = v;
    else if (v < 0x100) {
      buf[pos++] = 0xcc;
      buf[pos++] = v;
    } else if (v < 0x10000) {
      buf[pos++] = 0xcd;
      view.setUint16(pos, v);
      pos += 2;
    } else {
      buf[pos++] = 0xce;
      view.setUint32(pos, v);
      pos += 4;
    }
  } else if (v >> 0 === v) {
    if (v >= -0x20) buf[pos++] = 0x100 + v;
    else if (v >= -0x80) {
      buf[pos++] = 0xd0;
      buf[pos++] = v + 0x100;
    } else if (v >= -0x8000) {
      buf[pos++] = 0xd1;
      view.setInt16(pos, v);
      pos += 2;
    } else {
      buf[pos++] = 0xd2;
      view.setInt32(pos, v);
      pos += 4;
    }
  } else {
    buf[pos++] = 0xcb;
    view.setFloat64(pos, v);
    pos += 8;
  }
}

/**
 * As msgpackr: under 64 UTF-16 units a JS loop (a lone surrogate becomes its 3-byte form),
 * otherwise Buffer's UTF-8 (a lone surrogate becomes U+FFFD). Room is reserved for the header
 * by length in units, then moved if the byte length needs a longer one.
 */
function writeString(s: string): void {
  const len = s.length;
  ensure(len * 3 + 5);
  const buf_ = buf; // a local: the loop then keeps it in a register
  const hs = len < 0x20 ? 1 : len < 0x100 ? 2 : len < 0x10000 ? 3 : 5;
  let p = pos + hs;
  if (len < 0x40) {
    for (let i = 0; i < len; i++) {
      let c = s.charCodeAt(i);
      let c2: number;
      if (c < 0x80) buf_[p++] = c;
      else if (c < 0x800) {
        buf_[p++] = (c >> 6) | 0xc0;
        buf_[p++] = (c & 0x3f) | 0x80;
      } else if ((c & 0xfc00) === 0xd800 && ((c2 = s.charCodeAt(i + 1)) & 0xfc00) === 0xdc00) {
        c = 0x10000 + ((c & 0x3ff) << 10) + (c2 & 0x3ff);
        i++;
        buf_[p++] = (c >> 18) | 0xf0;
        buf_[p++] = ((c >> 12) & 0x3f) | 0x80;
        buf_[p++] = ((c >> 6) & 0x3f) | 0x80;
        buf_[p++] = (c & 0x3f) | 0x80;
      } else {
        buf_[p++] = (c >> 12) | 0xe0;
        buf_[p++] = ((c >> 6) & 0x3f) | 0x80;
        buf_[p++] = (c & 0x3f) | 0x80;
      }
    }
  } else p += buf.write(s, p);
  const n = p - pos - hs;
  if (n < 0x20) buf[pos++] = 0xa0 | n;
  else if (n < 0x100) {
    if (hs < 2) buf.copyWithin(pos + 2, pos + 1, p);
    buf[pos++] = 0xd9;
    buf[pos++] = n;
  } else if (n < 0x10000) {
    if (hs < 3) buf.copyWithin(pos + 3, pos + hs, p);
    buf[pos++] = 0xda;
    view.setUint16(pos, n);
    pos += 2;
  } else {
    if (hs < 5) buf.copyWithin(pos + 5, pos + hs, p);
    buf[pos++] = 0xdb;
    view.setUint32(pos, n);
    pos += 4;
  }
  pos += n;
}

export function writeKey(k: string, slot: number): void {
  if (slotKeys[slot] === k) return writeBytes(slotBytes[slot]!);
  const b = keyCache.get(k) ?? newKey(k);
  if (!b) return writeString(k);
  slotKeys[slot] = k;
  slotBytes[slot] = b;
  writeBytes(b);
}

/** The bytes of a key not seen lately, cached; undefined for a long key (written each time). */
function newKey(k: string): Uint8Array | undefined {
  // msgpackr treats these specially (constructor/hasOwnProperty lookups) or reads them back
  // renamed (`__proto__`, which encodeEntry's checks must see): leave them to it.
  if (k === 'constructor' || k === 'hasOwnProperty' || k === '__proto__') throw UNSUPPORTED;
  if (k.length > 64) return undefined;
  const at = pos - start;
  writeString(k); // encoded in place, copied, and the position rewound
  const b = new Uint8Array(buf.subarray(start + at, pos));
  pos = start + at;
  cacheKey(k, b);
  return b;
}

export function writeBytes(b: Uint8Array): void {
  const n = b.length;
  ensure(n);
  if (n > 16) buf.set(b, pos);
  else for (let i = 0; i < n; i++) buf[pos + i] = b[i]!;
  pos += n;
}

function writeArray(a: unknown[], depth: number): void {
  const n = a.length;
  ensure(5);
  if (n < 0x10) buf[pos++] = 0x90 | n;
  else if (n < 0x10000) {
    buf[pos++] = 0xdc;
    view.setUint16(pos, n);
    pos += 2;
  } else {
    buf[pos++] = 0xdd;
    view.setUint32(pos, n);
    pos += 4;
  }
  for (let i = 0; i < n; i++) writeValue(a[i], depth); // holes are undefined, as in msgpackr
}

function writeObject(o: Record<string, unknown>, depth: number): void {
  ensure(1);
  const header = pos++ - start;
  const slots = (depth < 7 ? depth : 7) << 4;
  let n = 0;
  for (const k in o) {
    const v = o[k];
    if (v === undefined) continue; // skipValues: [undefined]
    writeKey(k, slots | (n & 15));
    writeValue(v, depth + 1);
    n++;
  }
  finishMap(header, n);
}

/** One byte was reserved for the map header; a map of 16+ entries moves its body along. */
export function finishMap(header: number, n: number): void {
  if (n < 0x10) {
    buf[start + header] = 0x80 | n;
    return;
  }
  const extra = n < 0x10000 ? 2 : 4;
  ensure(extra);
  const at = start + header;
  buf.copyWithin(at + 1 + extra, at + 1, pos);
  pos += extra;
  if (extra === 2) {
    buf[at] = 0xde;
    view.setUint16(at + 1, n);
  } else {
    buf[at] = 0xdf;
    view.setUint32(at + 1, n);
  }
}
