/**
 * Reading only what a key count needs from a write entry's msgpack bytes: its operation and its
 * rows' keys, stepping over the values without building them (count() of a log that holds
 * millions of rows). It accepts exactly the shape decodeEntry accepts as a write; anything else
 * (a SEAL, a PAD, a duplicate field, bytes it does not know) returns undefined and the caller
 * decodes the entry in full, which reports what is wrong.
 */
import { isUtf8 } from 'node:buffer';
import { ENTRY_FIELD_NAMES, type EntryFieldName, isOperation, type Operation } from './entry-shape.js';

/**
 * A write's operation and where its row keys are in the payload: key i is the UTF-8 bytes
 * `payload[starts[i], ends[i])`. The arrays are reused: valid until the next call.
 */
export interface EntryKeys {
  operation: Operation;
  count: number;
  starts: Int32Array;
  ends: Int32Array;
}

let starts = new Int32Array(1024);
let ends = new Int32Array(1024);

/** Thrown inside the reader for anything it leaves to the full decoder; made once (no stack). */
const DECLINE = new Error('not a plain write entry');

let b: Buffer;
let p: number;

function u8(): number {
  if (p >= b.length) throw DECLINE;
  return b[p++]!;
}

function take(n: number): number {
  const at = p;
  p += n;
  if (p > b.length) throw DECLINE;
  return at;
}

function len(bytes: 1 | 2 | 4): number {
  const at = take(bytes);
  return bytes === 1 ? b[at]! : bytes === 2 ? b.readUInt16BE(at) : b.readUInt32BE(at);
}

/**
 * The length (or entry count) in the header of the next value if it is of the kind given by its
 * fix form (`(t & fixMask) === fixTag`, length in the other bits) and its 8/16/32-bit forms
 * (`wide`, 0 where the kind has none); -1 (nothing read) when the next value is of another kind.
 */
function header(fixMask: number, fixTag: number, wide: readonly [number, number, number]): number {
  const t = b[p];
  if (t === undefined) throw DECLINE;
  if ((t & fixMask) === fixTag) return (p++, t & ~fixMask & 0xff);
  const w = wide.indexOf(t);
  if (w < 0 || t === 0) return -1;
  p++;
  return len(([1, 2, 4] as const)[w]!);
}

const strLength = (): number => header(0xe0, 0xa0, [0xd9, 0xda, 0xdb]);
/** The entry count of a map at `p`, or -1 when the next value is no map. */
const mapLength = (): number => header(0xf0, 0x80, [0, 0xde, 0xdf]);
const arrayLength = (): number => header(0xf0, 0x90, [0, 0xdc, 0xdd]);

/** Field names the reader looks for, compared as bytes (no string is made for them). */
const NAMES = ENTRY_FIELD_NAMES;
type Name = EntryFieldName;
const NAME_BYTES = NAMES.map((n) => Buffer.from(n, 'latin1'));

/** The next value, a str, as one of NAMES, or undefined for any other name. */
function fieldName(): Name | undefined {
  const n = strLength();
  if (n < 0) throw DECLINE;
  const at = take(n);
  for (let i = 0; i < NAMES.length; i++) {
    const nb = NAME_BYTES[i]!;
    if (nb.length !== n) continue;
    let j = 0;
    while (j < n && b[at + j] === nb[j]) j++;
    if (j === n) return NAMES[i];
  }
  return undefined;
}

function str(): string {
  const n = strLength();
  if (n < 0) throw DECLINE;
  const at = take(n);
  return b.toString('utf8', at, at + n);
}

/** Step over one value of any msgpack type. */
function skip(): void {
  const t = u8();
  if (t <= 0x7f || t >= 0xe0 || t === 0xc0 || t === 0xc2 || t === 0xc3) return;
  if ((t & 0xe0) === 0xa0) return void take(t & 0x1f);
  if ((t & 0xf0) === 0x90) return skipMany(t & 0x0f);
  if ((t & 0xf0) === 0x80) return skipMap(t & 0x0f);
  switch (t) {
    // bin and ext (0xc4–0xc9, 0xd4–0xd8) are never written for JSON-like values, and msgpackr's
    // decoding of them (extensions, unknown types) is its own: decline.
    case 0xd9: return void take(len(1));
    case 0xda: return void take(len(2));
    case 0xdb: return void take(len(4));
    case 0xca: case 0xce: case 0xd2: return void take(4);
    case 0xcb: case 0xcf: case 0xd3: return void take(8);
    case 0xcc: case 0xd0: return void take(1);
    case 0xcd: case 0xd1: return void take(2);
    case 0xdc: return skipMany(len(2));
    case 0xdd: return skipMany(len(4));
    case 0xde: return skipMap(len(2));
    case 0xdf: return skipMap(len(4));
    default: throw DECLINE; // 0xc1 (never used), bin, ext
  }
}

function skipMany(n: number): void {
  for (let i = 0; i < n; i++) skip();
}

/** Every key a string, as the log encoder writes them (the full decoder refuses some others). */
function skipMap(n: number): void {
  for (let i = 0; i < n; i++) {
    const k = strLength();
    if (k < 0) throw DECLINE;
    take(k);
    skip();
  }
}

/** A number (int or float) of any width; its value only matters for `synced` (a non-negative integer). */
function number(): number {
  const t = u8();
  if (t <= 0x7f) return t;
  if (t >= 0xe0) return t - 0x100;
  switch (t) {
    case 0xcc: return b[take(1)]!;
    case 0xcd: return b.readUInt16BE(take(2));
    case 0xce: return b.readUInt32BE(take(4));
    // 64-bit integers may decode as BigInt, which the full decoder judges: leave them to it.
    case 0xd0: return b.readInt8(take(1));
    case 0xd1: return b.readInt16BE(take(2));
    case 0xd2: return b.readInt32BE(take(4));
    case 0xca: return b.readFloatBE(take(4));
    case 0xcb: return b.readDoubleBE(take(8));
    default: throw DECLINE;
  }
}

function operation(): Operation {
  const op = str();
  if (!isOperation(op)) throw DECLINE;
  return op;
}

/** The rows' keys, as byte ranges into `starts`/`ends`; returns how many. */
function rowKeys(): number {
  const n = arrayLength();
  if (n < 0) throw DECLINE;
  if (n > starts.length) {
    starts = new Int32Array(n);
    ends = new Int32Array(n);
  }
  for (let i = 0; i < n; i++) {
    const fields = mapLength();
    if (fields < 0) throw DECLINE;
    let key = false;
    let values = false;
    for (let f = 0; f < fields; f++) {
      const name = fieldName();
      if (name === 'key') {
        const len = strLength();
        if (key || len < 0) throw DECLINE;
        key = true;
        starts[i] = take(len);
        ends[i] = p;
        // Bytes that are not UTF-8 decode to replacement characters: leave those keys to the full decoder.
        if (!ascii(starts[i]!, p) && !isUtf8(b.subarray(starts[i]!, p))) throw DECLINE;
      } else if (name === 'values') {
        // The full decoder wants a map (not an array or null) here.
        if (values || !isMapHeader(b[p])) throw DECLINE;
        values = true;
        skip();
      } else {
        skip();
      }
    }
    if (!key) throw DECLINE;
  }
  return n;
}

function ascii(from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i]! >= 0x80) return false;
  return true;
}

function isMapHeader(t: number | undefined): boolean {
  return t !== undefined && ((t & 0xf0) === 0x80 || t === 0xde || t === 0xdf);
}

/** The operation and row keys of a write entry's payload, or undefined (decode it in full instead). */
export function readEntryKeys(payload: Buffer): EntryKeys | undefined {
  b = payload;
  p = 0;
  try {
    const fields = mapLength();
    if (fields < 0) return undefined;
    let op: Operation | undefined;
    let count: number | undefined;
    let timestamp = false;
    let synced = false;
    let seen = 0;
    for (let f = 0; f < fields; f++) {
      const name = fieldName();
      if (name === undefined) return undefined; // seal, pad, or a field no write has
      const bit = 1 << NAMES.indexOf(name);
      if (seen & bit) return undefined;
      seen |= bit;
      if (name === 'operation') op = operation();
      else if (name === 'rows') count = rowKeys();
      else if (name === 'timestamp') timestamp = (number(), true);
      else if (name === 'synced') {
        const s = number();
        if (!Number.isInteger(s) || s < 0) return undefined;
        synced = true;
      } else if (name === 'spoolId') str();
      else return undefined; // 'key' or 'values' at the top: not a write
    }
    if (p !== b.length || op === undefined || count === undefined || !timestamp || !synced) return undefined;
    return { operation: op, count, starts, ends };
  } catch (err) {
    if (err === DECLINE) return undefined;
    throw err;
  } finally {
    b = EMPTY;
  }
}
const EMPTY = Buffer.alloc(0);
